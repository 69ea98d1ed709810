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
    private final Peer[] peers;
    private final Peer self;
    private final Roles roles;
    // Counts the campaigns of this member's lifetime; a pre-vote round does not change the term, so the term alone
    // cannot tell an answer to this round from a late one to an earlier round.
    private long round;

    Election(
        final RaftConfig config,
        final CoreLog log,
        final Outbox outbox,
        final Peer[] peers,
        final int selfPosition,
        final Roles roles)
    {
        this.config = config;
        this.log = log;
        this.outbox = outbox;
        this.peers = peers;
        this.self = peers[selfPosition];
        this.roles = roles;
    }

    void onElectionTimeout(final long nowNs)
    {
        campaign(nowNs, config.isPreVoteEnabled(), "election timeout");
    }

    /**
     * Start a pre-vote, or an election proper. A pre-vote changes no durable state: only if a majority would vote
     * for this member does it start a new term, so a member cut off from the majority cannot inflate terms and
     * depose a working leader when it returns.
     */
    void campaign(final long nowNs, final boolean preVote, final String reason)
    {
        roles.transitionTo(preVote ? PRE_CANDIDATE : CANDIDATE, nowNs, reason);
        round++;
        self.hasVoteResponse = true;
        self.isVoteGranted = true;
        for (final Peer peer : peers)
        {
            peer.isVoteRequestPending = peer != self;
        }
        if (!countVotes(nowNs))
        {
            sendPendingVoteRequests();
        }
    }

    void resetVotes()
    {
        for (final Peer peer : peers)
        {
            peer.resetVote();
        }
    }

    boolean hasPendingVoteRequests()
    {
        for (final Peer peer : peers)
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
        for (final Peer peer : peers)
        {
            if (peer.isVoteRequestPending &&
                outbox.requestVote(peer.memberId, term, lastLogIndex, lastLogTerm, preVote, round))
            {
                peer.isVoteRequestPending = false;
                sent++;
            }
        }
        return sent;
    }

    void onRequestVote(
        final int candidateId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long candidateRound,
        final long nowNs)
    {
        if (preVote)
        {
            onPreVoteRequest(candidateId, term, lastLogIndex, lastLogTerm, candidateRound, nowNs);
            return;
        }
        if (!roles.acceptTerm(term, candidateId, false, nowNs))
        {
            outbox.voteResponse(candidateId, log.currentTerm(), term, false, false, candidateRound);
            return;
        }
        // One vote per term (§5.2), only for a log at least as up to date as ours (§5.4.1). A leader or candidate
        // of this term has voted for itself, so it never grants here.
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
        outbox.voteResponse(candidateId, log.currentTerm(), term, granted, false, candidateRound);
    }

    /**
     * The one exception to the term check: a pre-vote request carries the term the candidate would stand in, and
     * must not move this member's term, its vote or its role.
     */
    private void onPreVoteRequest(
        final int candidateId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final long candidateRound,
        final long nowNs)
    {
        final boolean granted = term > log.currentTerm() &&
            !roles.isWithinLeaderLease(nowNs) &&
            log.isUpToDate(lastLogIndex, lastLogTerm);
        outbox.voteResponse(candidateId, log.currentTerm(), term, granted, true, candidateRound);
    }

    void onRequestVoteResponse(
        final int voterId,
        final long term,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long answeredRound,
        final long nowNs)
    {
        if (term > log.currentTerm())
        {
            // A granted pre-vote never carries a term above ours (the voter's term is below the one we proposed),
            // so this is a refusal from a member that has moved on: follow it into its term.
            roles.stepDown(term, NO_MEMBER, nowNs, "vote response with higher term " + term + " from " + voterId);
            return;
        }
        final boolean isCurrent = preVote ?
            PRE_CANDIDATE == roles.role() && candidateTerm == log.currentTerm() + 1 :
            CANDIDATE == roles.role() && candidateTerm == log.currentTerm();
        // A pre-vote round keeps the term, so only the round tells this round's answers from late ones; a peer
        // that tags no rounds (schema version 1) is matched on the term alone.
        if (!isCurrent || (RaftNode.NO_ROUND != answeredRound && answeredRound != round))
        {
            return;
        }
        final Peer peer = peers[config.positionOf(voterId)];
        peer.hasVoteResponse = true;
        peer.isVoteGranted = granted;
        countVotes(nowNs);
    }

    /**
     * @return true if the election was decided (won or lost) by the votes so far.
     */
    private boolean countVotes(final long nowNs)
    {
        int grants = 0;
        int refusals = 0;
        for (final Peer peer : peers)
        {
            if (peer.hasVoteResponse)
            {
                if (peer.isVoteGranted)
                {
                    grants++;
                }
                else
                {
                    refusals++;
                }
            }
        }
        final int majority = Quorum.majority(peers.length);
        if (grants >= majority)
        {
            if (PRE_CANDIDATE == roles.role())
            {
                campaign(nowNs, false, "won pre-vote");
            }
            else
            {
                roles.transitionTo(LEADER, nowNs, "won election with " + grants + " votes");
            }
            return true;
        }
        if (refusals >= majority)
        {
            roles.transitionTo(FOLLOWER, nowNs, (PRE_CANDIDATE == roles.role() ? "lost pre-vote" : "lost election"));
            return true;
        }
        return false;
    }
}
