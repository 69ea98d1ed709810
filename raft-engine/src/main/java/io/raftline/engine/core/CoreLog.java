package io.raftline.engine.core;

import io.raftline.log.LogEntryView;
import io.raftline.log.MetadataStore;
import io.raftline.log.RaftLog;
import org.agrona.DirectBuffer;

/**
 * The one owner of the core's durable state: the {@link RaftLog} and the {@link MetadataStore} (term and vote).
 * <p>
 * Every mutation goes through here, and every one marks the state dirty, so no concern of the core can change the
 * log or the vote and forget to tell the driver to sync before the after-persist lane leaves (the durability
 * contract of {@link Outbox}). It also tracks how far the log is known durable: a truncation or reset can only
 * lower that index, and {@link #onPersisted()} raises it to the end of the log.
 */
final class CoreLog
{
    private final RaftLog log;
    private final MetadataStore metadata;
    // Invariant: currentTerm and votedFor equal what the metadata store holds (written through on every change).
    private long currentTerm;
    private int votedFor;
    private long persistedIndex;
    private boolean isPersistPending;
    private boolean isTermPersistPending;
    // Cluster time: the stamp a leader's append gets is max(clock, timestampFloor), so no entry is ever stamped
    // below one this member has held or applied, also across a change of leader.
    private final ClusterClock clock = new ClusterClock();
    // Told of every configuration entry appended and every truncation (configurations are effective on append).
    private Members members;

    CoreLog(final RaftLog log, final MetadataStore metadata)
    {
        this.log = log;
        this.metadata = metadata;
        this.currentTerm = metadata.currentTerm();
        this.votedFor = metadata.votedFor();
        this.persistedIndex = log.lastIndex();
        clock.observeLastEntry(log);
    }

    /**
     * @return the cluster clock: the time a leader stamps its appends with.
     */
    ClusterClock clock()
    {
        return clock;
    }

    void members(final Members members)
    {
        this.members = members;
    }

    // ------------------------------------------------------------------------------------------------ reads

    long currentTerm()
    {
        return currentTerm;
    }

    int votedFor()
    {
        return votedFor;
    }

    long baseIndex()
    {
        return log.baseIndex();
    }

    long lastIndex()
    {
        return log.lastIndex();
    }

    long lastTerm()
    {
        return log.lastTerm();
    }

    long termAt(final long index)
    {
        return log.termAt(index);
    }

    boolean read(final long index, final LogEntryView view)
    {
        return log.read(index, view);
    }

    /**
     * @return the highest index known durable in this log; a leader counts itself towards a commit only up to here.
     */
    long persistedIndex()
    {
        return Math.min(persistedIndex, log.lastIndex());
    }

    /**
     * @return true if anything changed since the last {@link #onPersisted()}.
     */
    boolean isPersistPending()
    {
        return isPersistPending;
    }

    /**
     * @return true if the term or vote changed since the last {@link #onPersisted()}: a crash now would restart this
     * member in its previous term, with no memory of the vote.
     */
    boolean isTermPersistPending()
    {
        return isTermPersistPending;
    }

    /**
     * §5.4.1: the later last term wins; with equal last terms the longer log wins.
     *
     * @return true if a log ending at {@code lastLogIndex}/{@code lastLogTerm} is at least as up to date as this.
     */
    boolean isUpToDate(final long lastLogIndex, final long lastLogTerm)
    {
        final long myLastTerm = log.lastTerm();
        return lastLogTerm > myLastTerm || (lastLogTerm == myLastTerm && lastLogIndex >= log.lastIndex());
    }

    /**
     * @return the log itself, for the driver to sync and the outbox to read entries from; never to write.
     */
    RaftLog raftLog()
    {
        return log;
    }

    // ------------------------------------------------------------------------------------------------ writes

    /**
     * Append as the leader: the entry is stamped with the cluster clock ({@link ClusterClock#nextStamp()}).
     */
    long append(final long term, final DirectBuffer buffer, final int offset, final int length)
    {
        isPersistPending = true;
        final long index = log.append(term, clock.nextStamp(), buffer, offset, length);
        onAppended(index, buffer, offset, length);
        return index;
    }

    /**
     * Append as a follower: the entry keeps the stamp the leader gave it.
     */
    long appendReplicated(
        final long term, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        isPersistPending = true;
        clock.observe(timestamp);
        final long index = log.append(term, timestamp, buffer, offset, length);
        onAppended(index, buffer, offset, length);
        return index;
    }

    private void onAppended(final long index, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null != members && MembershipCodec.isMembershipEntry(buffer, offset, length))
        {
            members.onAppend(index, buffer, offset, length);
        }
    }

    void truncateAfter(final long index)
    {
        isPersistPending = true;
        log.truncateAfter(index);
        persistedIndex = Math.min(persistedIndex, index);
        if (null != members)
        {
            members.onTruncate(index);
        }
    }

    void compactTo(final long index)
    {
        isPersistPending = true;
        log.compactTo(index);
    }

    void reset(final long baseIndex, final long baseTerm)
    {
        isPersistPending = true;
        log.reset(baseIndex, baseTerm);
        persistedIndex = Math.min(persistedIndex, baseIndex);
    }

    void updateTermAndVote(final long term, final int vote)
    {
        isPersistPending = true;
        isTermPersistPending = true;
        currentTerm = term;
        votedFor = vote;
        metadata.update(term, vote);
    }

    /**
     * The driver made every change so far durable.
     */
    void onPersisted()
    {
        isPersistPending = false;
        isTermPersistPending = false;
        persistedIndex = log.lastIndex();
    }
}
