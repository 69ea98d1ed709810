package io.raftline.log;

import org.agrona.DirectBuffer;

/**
 * The Raft log of one member: entries {@code baseIndex() + 1 .. lastIndex()}, each with the term it was created in.
 * <p>
 * Indices start at 1. {@code baseIndex()} is the last index covered by a snapshot (0 when there is none); its term
 * is still answered by {@link #termAt(long)} so the consistency check works across compaction.
 * <p>
 * <b>Durability.</b> Mutations ({@link #append}, {@link #truncateAfter}, {@link #compactTo}, {@link #reset}) take
 * effect at once for readers but may be lost by a crash until {@link #sync()} returns. How hard {@code sync()}
 * forces the data to disk is the implementation's durability level. The Raft engine calls {@code sync()} before it
 * releases any message that depends on the log (an append acknowledgement, a vote).
 * <p>
 * Implementations are single-threaded: the member's agent thread owns the log.
 */
public interface RaftLog extends AutoCloseable
{
    /**
     * Term returned by {@link #termAt(long)} for an index the log does not hold.
     */
    long NULL_TERM = -1;

    /**
     * The last index covered by a snapshot; the log holds entries after it.
     *
     * @return the base index, 0 when the log has never been compacted.
     */
    long baseIndex();

    /**
     * The term of the entry at {@link #baseIndex()}.
     *
     * @return the base term, 0 when the log has never been compacted.
     */
    long baseTerm();

    /**
     * The index of the last entry, or {@link #baseIndex()} when the log holds no entries.
     *
     * @return the last index.
     */
    long lastIndex();

    /**
     * The term of the last entry, or {@link #baseTerm()} when the log holds no entries.
     *
     * @return the last term.
     */
    long lastTerm();

    /**
     * The term of the entry at an index.
     *
     * @param index of the entry, from {@link #baseIndex()} to {@link #lastIndex()}.
     * @return the term, or {@link #NULL_TERM} when the index is outside that range.
     */
    long termAt(long index);

    /**
     * Timestamp of an entry that carries none: written before schema version 3, or appended without one.
     */
    long NO_TIMESTAMP = 0;

    /**
     * Append one entry at {@code lastIndex() + 1} without a timestamp ({@link #NO_TIMESTAMP}). The bytes are copied.
     *
     * @param term   of the entry, not below {@link #lastTerm()}.
     * @param buffer holding the payload.
     * @param offset of the payload in the buffer.
     * @param length of the payload in bytes, possibly 0.
     * @return the index of the new entry.
     */
    default long append(long term, DirectBuffer buffer, int offset, int length)
    {
        return append(term, NO_TIMESTAMP, buffer, offset, length);
    }

    /**
     * Append one entry at {@code lastIndex() + 1}. The bytes are copied; the timestamp is stored with the entry and
     * {@link #read} returns it.
     *
     * @param term      of the entry, not below {@link #lastTerm()}.
     * @param timestamp of the entry: the cluster time the leader stamped it with, ns since the epoch.
     * @param buffer    holding the payload.
     * @param offset    of the payload in the buffer.
     * @param length    of the payload in bytes, possibly 0.
     * @return the index of the new entry.
     */
    long append(long term, long timestamp, DirectBuffer buffer, int offset, int length);

    /**
     * Read the entry at an index into a view over the log's own storage: nothing is copied. The view is valid
     * until the next mutation of the log.
     *
     * @param index of the entry, from {@code baseIndex() + 1} to {@link #lastIndex()}.
     * @param view  to wrap over the entry.
     * @return true if the entry exists and the view now wraps it, false otherwise.
     */
    boolean read(long index, LogEntryView view);

    /**
     * Delete every entry after {@code index} (Raft's conflicting suffix). A no-op when {@code index >= lastIndex()}.
     *
     * @param index the last index to keep, not below {@link #baseIndex()}.
     */
    void truncateAfter(long index);

    /**
     * Forget the entries up to and including {@code index}, because a snapshot now covers them. The term of
     * {@code index} is remembered as {@link #baseTerm()}.
     *
     * @param index the new base index, from {@link #baseIndex()} to {@link #lastIndex()}.
     */
    void compactTo(long index);

    /**
     * Discard the whole log and start empty after a snapshot at {@code baseIndex} with {@code baseTerm}, as a
     * follower does when it installs a snapshot that its log does not match.
     *
     * @param baseIndex of the snapshot.
     * @param baseTerm  of the snapshot.
     */
    void reset(long baseIndex, long baseTerm);

    /**
     * Make every mutation so far durable, to the degree of this log's durability level.
     */
    void sync();

    /**
     * Release the log's resources. Unsynced mutations may be lost.
     */
    void close();
}
