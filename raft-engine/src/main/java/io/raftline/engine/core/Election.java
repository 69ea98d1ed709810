package io.raftline.engine.core;

import static io.raftline.engine.core.RaftNode.NO_MEMBER;
import static io.raftline.engine.core.RaftRole.CANDIDATE;
import static io.raftline.engine.core.RaftRole.FOLLOWER;
import static io.raftline.engine.core.RaftRole.LEADER;
import static io.raftline.engine.core.RaftRole.PRE_CANDIDATE;

/**
 * Leader election (§5.2) with PreVote (thesis §9.6): timeouts, vote requests, granting votes and counting them.
 */
final class Election
{
    private final RaftConfig config;
    private final CoreLog log;
    private final Outbox outbox;
    private final Members members;
    private final Roles roles;
    // Counts the campaigns of this member's lifetime; a pre-vote round does not change the term, so the term alone
    // cannot tell an answer to this round from a late one to an earlier round.
    private long round;
    // Reads: whether the campaign in progress is a leadership transfer's (TimeoutNow), which voters with lease
    // reads on must not refuse for stickiness.
    private boolean isTransferCampaign;

    Election(
        final RaftConfig config,
        final CoreLog log,
        final Outbox outbox,
        final Members members,
        final Roles roles)
    {
        this.config = config;
        this.log = log;
        this.outbox = outbox;
        this.members = members;
        this.roles = roles;
    }

    void onElectionTimeout(final long nowNs)
    {
        isTransferCampaign = false;
        if (PRE_CANDIDATE == roles.role() || CANDIDATE == roles.role())
        {
            // A round that ended without a leader is lost too.
            members.onLostElection();
        }
        campaign(nowNs, config.isPreVoteEnabled(), "election timeout");
    }

    /**
     * Start an election at once because the leader handed over (TimeoutNow).
     */
    void campaignForTransfer(final long nowNs, final String reason)
    {
        isTransferCampaign = true;
        campaign(nowNs, false, reason);
    }

    /**
     * Start a pre-vote, or an election proper. A pre-vote changes no durable state: only if a majority would vote
     * for this member does it start a new term, so a member cut off from the majority cannot inflate terms and
     * depose a working leader when it returns.
     */
    void campaign(final long nowNs, final boolean preVote, final String reason)
    {
        if (!members.isSelfVoter())
        {
            // A learner, a member that joins and knows no configuration yet, or one that was removed (it says so
            // once): it waits to hear from a leader.
            roles.resetElectionDeadline(nowNs);
            if (!members.isRemoved())
            {
                probeTerm();
            }
            return;
        }
        roles.transitionTo(preVote ? PRE_CANDIDATE : CANDIDATE, nowNs, reason);
        round++;
        final Peer self = members.self();
        self.hasVoteResponse = true;
        self.isVoteGranted = true;
        for (final Peer peer : members.peers())
        {
            peer.isVoteRequestPending = peer != self && (peer.isVoter || peer.isOldVoter);
        }
        if (!countVotes(nowNs))
        {
            sendPendingVoteRequests();
        }
    }

    /**
     * A member that may not campaign and hears from no leader asks the voters it knows for a pre-vote it will never
     * count: their refusals carry the current term, which it joins. A learner that missed the entry adding the
     * current leader would otherwise never admit that leader's messages (it knows no leader of its own term only
     * once it is in the leader's term; see {@link Members#admits}).
     */
    private void probeTerm()
    {
        members.onLostElection();
        round++;
        final Peer self = members.self();
        for (final Peer peer : members.peers())
        {
            if (peer != self && (peer.isVoter || peer.isOldVoter))
            {
                outbox.requestVote(peer.memberId, log.currentTerm() + 1, log.lastIndex(), log.lastTerm(), true, round);
            }
        }
    }

    /**
     * The driver made the term and vote durable: a candidate that won on its own vote alone now leads. Counting again
     * changes nothing for any other candidate: a win or a loss by others' answers was acted on when they came.
     *
     * @param nowNs the current time.
     */
    void onPersisted(final long nowNs)
    {
        if (CANDIDATE == roles.role())
        {
            countVotes(nowNs);
        }
    }

    void resetVotes()
    {
        members.self().resetVote();
        for (final Peer peer : members.peers())
        {
            peer.resetVote();
        }
    }

    boolean hasPendingVoteRequests()
    {
        for (final Peer peer : members.peers())
        {
            if (peer.isVoteRequestPending)
            {
                return true;
            }
        }
        return false;
    }

