package io.raftline.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The replicated state machine a service hands to Raftline. Every member applies the same commands, in the same
 * order, exactly once per member lifetime.
 * <p>
 * All methods run on the member's agent thread. They must be deterministic (the state may depend only on the
 * commands applied, never on clocks, randomness or the member), must not block, must not call back into Raftline,
 * and should allocate nothing: {@link #onApply} is on the latency path of every command.
 */
public interface RaftService
{
    /**
     * Apply one committed command and write the answer for the client.
     *
     * @param index    of the command in the replicated log.
     * @param term     in which the command was proposed.
     * @param command  buffer holding the command; valid only during the call.
     * @param offset   of the command.
     * @param length   of the command.
     * @param response where to write the answer, from offset 0; it grows as needed.
     * @return the length of the answer written to {@code response}, 0 for none.
     */
    int onApply(long index, long term, DirectBuffer command, int offset, int length, MutableDirectBuffer response);

    /**
     * {@link #onQuery} result: this service answers no queries.
     */
    int NO_QUERIES = -1;

    /**
     * Answer a read-only query from the state as it is now (reads: the member has applied at least every command
     * committed before the query arrived, as its consistency level promises). It must not change the state, nor
     * anything {@link #onApply} depends on: members answer queries at different points, so a change here would make
     * their states diverge. Runs on the agent thread like every method here, and should allocate nothing.
     *
     * @param query    buffer holding the query; valid only during the call.
     * @param offset   of the query.
     * @param length   of the query.
     * @param response where to write the answer, from offset 0; it grows as needed.
     * @return the length of the answer written to {@code response}, 0 for none, or {@link #NO_QUERIES}.
     */
    default int onQuery(
        final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer response)
    {
        return NO_QUERIES;
    }

    /**
     * A client session opened (replicated: every member sees it at the same point of the log).
     *
     * @param clientSessionId of the new session.
     */
    default void onSessionOpen(final long clientSessionId)
    {
    }

    /**
     * A client session closed.
     *
     * @param clientSessionId of the closed session.
     */
    default void onSessionClose(final long clientSessionId)
    {
    }

    /**
     * Capture the state as of the command just applied at {@code index}, for a snapshot. Called on the agent
     * thread: capture cheaply (a copy of small state, a copy-on-write view of large state) and leave the writing to
     * the returned source, which runs on a background thread while commands keep being applied.
     *
     * @param index of the last command applied.
     * @return the view to write, or null if this service does not take snapshots (the log then grows forever).
     */
    default SnapshotSource takeSnapshot(final long index)
    {
        return null;
    }

    /**
     * Replace the whole state with a snapshot's: when the member starts, or when the leader installs a snapshot.
     *
     * @param index of the last command the snapshot covers.
     * @param input the bytes the {@link SnapshotSource} wrote.
     */
    default void loadSnapshot(final long index, final SnapshotInput input)
    {
    }
}
