package io.raftline.engine.core;

import org.agrona.DirectBuffer;

import static io.raftline.engine.core.AdmissionGate.ADMITTED;
import static io.raftline.engine.core.AdmissionGate.FROM_LEADER;
import static io.raftline.engine.core.AdmissionGate.PRE_VOTE_GRANT;
import static io.raftline.engine.core.AdmissionGate.PRE_VOTE_REFUSAL;
import static io.raftline.engine.core.AdmissionGate.PRE_VOTE_REQUEST;
import static io.raftline.engine.core.AdmissionGate.REFUSED;
import static io.raftline.engine.core.AdmissionGate.RESPONSE;
import static io.raftline.engine.core.AdmissionGate.STALE;
import static io.raftline.engine.core.AdmissionGate.VOTE_REQUEST;
import static io.raftline.engine.core.AdmissionGate.VOTE_RESPONSE;
import static io.raftline.engine.core.RaftNode.SNAPSHOT_REJECTED;
import static io.raftline.engine.core.RaftRole.FOLLOWER;
import static io.raftline.engine.core.RaftRole.LEADER;

/**
 * The inbound consensus messages of a {@link RaftNode}, after decoding: each passes the {@link AdmissionGate}
 * (sender, then term) and then goes to the part of the core that handles it in the current role. The node's
 * public {@code on...} methods, which document the messages, delegate here. Each returns false if the sender is
 * not another member of the cluster (counted, ignored).
 */
final class InboundMessages
{
    private final CoreLog log;
    private final Outbox outbox;
    private final Members members;
    private final RoleState roles;
    private final AdmissionGate gate;
    private final Election election;
    private final Replicator replicator;
    private final LogReceiver receiver;
    private final SnapshotReceiver snapshotReceiver;
    private final RaftReads reads;

    InboundMessages(
        final CoreLog log,
        final Outbox outbox,
        final Members members,
        final RoleState roles,
        final AdmissionGate gate,
        final Election election,
        final Replicator replicator,
        final LogReceiver receiver,
        final SnapshotReceiver snapshotReceiver,
        final RaftReads reads)
    {
        this.log = log;
        this.outbox = outbox;
        this.members = members;
        this.roles = roles;
        this.gate = gate;
        this.election = election;
        this.replicator = replicator;
        this.receiver = receiver;
        this.snapshotReceiver = snapshotReceiver;
        this.reads = reads;
    }

    boolean onRequestVote(
        final int candidateId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round,
        final boolean transfer,
        final long nowNs)
    {
        if (reads.ignoresVote(candidateId, term, preVote, transfer, nowNs))
        {
            return true;
        }
        final int kind = preVote ? PRE_VOTE_REQUEST : VOTE_REQUEST;
        final int verdict = gate.admit(candidateId, term, kind, "RequestVote", nowNs);
        if (preVote && REFUSED != verdict)
        {
            election.onPreVoteRequest(
                candidateId, term, lastLogIndex, lastLogTerm, round, roles.isWithinLeaderLease(nowNs));
        }
        else if (STALE == verdict)
        {
            election.refuseVote(candidateId, term, round);
        }
        else if (ADMITTED == verdict)
        {
            election.onVoteRequest(candidateId, lastLogIndex, lastLogTerm, round, nowNs);
        }
        return REFUSED != verdict && !members.isCountedStranger(candidateId);
    }

    boolean onRequestVoteResponse(
        final int voterId,
        final long term,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long round,
        final long nowNs)
    {
        final int kind = preVote ? (granted ? PRE_VOTE_GRANT : PRE_VOTE_REFUSAL) : VOTE_RESPONSE;
        final int verdict = gate.admit(voterId, term, kind, "RequestVoteResponse", nowNs);
        if (ADMITTED == verdict)
        {
            election.onVoteResponse(voterId, candidateTerm, granted, preVote, round, nowNs);
        }
        return REFUSED != verdict;
    }

    boolean onAppendEntries(
        final int leaderId,
        final long term,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final EntryBatch entries,
        final long nowNs)
    {
        final int verdict = gate.admit(leaderId, term, FROM_LEADER, "AppendEntries", nowNs);
        if (STALE == verdict)
        {
            // A stale leader: tell it the current term so that it steps down (§5.1).
            outbox.appendEntriesResponse(leaderId, log.currentTerm(), prevLogIndex, false, 0, 0, 0, log.lastIndex());
        }
        else if (ADMITTED == verdict)
        {
            roles.followLeader(leaderId, nowNs, "AppendEntries");
            receiver.onAppendEntries(leaderId, prevLogIndex, prevLogTerm, leaderCommit, entries);
        }
        return gate.isTaken(verdict, leaderId);
    }

    boolean onAppendEntriesResponse(
        final int followerId,
        final long term,
        final long prevLogIndex,
        final boolean success,
        final long matchIndex,
        final long conflictIndex,
        final long conflictTerm,
        final long lastLogIndex,
        final long nowNs)
    {
        final int verdict = gate.admit(followerId, term, RESPONSE, "AppendEntriesResponse", nowNs);
        if (ADMITTED == verdict && LEADER == roles.role())
        {
            replicator.onAppendEntriesResponse(
                members.peer(followerId), prevLogIndex, success, matchIndex, conflictIndex, conflictTerm,
                lastLogIndex);
        }
        return REFUSED != verdict;
    }

    boolean onInstallSnapshot(
        final int leaderId,
        final long term,
        final long snapshotIndex,
        final long snapshotTerm,
        final long chunkOffset,
        final long snapshotLength,
        final long snapshotChecksum,
        final boolean isLast,
        final DirectBuffer data,
        final int dataOffset,
        final int dataLength,
        final long transferId,
        final long nowNs)
    {
        final int verdict = gate.admit(leaderId, term, FROM_LEADER, "InstallSnapshot", nowNs);
        if (STALE == verdict)
        {
            outbox.installSnapshotResponse(
                leaderId, log.currentTerm(), snapshotIndex, 0, SNAPSHOT_REJECTED, transferId);
        }
        else if (ADMITTED == verdict)
        {
            roles.followLeader(leaderId, nowNs, "InstallSnapshot");
            snapshotReceiver.onChunk(leaderId, snapshotIndex, snapshotTerm, chunkOffset, snapshotLength,
                snapshotChecksum, isLast, data, dataOffset, dataLength, transferId);
        }
        return gate.isTaken(verdict, leaderId);
    }

    boolean onInstallSnapshotResponse(
        final int followerId,
        final long term,
        final long snapshotIndex,
        final long nextOffset,
        final int status,
        final long transferId,
        final long nowNs)
    {
        final int verdict = gate.admit(followerId, term, RESPONSE, "InstallSnapshotResponse", nowNs);
        if (ADMITTED == verdict && LEADER == roles.role())
        {
            replicator.onInstallSnapshotResponse(
                members.peer(followerId), snapshotIndex, nextOffset, status, transferId, nowNs);
        }
        return REFUSED != verdict;
    }

    boolean onTimeoutNow(final int leaderId, final long term, final long nowNs)
    {
        final int verdict = gate.admit(leaderId, term, FROM_LEADER, "TimeoutNow", nowNs);
        if (ADMITTED == verdict && FOLLOWER == roles.role() && leaderId == roles.leaderId() &&
            members.isSelfVoter())
        {
            election.campaignForTransfer(nowNs, "TimeoutNow from leader " + leaderId);
        }
        return gate.isTaken(verdict, leaderId);
    }
}