    int sendPendingVoteRequests()
    {
        final boolean preVote = PRE_CANDIDATE == roles.role();
        final long term = preVote ? log.currentTerm() + 1 : log.currentTerm();
        final long lastLogIndex = log.lastIndex();
        final long lastLogTerm = log.lastTerm();
        int sent = 0;
        for (final Peer peer : members.peers())
        {
            if (peer.isVoteRequestPending &&
                outbox.requestVote(peer.memberId, term, lastLogIndex, lastLogTerm, preVote, round, isTransferCampaign))
            {
                peer.isVoteRequestPending = false;
                sent++;
            }
        }
        return sent;
    }

    /**
     * A vote request of the current term (the admission gate made sure): one vote per term (§5.2), only for a log
     * at least as up to date as ours (§5.4.1). A leader or candidate of this term has voted for itself, so it never
     * grants here.
     */
    void onVoteRequest(
        final int candidateId,
        final long lastLogIndex,
        final long lastLogTerm,
        final long candidateRound,
        final long nowNs)
    {
        final int votedFor = log.votedFor();
        final boolean granted = (NO_MEMBER == votedFor || candidateId == votedFor) &&
            log.isUpToDate(lastLogIndex, lastLogTerm);
        if (granted)
        {
            log.updateTermAndVote(log.currentTerm(), candidateId);
            if (FOLLOWER != roles.role())
            {
                roles.transitionTo(FOLLOWER, nowNs, "voted for " + candidateId);
            }
            else
            {
                roles.resetElectionDeadline(nowNs);
            }
        }
        outbox.voteResponse(candidateId, log.currentTerm(), log.currentTerm(), granted, false, candidateRound);
    }

    /**
     * A vote request of an older term: refuse it with ours, so that the candidate steps down.
     */
    void refuseVote(final int candidateId, final long term, final long candidateRound)
    {
        outbox.voteResponse(candidateId, log.currentTerm(), term, false, false, candidateRound);
    }

    /**
     * A pre-vote request carries the term the candidate would stand in, and moves neither this member's term, its
     * vote nor its role. Granted only for a term above ours, a log at least as up to date, and while this member
     * believes no leader alive (leader stickiness: it heard from none within the minimum election timeout).
     */
    void onPreVoteRequest(
        final int candidateId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final long candidateRound,
        final boolean isWithinLeaderLease)
    {
        final boolean granted = term > log.currentTerm() &&
            !isWithinLeaderLease &&
            log.isUpToDate(lastLogIndex, lastLogTerm);
        outbox.voteResponse(candidateId, log.currentTerm(), term, granted, true, candidateRound);
    }

    /**
     * An answer that passed the admission gate: counted only if it answers this round of this election.
     */
    void onVoteResponse(
        final int voterId,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long answeredRound,
        final long nowNs)
    {
        final boolean isCurrent = preVote ?
            PRE_CANDIDATE == roles.role() && candidateTerm == log.currentTerm() + 1 :
            CANDIDATE == roles.role() && candidateTerm == log.currentTerm();
        // A pre-vote round keeps the term, so only the round tells this round's answers from late ones; a peer
        // that tags no rounds (schema version 1) is matched on the term alone.
        if (!isCurrent || (RaftNode.NO_ROUND != answeredRound && answeredRound != round))
        {
            return;
        }
        final Peer peer = members.peer(voterId);
        if (null == peer)
        {
            return;
        }
        peer.hasVoteResponse = true;
        peer.isVoteGranted = granted;
        countVotes(nowNs);
    }

    /**
     * @return true if the election was decided (won or lost) by the votes so far.
     */
    private boolean countVotes(final long nowNs)
    {
        final int outcome = members.voteOutcome();
        if (Members.WON == outcome)
        {
            if (PRE_CANDIDATE == roles.role())
            {
                campaign(nowNs, false, "won pre-vote");
            }
            else if (log.isTermPersistPending())
            {
                // Only a sole voter wins before its vote requests went out, in the cycle it started the term. A
                // leader's messages leave before the sync (the immediate lane), so leading now could tell followers
                // of a term a crash before the sync forgets: restarted in the previous term, this member could win
                // the same term again and give another entry the same index and term (seed 7029348).
                // It leads in onPersisted, when the votes are counted again.
            }
            else
            {
                roles.transitionTo(LEADER, nowNs, "won election with " + members.grantCount() + " votes");
            }
            return true;
        }
        if (Members.LOST == outcome)
        {
            members.onLostElection();
            roles.transitionTo(FOLLOWER, nowNs, (PRE_CANDIDATE == roles.role() ? "lost pre-vote" : "lost election"));
            return true;
        }
        return false;
    }
}
