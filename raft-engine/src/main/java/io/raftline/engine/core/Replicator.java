package io.raftline.engine.core;

import io.raftline.log.SnapshotMetadata;
import io.raftline.log.SnapshotStore;

import static io.raftline.engine.core.RaftNode.NOW;
import static io.raftline.engine.core.RaftRole.FOLLOWER;
import static io.raftline.engine.core.RaftRole.LEADER;

/**
 * The leader's side of log replication (§5.3): per-follower progress, batched and pipelined AppendEntries,
 * back-off on rejection, heartbeats, the commit rule (§5.4.2), check-quorum and leadership transfer.
 */
final class Replicator
{
    private final RaftConfig config;
    private final CoreLog log;
    private final CommitState commit;
    private final SnapshotStore snapshots;
    private final Outbox outbox;
    private final Members members;
    private final Roles roles;
    private final Rejections rejections;
    private long quorumCheckDeadlineNs;
    private Peer transferTarget;
    private long transferDeadlineNs;
    private boolean isTimeoutNowSent;
    // Tags for snapshot transfers and their rewinds: unique for this member's life, so unique within its terms.
    private long lastTransferId;

    Replicator(
        final RaftConfig config,
        final CoreLog log,
        final CommitState commit,
        final SnapshotStore snapshots,
        final Outbox outbox,
        final Members members,
        final Roles roles,
        final Rejections rejections)
    {
        this.config = config;
        this.log = log;
        this.commit = commit;
        this.snapshots = snapshots;
        this.outbox = outbox;
        this.members = members;
        this.roles = roles;
        this.rejections = rejections;
    }

    void onBecomeLeader(final long nowNs)
    {
        final long lastIndex = log.lastIndex();
        members.onBecomeLeader();
        for (final Peer peer : members.peers())
        {
            peer.resetForLeadership(lastIndex, nowNs);
            // Send the first probe at once: it announces the new leader.
            peer.lastSendNs = nowNs - config.heartbeatIntervalNs();
        }
        quorumCheckDeadlineNs = nowNs + config.electionTimeoutMaxNs();
        transferTarget = null;
        if (config.appendsLeaderNoop())
        {
            // An entry of the new term: committing it commits every earlier entry (§5.4.2, §8).
            log.append(log.currentTerm(), RaftNode.EMPTY_PAYLOAD, 0, 0);
        }
        maybeCommit();
    }

    /**
     * Send at most one batch to each follower that has room for one, or a heartbeat to a follower that has heard
     * nothing for a heartbeat interval.
     */
    int replicate(final long nowNs)
    {
        int workCount = 0;
        final long heartbeatIntervalNs = config.heartbeatIntervalNs();
        final Peer self = members.self();
        for (final Peer peer : members.peers())
        {
            if (peer == self)
            {
                continue;
            }
            final boolean isHeartbeatDue = nowNs - peer.lastSendNs >= heartbeatIntervalNs;
            switch (peer.state)
            {
                case Peer.PROBE:
                    if (!peer.isProbeSent || isHeartbeatDue)
                    {
                        if (sendAppend(peer, nowNs, config.maxEntriesPerBatch()))
                        {
                            peer.isProbeSent = true;
                            workCount++;
                        }
                    }
                    break;

                case Peer.REPLICATE:
                    if (peer.nextIndex <= log.lastIndex() && !peer.isInflightFull())
                    {
                        workCount += sendAppend(peer, nowNs, config.maxEntriesPerBatch()) ? 1 : 0;
                    }
                    else if (isHeartbeatDue)
                    {
                        workCount += sendAppend(peer, nowNs, 0) ? 1 : 0;
                    }
                    break;

                case Peer.SNAPSHOT:
                    workCount += sendSnapshotChunk(peer, nowNs);
                    break;

                default:
                    throw new IllegalStateException("unknown replication state " + peer.state);
            }
        }
        return workCount;
    }

    private boolean sendAppend(final Peer peer, final long nowNs, final int maxEntries)
    {
        final long prevLogIndex = peer.nextIndex - 1;
        if (prevLogIndex < log.baseIndex())
        {
            // The entries this follower needs were compacted away: send the snapshot instead (§7).
            return startSnapshot(peer, nowNs);
        }
        final long entriesAvailable = log.lastIndex() - prevLogIndex;
        final int count = (int)Math.min(maxEntries, entriesAvailable);
        final int sent = outbox.appendEntries(
            peer.memberId,
            log.currentTerm(),
            prevLogIndex,
            log.termAt(prevLogIndex),
            commit.commitIndex(),
            prevLogIndex + 1,
            count);
        if (sent < 0)
        {
            return false;
        }
        peer.lastSendNs = nowNs;
        if (Peer.REPLICATE == peer.state && sent > 0)
        {
            // Pipelining: assume the batch arrives; a rejection rewinds nextIndex.
            peer.nextIndex = prevLogIndex + sent + 1;
            peer.addInflight(prevLogIndex + sent);
        }
        return true;
    }

