package io.raftline.engine.agent;

import io.aeron.ExclusivePublication;
import io.raftline.engine.core.RaftConfig;
import io.raftline.log.RaftLog;
import io.raftline.log.SnapshotStore;

/**
 * A member's consensus publisher that loses the frames a {@link TransportFilter} refuses, as a network partition
 * would: a request to a cut-off peer is refused (the core retries it later, as for a peer that is down), an answer
 * to one is dropped.
 */
final class FilteredPublisher extends ConsensusPublisher
{
    private final int memberId;
    private final TransportFilter filter;

    FilteredPublisher(
        final RaftConfig config,
        final RaftLog log,
        final SnapshotStore snapshots,
        final ExclusivePublication[] publications,
        final int maxFrameLength,
        final TransportFilter filter)
    {
        super(config, log, snapshots, publications, maxFrameLength);
        this.memberId = config.memberId();
        this.filter = filter;
    }

    /**
     * @param filter deciding which frames get through.
     * @return a factory of filtered publishers, for {@link LocalCluster#start(int, MemberContext,
     * java.util.function.IntFunction, ConsensusPublisher.Factory)}.
     */
    static ConsensusPublisher.Factory factory(final TransportFilter filter)
    {
        return (config, log, snapshots, publications, maxFrameLength) ->
            new FilteredPublisher(config, log, snapshots, publications, maxFrameLength, filter);
    }

    private boolean isCut(final int toMemberId)
    {
        return !filter.canSend(memberId, toMemberId);
    }

    public int appendEntries(
        final int followerId,
        final long term,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final long firstIndex,
        final int maxEntries)
    {
        return isCut(followerId) ? -1 :
            super.appendEntries(followerId, term, prevLogIndex, prevLogTerm, leaderCommit, firstIndex, maxEntries);
    }

    public void appendEntriesResponse(
        final int leaderId,
        final long term,
        final long prevLogIndex,
        final boolean success,
        final long matchIndex,
        final long conflictIndex,
        final long conflictTerm,
        final long lastLogIndex)
    {
        if (!isCut(leaderId))
        {
            super.appendEntriesResponse(leaderId, term, prevLogIndex, success, matchIndex, conflictIndex, conflictTerm,
                lastLogIndex);
        }
    }

    public boolean requestVote(
        final int recipientId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round)
    {
        return isCut(recipientId) || super.requestVote(recipientId, term, lastLogIndex, lastLogTerm, preVote, round);
    }

    public void voteResponse(
        final int candidateId,
        final long term,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long round)
    {
        if (!isCut(candidateId))
        {
            super.voteResponse(candidateId, term, candidateTerm, granted, preVote, round);
        }
    }

    public boolean requestVote(
        final int recipientId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round,
        final boolean transfer)
    {
        return isCut(recipientId) ||
            super.requestVote(recipientId, term, lastLogIndex, lastLogTerm, preVote, round, transfer);
    }

    public boolean readIndexRequest(final int recipientId, final long term, final long round, final boolean fromLeader)
    {
        return isCut(recipientId) || super.readIndexRequest(recipientId, term, round, fromLeader);
    }

    public boolean readIndexResponse(
        final int recipientId, final long term, final long round, final long readIndex, final boolean fromLeader)
    {
        return isCut(recipientId) || super.readIndexResponse(recipientId, term, round, readIndex, fromLeader);
    }

    public boolean timeoutNow(final int followerId, final long term)
    {
        return isCut(followerId) || super.timeoutNow(followerId, term);
    }

    public int installSnapshot(
        final int followerId,
        final long term,
        final long snapshotIndex,
        final long snapshotTerm,
        final long chunkOffset,
        final int maxChunkLength,
        final long transferId)
    {
        return isCut(followerId) ? -1 : super.installSnapshot(
            followerId, term, snapshotIndex, snapshotTerm, chunkOffset, maxChunkLength, transferId);
    }

    public void installSnapshotResponse(
        final int leaderId,
        final long term,
        final long snapshotIndex,
        final long nextOffset,
        final int status,
        final long transferId)
    {
        if (!isCut(leaderId))
        {
            super.installSnapshotResponse(leaderId, term, snapshotIndex, nextOffset, status, transferId);
        }
    }
}
