package io.raftline.engine.core;

import io.raftline.log.SnapshotMetadata;
import io.raftline.log.SnapshotReader;
import org.agrona.DirectBuffer;

/**
 * What the core applies committed entries to.
 * <p>
 * {@link #onApply} is called on the member's agent thread, in index order, once per entry per member lifetime.
 * It must be deterministic (every member computes the same state from the same entries), must not block, must not
 * call back into the engine, and should allocate nothing: it runs on the hot path.
 */
@FunctionalInterface
public interface StateMachine
{
    /**
     * Apply one committed entry.
     *
     * @param index  of the entry in the log.
     * @param term   in which the entry was created.
     * @param buffer holding the payload; valid only during the call.
     * @param offset of the payload.
     * @param length of the payload; 0 for the empty entry a new leader appends to commit its term.
     */
    void onApply(long index, long term, DirectBuffer buffer, int offset, int length);

    /**
     * Apply one committed entry with its cluster time; what the core calls. A state machine that has no use for time
     * keeps implementing the method above, which this one calls.
     *
     * @param index     of the entry in the log.
     * @param term      in which the entry was created.
     * @param timestamp the cluster time the leader stamped the entry with, ns since the epoch (0: unstamped).
     * @param buffer    holding the payload; valid only during the call.
     * @param offset    of the payload.
     * @param length    of the payload; 0 for the empty entry a new leader appends to commit its term.
     */
    default void onApply(
        final long index, final long term, final long timestamp, final DirectBuffer buffer, final int offset,
        final int length)
    {
        onApply(index, term, buffer, offset, length);
    }

    /**
     * The cluster time of the entry the last {@link #restoreSnapshot} covers, so that the core never stamps an entry
     * below it (a member whose log a snapshot replaced holds no entry to read it from).
     *
     * @return the timestamp, or 0 if the state machine does not keep time.
     */
    default long restoredTimestamp()
    {
        return 0;
    }

    /**
     * Start a snapshot of the state as of the entry just applied at {@code index}. The state machine captures a
     * consistent view now and may write the bytes later, off the agent thread, while applying goes on; when the
     * snapshot is durable in the snapshot store the driver calls {@link RaftNode#onSnapshotTaken}.
     *
     * @param index of the last entry applied, which the snapshot covers.
     * @param term  of that entry.
     * @return false if no snapshot can be started now (none supported, or one still being written).
     */
    default boolean takeSnapshot(final long index, final long term)
    {
        return false;
    }

    /**
     * Replace the whole state with a snapshot's: at start, or when the leader installs one. Entries after the
     * snapshot's index are applied next.
     *
     * @param metadata of the snapshot.
     * @param reader   of its bytes.
     */
    default void restoreSnapshot(final SnapshotMetadata metadata, final SnapshotReader reader)
    {
    }
}