    private boolean startSnapshot(final Peer peer, final long nowNs)
    {
        final SnapshotMetadata latest = snapshots.latest();
        if (null == latest || latest.index() < log.baseIndex())
        {
            throw new IllegalStateException("the log is compacted to " + log.baseIndex() +
                " but no snapshot covers it");
        }
        peer.becomeSnapshot(latest.index(), latest.term(), latest.length(), ++lastTransferId, nowNs);
        return true;
    }

    /**
     * Stream the snapshot in chunks, up to a window of unconfirmed bytes; if the follower confirms nothing for two
     * heartbeat intervals, resume from the last byte it confirmed (a lost chunk costs one window, not the whole
     * snapshot). The follower hears from the leader at least that often, so its election timer stays quiet. Each
     * resumption is a rewind with a tag of its own, as is each rejection acted on.
     */
    private int sendSnapshotChunk(final Peer peer, final long nowNs)
    {
        final int chunkLength = config.snapshotChunkLength();
        final long windowBytes = (long)chunkLength * config.maxInflightSnapshotChunks();
        if (peer.isSnapshotStarted && nowNs - peer.snapshotProgressNs >= 2 * config.heartbeatIntervalNs())
        {
            peer.rewindSnapshot(peer.snapshotAckedOffset, ++lastTransferId, nowNs);
            peer.isSnapshotStarted = false;
        }
        if (!peer.needsSnapshotChunk(windowBytes))
        {
            return 0;
        }
        final int sent = outbox.installSnapshot(peer.memberId, log.currentTerm(), peer.snapshotIndex,
            peer.snapshotTerm, peer.snapshotSentOffset, chunkLength, peer.snapshotTransferId);
        if (Outbox.SNAPSHOT_CHANGED == sent)
        {
            return startSnapshot(peer, nowNs) ? 1 : 0;
        }
        if (sent < 0)
        {
            return 0;
        }
        peer.snapshotSentOffset += sent;
        peer.isSnapshotStarted = true;
        peer.lastSendNs = nowNs;
        return 1;
    }

    void onInstallSnapshotResponse(
        final Peer peer,
        final long snapshotIndex,
        final long nextOffset,
        final int status,
        final long transferId,
        final long nowNs)
    {
        peer.isRecentlyActive = true;
        if (Peer.SNAPSHOT != peer.state || snapshotIndex != peer.snapshotIndex)
        {
            return;
        }
        switch (status)
        {
            case RaftNode.SNAPSHOT_INSTALLED:
                if (snapshotIndex > peer.matchIndex)
                {
                    peer.matchIndex = snapshotIndex;
                }
                outbox.endSnapshotTransfer(peer.memberId);
                peer.becomeProbe(snapshotIndex + 1);
                maybeCommit();
                break;

            case RaftNode.SNAPSHOT_ACCEPTED:
                // Confirmations only move forward; one from before the follower last started over is void.
                final boolean isSinceRestart = Outbox.UNTAGGED_TRANSFER == transferId ||
                    (transferId >= peer.snapshotFirstTransferId && transferId <= peer.snapshotTransferId);
                if (isSinceRestart && nextOffset > peer.snapshotAckedOffset && nextOffset <= peer.snapshotLength)
                {
                    peer.snapshotAckedOffset = nextOffset;
                    peer.snapshotProgressNs = nowNs;
                    if (peer.snapshotSentOffset < nextOffset)
                    {
                        peer.snapshotSentOffset = nextOffset;
                    }
                }
                break;

            case RaftNode.SNAPSHOT_REJECTED:
                onSnapshotRejected(peer, nextOffset, transferId, nowNs);
                break;

            default:
                rejections.reject(peer.memberId, "InstallSnapshotResponse with unknown status " + status);
        }
    }

    /**
     * Act on a rejection once per gap, as {@link #onAppendRejected} does: only an answer to a chunk sent under the
     * current tag counts (a member of schema version 1 tags nothing, so its answers always do), and acting on it
     * starts a new tag, so the answers to the rest of the window already in flight, which name the same gap, are
     * dropped.
     */
    private void onSnapshotRejected(final Peer peer, final long nextOffset, final long transferId, final long nowNs)
    {
        if (nextOffset < 0 || nextOffset > peer.snapshotLength ||
            (Outbox.UNTAGGED_TRANSFER != transferId && transferId != peer.snapshotTransferId))
        {
            return;
        }
        if (nextOffset < peer.snapshotRewindOffset)
        {
            // The follower had confirmed these bytes before the chunk it answers was sent, so it lost them (it
            // restarted, or dropped its partial copy for another snapshot): a genuine restart.
            peer.restartSnapshot(nextOffset, ++lastTransferId, nowNs);
        }
        else if (nextOffset >= peer.snapshotAckedOffset)
        {
            peer.rewindSnapshot(nextOffset, ++lastTransferId, nowNs);
        }
        // Otherwise the follower has confirmed more since it sent this: the rejection was overtaken.
    }

    /**
     * Leadership is lost: the snapshot transfers end, and their snapshots are released.
     */
    void onStepDown()
    {
        for (final Peer peer : members.peers())
        {
            if (Peer.SNAPSHOT == peer.state)
            {
                outbox.endSnapshotTransfer(peer.memberId);
                peer.becomeProbe(peer.nextIndex);
            }
        }
    }

    void onAppendEntriesResponse(
        final Peer peer,
        final long prevLogIndex,
        final boolean success,
        final long matchIndex,
        final long conflictIndex,
        final long conflictTerm,
        final long lastLogIndex)
    {
        peer.isRecentlyActive = true;
        if (success)
        {
            if (matchIndex > log.lastIndex() || matchIndex < 0)
            {
                rejections.reject(peer.memberId, "AppendEntriesResponse matchIndex=" + matchIndex +
                    " beyond leader lastIndex=" + log.lastIndex());
                return;
            }
            onAppendAccepted(peer, matchIndex);
        }
        else
        {
            onAppendRejected(peer, prevLogIndex, conflictIndex, conflictTerm);
        }
    }

    private void onAppendAccepted(final Peer peer, final long matchIndex)
    {
        // Answers can arrive late and out of order: matchIndex and nextIndex only ever move forward here.
        final boolean hasAdvanced = matchIndex > peer.matchIndex;
        if (hasAdvanced)
        {
            peer.matchIndex = matchIndex;
        }
        if (peer.nextIndex <= matchIndex)
        {
            peer.nextIndex = matchIndex + 1;
        }
        peer.freeInflightTo(matchIndex);
        if (Peer.PROBE == peer.state)
        {
            peer.becomeReplicate();
        }
        if (hasAdvanced)
        {
            if (peer.isDeparting)
            {
                members.onAcknowledged(peer);
            }
            maybeCommit();
        }
    }

    private void onAppendRejected(
        final Peer peer, final long prevLogIndex, final long conflictIndex, final long conflictTerm)
    {
        if (Peer.REPLICATE == peer.state && prevLogIndex <= peer.matchIndex)
        {
            return;
        }
        if (Peer.PROBE == peer.state && prevLogIndex != peer.nextIndex - 1)
        {
            return;
        }
        if (Peer.SNAPSHOT == peer.state)
        {
            return;
        }
        peer.becomeProbe(backOffIndex(prevLogIndex, conflictIndex, conflictTerm));
    }

    /**
     * Fast back-off: skip the follower's whole conflicting term at once. If the leader has entries of that term,
     * the next probe starts after the leader's last one; otherwise at the first index the follower has of it.
     */
    private long backOffIndex(final long prevLogIndex, final long conflictIndex, final long conflictTerm)
    {
        long nextIndex = conflictIndex;
        if (conflictTerm > 0)
        {
            final long lastOfTerm = lastIndexOfTerm(conflictTerm, Math.min(prevLogIndex, log.lastIndex()));
            if (lastOfTerm > 0)
            {
                nextIndex = lastOfTerm + 1;
            }
        }
        // Never beyond the index just refused, never before the start of the log.
        return Math.max(1, Math.min(nextIndex, prevLogIndex));
    }

    /**
     * @return the last index at or below {@code upTo} holding {@code term}, or 0 if the log holds none. Terms never
     * decrease along the log, so a binary search finds it.
     */
    private long lastIndexOfTerm(final long term, final long upTo)
    {
        long low = log.baseIndex();
        long high = upTo;
        if (high < low || log.termAt(low) > term)
        {
            return 0;
        }
        while (low < high)
        {
            final long mid = low + ((high - low + 1) >> 1);
            if (log.termAt(mid) <= term)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        return log.termAt(low) == term ? low : 0;
    }

    /**
     * The commit rule (§5.4.2, Figure 8): the highest index a majority holds is committed only if its entry is of
     * the current term; earlier entries commit with it. The leader counts itself only as far as its log is durable.
     */
    void maybeCommit()
    {
        // A majority of the voters, and while joint of each voter set; learners and departing members never count,
        // nor does a leader that is not a voter of the configuration (it removed itself).
        final long majorityIndex = members.quorumIndex(log.persistedIndex());
        if (majorityIndex > commit.commitIndex() && log.termAt(majorityIndex) == log.currentTerm())
        {
            commit.advanceCommitIndex(majorityIndex);
        }
    }

    /**
     * Check-quorum: a leader that has not heard from a majority within an election timeout steps down, so that a
     * leader cut off from the cluster stops accepting proposals it can never commit.
     */
    void onPause(final long pausedNs)
    {
        quorumCheckDeadlineNs += pausedNs;
    }

    int checkQuorum(final long nowNs)
    {
        if (!config.isCheckQuorumEnabled() || !members.hasOtherVoters() || nowNs < quorumCheckDeadlineNs)
        {
            return 0;
        }
        final boolean isQuorumActive = members.isQuorumActive();
        int active = 0;
        int voters = 0;
        for (final Peer peer : members.peers())
        {
            if (peer.isVoter || peer.isOldVoter)
            {
                voters++;
                active += peer == members.self() || peer.isRecentlyActive ? 1 : 0;
            }
            peer.isRecentlyActive = false;
        }
        quorumCheckDeadlineNs = nowNs + config.electionTimeoutMaxNs();
        if (!isQuorumActive)
        {
            roles.transitionTo(FOLLOWER, nowNs, "check-quorum: heard from " + active + " of " + voters);
        }
        return 1;
    }

    long nextDeadlineNs()
    {
        final long heartbeatIntervalNs = config.heartbeatIntervalNs();
        long deadlineNs = config.isCheckQuorumEnabled() && members.hasOtherVoters() ?
            quorumCheckDeadlineNs : Long.MAX_VALUE;
        final long lastIndex = log.lastIndex();
        final Peer self = members.self();
        for (final Peer peer : members.peers())
        {
            if (peer == self)
            {
                continue;
            }
            if ((Peer.PROBE == peer.state && !peer.isProbeSent) ||
                (Peer.REPLICATE == peer.state && peer.nextIndex <= lastIndex && !peer.isInflightFull()) ||
                (Peer.SNAPSHOT == peer.state && peer.needsSnapshotChunk(
                (long)config.snapshotChunkLength() * config.maxInflightSnapshotChunks())))
            {
                return NOW;
            }
            if (Peer.SNAPSHOT == peer.state)
            {
                deadlineNs = Math.min(deadlineNs, peer.snapshotProgressNs + 2 * heartbeatIntervalNs);
                continue;
            }
            deadlineNs = Math.min(deadlineNs, peer.lastSendNs + heartbeatIntervalNs);
        }
        if (null != transferTarget)
        {
            if (!isTimeoutNowSent && transferTarget.matchIndex == lastIndex)
            {
                return NOW;
            }
            deadlineNs = Math.min(deadlineNs, transferDeadlineNs);
        }
        return deadlineNs;
    }

    void startTransfer(final Peer target, final long nowNs)
    {
        transferTarget = target;
        transferDeadlineNs = nowNs + config.electionTimeoutMaxNs();
        isTimeoutNowSent = false;
    }

    boolean isTransferring()
    {
        return null != transferTarget;
    }

    void cancelTransfer()
    {
        transferTarget = null;
    }

    int transferWork(final long nowNs)
    {
        if (null == transferTarget)
        {
            return 0;
        }
        if (nowNs >= transferDeadlineNs)
        {
            transferTarget = null;
            return 1;
        }
        if (!isTimeoutNowSent && transferTarget.matchIndex == log.lastIndex() && LEADER == roles.role())
        {
            isTimeoutNowSent = outbox.timeoutNow(transferTarget.memberId, log.currentTerm());
            return isTimeoutNowSent ? 1 : 0;
        }
        return 0;
    }
}
