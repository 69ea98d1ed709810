package io.raftline.engine.core;

import io.raftline.engine.core.RecordingOutbox.AppendEntries;
import io.raftline.engine.core.RecordingOutbox.AppendResponse;
import io.raftline.engine.core.RecordingOutbox.VoteRequest;
import io.raftline.engine.core.RecordingOutbox.VoteResponse;
import io.raftline.log.InMemorySnapshotStore;
import io.raftline.log.MetadataStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.raftline.engine.core.CoreHarness.ELECTION_MAX_NS;
import static io.raftline.engine.core.CoreHarness.ELECTION_MIN_NS;
import static io.raftline.engine.core.CoreHarness.HEARTBEAT_NS;
import static io.raftline.engine.core.CoreHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests named after the rule of the Raft paper (and thesis) they check, in the manner of etcd's
 * {@code raft_paper_test.go}. Each drives one core by hand with a recording outbox.
 */
class RaftPaperTest
{
    // ------------------------------------------------------------------------------------------ §5.1 terms

    /**
     * §5.1: "If a server receives a request with a stale term number, it rejects the request", answering with
     * its own term so that the sender steps down.
     */
    @Test
    void staleTermAppendEntriesIsRejectedWithCurrentTerm()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        appendEntriesFrom(3).term(5).deliverTo(h);
        h.outbox.drain();
        appendEntriesFrom(2).term(4).entries(ArrayEntryBatch.ofTerms(4)).deliverTo(h);
        final List<AppendResponse> responses = h.outbox.drain(AppendResponse.class);
        assertEquals(1, responses.size());
        assertFalse(responses.get(0).success());
        assertEquals(5, responses.get(0).term());
        assertEquals(0, h.log.lastIndex());
        assertEquals(3, h.node.leaderId());
    }

    /**
     * §5.1: "If one server's current term is smaller than the other's, then it updates its current term to the
     * larger value. If a candidate or leader discovers that its term is out of date, it immediately reverts to
     * follower state."
     */
    @Test
    void leaderStepsDownOnHigherTermResponse()
    {
        final CoreHarness leader = new CoreHarness(1, 1, 2, 3);
        leader.electLeader(2, 3);
        assertEquals(RaftRole.LEADER, leader.node.role());
        final long term = leader.node.currentTerm();

        appendResponseFrom(2).term(term + 3).prevLogIndex(0).rejected().conflictIndex(1).lastLogIndex(0)
            .deliverTo(leader);

        assertEquals(RaftRole.FOLLOWER, leader.node.role());
        assertEquals(term + 3, leader.node.currentTerm());
        assertEquals(term + 3, leader.metadata.currentTerm());
        assertEquals(MetadataStore.NO_VOTE, leader.metadata.votedFor());
    }

    // ------------------------------------------------------------------------------------------ §5.2 election

    /**
     * §5.2 with PreVote (thesis §9.6): on election timeout a follower first asks whether it could win, without
     * changing its term or vote.
     */
    @Test
    void electionTimeoutStartsPreVoteWithoutChangingTerm()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.timeOut();
        assertEquals(RaftRole.PRE_CANDIDATE, h.node.role());
        assertEquals(0, h.node.currentTerm());
        assertEquals(MetadataStore.NO_VOTE, h.metadata.votedFor());
        final List<VoteRequest> requests = h.outbox.drain(VoteRequest.class);
        assertEquals(2, requests.size());
        for (final VoteRequest request : requests)
        {
            assertTrue(request.preVote());
            assertEquals(1, request.term());
        }
    }

    /**
     * §5.2: "To begin an election, a follower increments its current term ... votes for itself", and (Figure 2)
     * persists both before it asks anyone for a vote.
     */
    @Test
    void candidatePersistsTermAndOwnVoteBeforeRequestingVotes()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.timeOut();
        h.outbox.drain();
        voteResponseFrom(2).term(0).candidateTerm(1).granted().preVote().deliverTo(h);
        assertEquals(RaftRole.CANDIDATE, h.node.role());
        assertEquals(1, h.node.currentTerm());
        final List<VoteRequest> requests = h.outbox.drain(VoteRequest.class);
        assertEquals(2, requests.size());
        for (final VoteRequest request : requests)
        {
            assertFalse(request.preVote());
            assertEquals(1, request.term());
            assertEquals(1, request.storedTermAtSend(), "term stored before the request was emitted");
            assertEquals(1, request.storedVoteAtSend(), "own vote stored before the request was emitted");
        }
    }

    /**
     * §5.2: "Each server will vote for at most one candidate in a given term, on a first-come-first-served basis."
     * The grant is stored before the answer is emitted (Figure 2, "persistent state ... updated before responding").
     */
    @Test
    void votesForAtMostOneCandidatePerTerm()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        voteRequestFrom(2).term(1).deliverTo(h);
        voteRequestFrom(3).term(1).deliverTo(h);
        voteRequestFrom(2).term(1).deliverTo(h);
        final List<VoteResponse> responses = h.outbox.drain(VoteResponse.class);
        assertEquals(3, responses.size());
        assertTrue(responses.get(0).granted());
        assertEquals(2, responses.get(0).storedVoteAtSend());
        assertEquals(1, responses.get(0).storedTermAtSend());
        assertFalse(responses.get(1).granted());
        assertTrue(responses.get(2).granted(), "a repeated request from the same candidate is granted again");
    }

    /**
     * §5.2: election timeouts are chosen randomly from a fixed interval.
     */
    @Test
    void electionTimeoutIsRandomizedWithinBounds()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        long earliest = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        for (int i = 0; i < 200; i++)
        {
            h.node.resetElectionDeadline(h.nowNs);
            final long timeoutNs = h.node.nextDeadlineNs() - h.nowNs;
            assertTrue(timeoutNs >= ELECTION_MIN_NS && timeoutNs < ELECTION_MAX_NS, "timeout " + timeoutNs);
            earliest = Math.min(earliest, timeoutNs);
            latest = Math.max(latest, timeoutNs);
        }
        assertTrue(latest - earliest > (ELECTION_MAX_NS - ELECTION_MIN_NS) / 2, "timeouts spread over the range");
    }

    /**
     * §5.2: a candidate that receives an AppendEntries from a leader of its own term recognises it and returns to
     * follower state.
     */
    @Test
    void candidateFollowsLeaderOfSameTerm()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.timeOut();
        voteResponseFrom(2).term(0).candidateTerm(1).granted().preVote().deliverTo(h);
        assertEquals(RaftRole.CANDIDATE, h.node.role());
        appendEntriesFrom(3).term(1).deliverTo(h);
        assertEquals(RaftRole.FOLLOWER, h.node.role());
        assertEquals(3, h.node.leaderId());
    }

    /**
     * §5.2: a candidate that a majority refuses does not become leader.
     */
    @Test
    void candidateRefusedByMajorityReturnsToFollower()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.timeOut();
        voteResponseFrom(2).term(0).candidateTerm(1).granted().preVote().deliverTo(h);
        voteResponseFrom(2).term(1).candidateTerm(1).refused().deliverTo(h);
        voteResponseFrom(3).term(1).candidateTerm(1).refused().deliverTo(h);
        assertEquals(RaftRole.FOLLOWER, h.node.role());
    }

    // ------------------------------------------------------------------------------------------ §5.4.1 restriction

    /**
     * §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the candidate": a later
     * last term wins; with equal last terms the longer log wins.
     */
    @Test
    void voteDeniedToCandidateWithLessUpToDateLog()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.appendLocal(1, 2, 2);
        voteRequestFrom(2).term(3).lastLogIndex(5).lastLogTerm(1).deliverTo(h);
        voteRequestFrom(3).term(3).lastLogIndex(2).lastLogTerm(2).deliverTo(h);
        final List<VoteResponse> denied = h.outbox.drain(VoteResponse.class);
        assertFalse(denied.get(0).granted(), "older last term, longer log");
        assertFalse(denied.get(1).granted(), "same last term, shorter log");

        voteRequestFrom(3).term(4).lastLogIndex(3).lastLogTerm(2).deliverTo(h);
        assertTrue(h.outbox.drain(VoteResponse.class).get(0).granted(), "same last term, same length");
    }

    // ------------------------------------------------------------------------------------------ §9.6 PreVote

    /**
     * Thesis §9.6: answering a pre-vote changes nothing: not the term, not the vote, not the role.
     */
    @Test
    void preVoteRequestChangesNoState()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        voteRequestFrom(2).term(7).preVote().deliverTo(h);
        final VoteResponse response = h.outbox.drain(VoteResponse.class).get(0);
        assertTrue(response.granted());
        assertTrue(response.preVote());
        assertEquals(0, h.node.currentTerm());
        assertEquals(0, h.metadata.currentTerm());
        assertEquals(MetadataStore.NO_VOTE, h.node.votedFor());
    }

    /**
     * Thesis §9.6 with leader stickiness: a member that heard from a live leader within the minimum election
     * timeout refuses pre-votes, so a member returning from a partition cannot depose a working leader.
     */
    @Test
    void preVoteRefusedWhileLeaderIsHeardFrom()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        appendEntriesFrom(2).term(1).deliverTo(h);
        h.outbox.drain();
        h.advanceMs(ELECTION_MIN_NS / MS / 2);
        voteRequestFrom(3).term(2).lastLogIndex(10).lastLogTerm(1).preVote().deliverTo(h);
        assertFalse(h.outbox.drain(VoteResponse.class).get(0).granted());

        h.advanceMs(ELECTION_MIN_NS / MS);
        voteRequestFrom(3).term(2).lastLogIndex(10).lastLogTerm(1).preVote().deliverTo(h);
        assertTrue(h.outbox.drain(VoteResponse.class).get(0).granted(), "lease expired");
        assertEquals(1, h.node.currentTerm());
    }

    // ------------------------------------------------------------------------------------------ §5.3 replication

    /**
     * §5.3: "If the follower does not find an entry in its log with the same index and term, then it refuses the
     * new entries"; the hint tells the leader where the follower's log ends.
     */
    @Test
    void appendEntriesRejectedWhenPreviousEntryIsMissing()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.appendLocal(1, 1);
        appendEntriesFrom(2).term(2).prevLogIndex(5).prevLogTerm(2).entries(ArrayEntryBatch.ofTerms(2)).deliverTo(h);
        final AppendResponse response = h.outbox.drain(AppendResponse.class).get(0);
        assertFalse(response.success());
        assertEquals(3, response.conflictIndex());
        assertEquals(0, response.conflictTerm());
        assertEquals(2, h.log.lastIndex());
    }

    /**
     * §5.3 with the fast back-off of the paper's footnote: on a term mismatch the follower names its conflicting
     * term and the first index it holds of that term.
     */
    @Test
    void appendEntriesRejectedOnTermMismatchNamesConflictingTerm()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.appendLocal(1, 2, 2, 2);
        appendEntriesFrom(2).term(3).prevLogIndex(4).prevLogTerm(3).entries(ArrayEntryBatch.ofTerms(3)).deliverTo(h);
        final AppendResponse response = h.outbox.drain(AppendResponse.class).get(0);
        assertFalse(response.success());
        assertEquals(2, response.conflictTerm());
        assertEquals(2, response.conflictIndex());
    }

    /**
     * §5.3: "If an existing entry conflicts with a new one (same index but different terms), delete the existing
     * entry and all that follow it" (Figure 2, receiver step 3).
     */
    @Test
    void conflictingSuffixIsReplaced()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.appendLocal(1, 1, 2, 2);
        appendEntriesFrom(2).term(3).prevLogIndex(2).prevLogTerm(1).entries(ArrayEntryBatch.ofTerms(3)).deliverTo(h);
        assertEquals(3, h.log.lastIndex());
        assertEquals(3, h.log.termAt(3));
        assertTrue(h.outbox.drain(AppendResponse.class).get(0).success());
    }

    /**
     * §5.3 (and the students' guide): a follower must not truncate entries that match, because the request may be
     * an old one that arrives after a newer one appended more.
     */
    @Test
    void staleRequestDoesNotTruncateMatchingEntries()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        appendEntriesFrom(2).term(1).entries(ArrayEntryBatch.ofTerms(1, 1, 1)).deliverTo(h);
        appendEntriesFrom(2).term(1).entries(ArrayEntryBatch.ofTerms(1)).deliverTo(h);
        assertEquals(3, h.log.lastIndex());
        final List<AppendResponse> responses = h.outbox.drain(AppendResponse.class);
        assertEquals(3, responses.get(0).matchIndex());
        assertEquals(1, responses.get(1).matchIndex(), "only what this request verified");
    }

    /**
     * Figure 2, receiver step 5: commitIndex = min(leaderCommit, index of last new entry). A follower whose longer
     * log holds unverified entries must not mark them committed (a classic lab bug).
     */
    @Test
    void followerCommitsOnlyVerifiedEntries()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.appendLocal(1, 1, 1, 1, 1);
        appendEntriesFrom(2).term(2).prevLogIndex(2).prevLogTerm(1).leaderCommit(5).deliverTo(h);
        assertEquals(2, h.node.commitIndex());
        h.cycle();
        assertEquals(List.of(1L, 2L), h.applied);
    }

    /**
     * The append acknowledgement promises durable entries, so it is emitted after the entries were written to the
     * log (the driver syncs before it releases the message).
     */
    @Test
    void appendAcknowledgedOnlyAfterEntriesAreInTheLog()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        appendEntriesFrom(2).term(1).entries(ArrayEntryBatch.ofTerms(1, 1)).deliverTo(h);
        final AppendResponse response = h.outbox.drain(AppendResponse.class).get(0);
        assertTrue(response.success());
        assertEquals(2, response.matchIndex());
        assertEquals(2, response.logLastIndexAtSend());
        assertEquals(2, h.log.unsyncedOperations(), "the driver still has to sync before releasing it");
    }

    /**
     * A conflict at or below the commit index means two leaders disagree on a committed entry: the member stops
     * rather than overwrite it.
     */
    @Test
    void conflictBelowCommitIndexIsFatal()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        appendEntriesFrom(2).term(1).leaderCommit(2).entries(ArrayEntryBatch.ofTerms(1, 1)).deliverTo(h);
        assertEquals(2, h.node.commitIndex());
        assertThrows(RaftSafetyException.class,
            () -> appendEntriesFrom(3).term(2).leaderCommit(2).entries(ArrayEntryBatch.ofTerms(2, 2)).deliverTo(h));
    }

    // ------------------------------------------------------------------------------------------ leader side

    /**
     * §5.3 fast back-off: a rejection naming a term the leader does not hold sends the leader to the follower's
     * first index of that term; one the leader holds, to just after the leader's last entry of it.
     */
    @Test
    void rejectionRewindsNextIndexUsingConflictHints()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.appendLocal(1, 1, 1, 4, 4, 4);
        h.electLeader(2, 3);
        final long term = h.node.currentTerm();
        h.outbox.drain();

        // Follower 2 holds terms 1,1,1,2,2,2,2,2: the leader has no term 2, so it goes to the first index of it.
        appendResponseFrom(2).term(term).prevLogIndex(6).rejected().conflictIndex(4).conflictTerm(2).lastLogIndex(8)
            .deliverTo(h);
        h.cycle();
        AppendEntries probe = h.outbox.drain(AppendEntries.class).get(0);
        assertEquals(3, probe.prevLogIndex());

        // Follower 3 holds terms 1,1,1,4,4: rejecting at 6, naming nothing (its log is short).
        appendResponseFrom(3).term(term).prevLogIndex(6).rejected().conflictIndex(6).lastLogIndex(5).deliverTo(h);
        h.cycle();
        probe = h.outbox.drain(AppendEntries.class).get(0);
        assertEquals(5, probe.prevLogIndex());
    }

    /**
     * Answers arrive late and out of order: an old acknowledgement must not move matchIndex back, and an old
     * rejection must not rewind a follower that has since acknowledged more.
     */
    @Test
    void staleResponsesDoNotMoveProgressBackwards()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.electLeader(2, 3);
        final long term = h.node.currentTerm();
        for (int i = 0; i < 5; i++)
        {
            h.propose((byte)i);
        }
        h.cycle();
        appendResponseFrom(2).term(term).prevLogIndex(0).accepted(5).lastLogIndex(5).deliverTo(h);
        assertEquals(5, h.node.commitIndex());
        appendResponseFrom(2).term(term).prevLogIndex(0).accepted(2).lastLogIndex(5).deliverTo(h);
        appendResponseFrom(2).term(term).prevLogIndex(1).rejected().conflictIndex(1).lastLogIndex(0).deliverTo(h);
        h.propose((byte)9);
        h.outbox.drain();
        h.cycle();
        final AppendEntries next = h.outbox.drain(AppendEntries.class).stream()
            .filter((m) -> 2 == m.to()).findFirst().orElseThrow();
        assertEquals(5, next.prevLogIndex(), "follower 2 still known to match up to 5");
    }

    /**
     * Pipelining: in the replicate state the leader sends the next batch without waiting for the previous answer,
     * up to the in-flight limit; an answer frees room for more.
     */
    @Test
    void leaderPipelinesBatchesUpToInflightLimit()
    {
        final CoreHarness h = new CoreHarness(CoreHarness.config(1, 1, 2)
            .maxEntriesPerBatch(1).maxInflightBatches(2).build());
        h.electLeader(2);
        final long term = h.node.currentTerm();
        appendResponseFrom(2).term(term).prevLogIndex(0).accepted(0).lastLogIndex(0).deliverTo(h);
        h.outbox.drain();
        for (int i = 0; i < 5; i++)
        {
            h.propose((byte)i);
        }
        while (h.cycle() > 0)
        {
            h.outbox.drain();
        }
        assertEquals(2, h.node.peerOf(2).inflightCount());
        appendResponseFrom(2).term(term).prevLogIndex(0).accepted(1).lastLogIndex(1).deliverTo(h);
        h.cycle();
        final List<AppendEntries> sent = h.outbox.drain(AppendEntries.class);
        assertEquals(1, sent.size());
        assertEquals(2, sent.get(0).prevLogIndex());
    }

    /**
     * Back-pressure is a return value: a batch the transport could not send is sent again on a later cycle.
     */
    @Test
    void batchRefusedByTransportIsRetried()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2);
        h.electLeader(2);
        appendResponseFrom(2).term(h.node.currentTerm()).prevLogIndex(0).accepted(0).lastLogIndex(0).deliverTo(h);
        h.outbox.drain();
        h.propose((byte)1);
        h.outbox.backPressured(true);
        h.cycle();
        assertTrue(h.outbox.drain().isEmpty());
        h.outbox.backPressured(false);
        h.cycle();
        final AppendEntries retried = h.outbox.drain(AppendEntries.class).get(0);
        assertEquals(1, retried.firstIndex());
        assertEquals(1, retried.count());
    }

    /**
     * Heartbeats: an idle leader sends each follower an empty AppendEntries every heartbeat interval, and no more.
     */
    @Test
    void idleLeaderSendsOneHeartbeatPerInterval()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.electLeader(2, 3);
        h.outbox.drain();
        h.advanceMs(HEARTBEAT_NS / MS - 1);
        h.cycle();
        assertTrue(h.outbox.drain().isEmpty());
        h.advanceMs(1);
        h.cycle();
        final List<AppendEntries> heartbeats = h.outbox.drain(AppendEntries.class);
        assertEquals(2, heartbeats.size());
        assertEquals(0, heartbeats.get(0).count());
    }

    // ------------------------------------------------------------------------------------------ §5.4.2 commit

    /**
     * §5.4.2 and Figure 8: "Raft never commits log entries from previous terms by counting replicas." A new leader
     * whose old-term entry sits on a majority does not commit it; it commits once an entry of its own term does.
     */
    @Test
    void oldTermEntryIsNotCommittedByCountingReplicas()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3, 4, 5);
        h.appendLocal(1, 2);
        appendEntriesFrom(4).term(2).prevLogIndex(2).prevLogTerm(2).deliverTo(h);
        h.outbox.drain();
        h.electLeader(2, 3);
        final long term = h.node.currentTerm();
        assertTrue(term > 2);

        appendResponseFrom(2).term(term).prevLogIndex(2).accepted(2).lastLogIndex(2).deliverTo(h);
        appendResponseFrom(3).term(term).prevLogIndex(2).accepted(2).lastLogIndex(2).deliverTo(h);
        assertEquals(0, h.node.commitIndex(), "index 2 (term 2) is on 3 of 5 but not of the current term");

        h.propose((byte)7);
        h.cycle();
        appendResponseFrom(2).term(term).prevLogIndex(2).accepted(3).lastLogIndex(3).deliverTo(h);
        assertEquals(0, h.node.commitIndex());
        appendResponseFrom(3).term(term).prevLogIndex(2).accepted(3).lastLogIndex(3).deliverTo(h);
        assertEquals(3, h.node.commitIndex(), "the current-term entry commits, and the earlier ones with it");
    }

    /**
     * A leader counts itself towards a commit only once its own copy is durable (thesis §10.2.1).
     */
    @Test
    void leaderCountsItselfOnlyAfterPersisting()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.electLeader(2, 3);
        final long term = h.node.currentTerm();
        final long index = h.propose((byte)1);
        h.node.doWork(h.nowNs);
        appendResponseFrom(2).term(term).prevLogIndex(0).accepted(index).lastLogIndex(index).deliverTo(h);
        assertEquals(0, h.node.commitIndex(), "follower 2 alone is not a majority while the leader has not synced");
        h.log.sync();
        h.node.onPersisted();
        assertEquals(index, h.node.commitIndex());
    }

    /**
     * A single-member cluster elects itself and commits what it has synced.
     */
    @Test
    void singleMemberCommitsAlone()
    {
        final CoreHarness h = new CoreHarness(7, 7);
        h.timeOut();
        assertEquals(RaftRole.LEADER, h.node.role());
        final long index = h.propose((byte)1);
        h.cycle();
        h.cycle();
        assertEquals(index, h.node.commitIndex());
        assertEquals(List.of(index), h.applied);
    }

    // ------------------------------------------------------------------------------------------ other rules

    /**
     * A proposal to a follower is refused and the follower names the leader it knows (redirect).
     */
    @Test
    void followerRefusesProposalAndKnowsLeader()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        appendEntriesFrom(3).term(1).deliverTo(h);
        assertEquals(RaftNode.NOT_LEADER, h.propose((byte)1));
        assertEquals(3, h.node.leaderId());
    }

    /**
     * Check-quorum: a leader that hears from no majority for an election timeout steps down.
     */
    @Test
    void leaderWithoutQuorumContactStepsDown()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.electLeader(2, 3);
        h.advanceMs(ELECTION_MAX_NS / MS);
        h.cycle();
        assertEquals(RaftRole.LEADER, h.node.role(), "the first window counts the election's votes");
        h.advanceMs(ELECTION_MAX_NS / MS);
        h.cycle();
        assertEquals(RaftRole.FOLLOWER, h.node.role());
    }

    /**
     * A pause of the node's own thread is not the leader's silence: a follower whose thread stalled past its
     * election deadline, told of the pause, keeps following; without the report it would start a pre-vote.
     */
    @Test
    void followerDoesNotBlameTheLeaderForItsOwnPause()
    {
        final CoreHarness paused = new CoreHarness(2, 1, 2, 3);
        final CoreHarness unaware = new CoreHarness(2, 1, 2, 3);
        for (final CoreHarness h : new CoreHarness[]{paused, unaware})
        {
            appendEntriesFrom(1).term(1).deliverTo(h);
            h.cycle();
            h.advanceMs(3 * ELECTION_MAX_NS / MS);
        }
        paused.node.onPause(3 * ELECTION_MAX_NS);
        paused.cycle();
        unaware.cycle();
        assertEquals(RaftRole.FOLLOWER, paused.node.role());
        assertEquals(RaftRole.PRE_CANDIDATE, unaware.node.role());

        // Time it did run still counts: silence after the pause times out as usual.
        paused.timeOut();
        assertEquals(RaftRole.PRE_CANDIDATE, paused.node.role());
    }

    /**
     * A leader whose own thread stalled past the quorum-check window, told of the pause, keeps leading; the window
     * after the pause still demands a majority.
     */
    @Test
    void leaderDoesNotStepDownForItsOwnPause()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.electLeader(2, 3);
        h.advanceMs(ELECTION_MAX_NS / MS);
        h.cycle();
        h.advanceMs(3 * ELECTION_MAX_NS / MS);
        h.node.onPause(3 * ELECTION_MAX_NS);
        h.cycle();
        assertEquals(RaftRole.LEADER, h.node.role());
        h.advanceMs(ELECTION_MAX_NS / MS);
        h.cycle();
        assertEquals(RaftRole.FOLLOWER, h.node.role(), "no majority heard in the window after the pause");
    }

    /**
     * Leadership transfer: the leader stops taking proposals, and once the target is caught up sends TimeoutNow;
     * the target campaigns at once, skipping the pre-vote.
     */
    @Test
    void leadershipTransferHandsOverToCaughtUpFollower()
    {
        final CoreHarness leader = new CoreHarness(1, 1, 2, 3);
        leader.electLeader(2, 3);
        final long term = leader.node.currentTerm();
        assertTrue(leader.node.transferLeadership(2, leader.nowNs));
        assertEquals(RaftNode.TRANSFER_IN_PROGRESS, leader.propose((byte)1));
        leader.outbox.drain();
        appendResponseFrom(2).term(term).prevLogIndex(0).accepted(0).lastLogIndex(0).deliverTo(leader);
        leader.cycle();
        assertEquals(1, leader.outbox.drain(RecordingOutbox.TimeoutNow.class).size());

        final CoreHarness target = new CoreHarness(2, 1, 2, 3);
        appendEntriesFrom(1).term(term).deliverTo(target);
        target.node.onTimeoutNow(1, term, target.nowNs);
        assertEquals(RaftRole.CANDIDATE, target.node.role());
        assertEquals(term + 1, target.node.currentTerm());
    }

    /**
     * Messages from members that are not configured are counted and ignored.
     */
    @Test
    void messagesFromUnknownMembersAreRejected()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        appendEntriesFrom(9).term(5).entries(ArrayEntryBatch.ofTerms(5)).deliverTo(h);
        voteRequestFrom(1).term(5).deliverTo(h);
        assertEquals(2, h.node.rejectedMessageCount());
        assertEquals(0, h.node.currentTerm());
        assertTrue(h.outbox.drain().isEmpty());
    }

    /**
     * Terms along a log never decrease and no entry has term 0 (no leader ever had it). Where the request's previous
     * entry is below the follower's snapshot, its term cannot be checked; the entry at the snapshot's index can, and
     * one that disagrees with the snapshot makes the request malformed. Before, a batch anchored below the snapshot
     * on a made-up term appended an entry whose term was below the snapshot's, and the log threw on the agent thread.
     */
    @Test
    void entryTermsThatNoLeaderSendsAreRefusedAndCounted()
    {
        final CoreHarness h = new CoreHarness(3, 1, 2, 3);
        final byte[] data = new byte[8];
        final long checksum = new InMemorySnapshotStore().put(5, 2, data).checksum();
        h.node.onInstallSnapshot(2, 2, 5, 2, 0, data.length, checksum, true, new UnsafeBuffer(data), 0, data.length,
            1, h.nowNs);
        h.cycle();
        assertEquals(5, h.log.baseIndex());
        assertEquals(2, h.log.baseTerm());
        h.outbox.drain();

        appendEntriesFrom(2).term(3).prevLogIndex(3).prevLogTerm(1).entries(ArrayEntryBatch.ofTerms(1, 1, 1))
            .deliverTo(h);
        assertEquals(1, h.node.rejectedMessageCount(), "term 1 at the snapshot's index, whose term is 2");
        assertEquals(5, h.log.lastIndex());

        appendEntriesFrom(2).term(3).prevLogIndex(5).prevLogTerm(2).entries(ArrayEntryBatch.ofTerms(3, 0))
            .deliverTo(h);
        assertEquals(2, h.node.rejectedMessageCount(), "an entry of term 0 after one of term 3");
        assertEquals(6, h.log.lastIndex(), "the valid prefix is kept");

        final CoreHarness fresh = new CoreHarness(3, 1, 2, 3);
        appendEntriesFrom(2).term(1).prevLogIndex(0).prevLogTerm(0).entries(ArrayEntryBatch.ofTerms(0))
            .deliverTo(fresh);
        assertEquals(1, fresh.node.rejectedMessageCount(), "an entry of term 0 on an empty log");
        assertEquals(0, fresh.log.lastIndex());

        appendEntriesFrom(2).term(3).prevLogIndex(3).prevLogTerm(2).entries(ArrayEntryBatch.ofTerms(2, 2, 3))
            .deliverTo(h);
        assertEquals(2, h.node.rejectedMessageCount(), "a batch that agrees with the snapshot is taken");
        assertEquals(6, h.log.lastIndex());
        assertEquals(3, h.log.termAt(6));
    }

    // ------------------------------------------------------------------------------------------ message builders
    // Inbound messages by field name: a field not set is 0 (false for the flags, an empty batch for the entries).

    private static AppendEntriesMessage appendEntriesFrom(final int leaderId)
    {
        return new AppendEntriesMessage(leaderId);
    }

    private static AppendResponseMessage appendResponseFrom(final int followerId)
    {
        return new AppendResponseMessage(followerId);
    }

    private static VoteRequestMessage voteRequestFrom(final int candidateId)
    {
        return new VoteRequestMessage(candidateId);
    }

    private static VoteResponseMessage voteResponseFrom(final int voterId)
    {
        return new VoteResponseMessage(voterId);
    }

    private static final class AppendEntriesMessage
    {
        private final int leaderId;
        private long term;
        private long prevLogIndex;
        private long prevLogTerm;
        private long leaderCommit;
        private EntryBatch entries = ArrayEntryBatch.empty();

        AppendEntriesMessage(final int leaderId)
        {
            this.leaderId = leaderId;
        }

        AppendEntriesMessage term(final long term)
        {
            this.term = term;
            return this;
        }

        AppendEntriesMessage prevLogIndex(final long prevLogIndex)
        {
            this.prevLogIndex = prevLogIndex;
            return this;
        }

        AppendEntriesMessage prevLogTerm(final long prevLogTerm)
        {
            this.prevLogTerm = prevLogTerm;
            return this;
        }

        AppendEntriesMessage leaderCommit(final long leaderCommit)
        {
            this.leaderCommit = leaderCommit;
            return this;
        }

        AppendEntriesMessage entries(final EntryBatch entries)
        {
            this.entries = entries;
            return this;
        }

        void deliverTo(final CoreHarness h)
        {
            h.node.onAppendEntries(leaderId, term, prevLogIndex, prevLogTerm, leaderCommit, entries, h.nowNs);
        }
    }

    private static final class AppendResponseMessage
    {
        private final int followerId;
        private long term;
        private long prevLogIndex;
        private boolean success;
        private long matchIndex;
        private long conflictIndex;
        private long conflictTerm;
        private long lastLogIndex;

        AppendResponseMessage(final int followerId)
        {
            this.followerId = followerId;
        }

        AppendResponseMessage term(final long term)
        {
            this.term = term;
            return this;
        }

        AppendResponseMessage prevLogIndex(final long prevLogIndex)
        {
            this.prevLogIndex = prevLogIndex;
            return this;
        }

        AppendResponseMessage accepted(final long matchIndex)
        {
            this.success = true;
            this.matchIndex = matchIndex;
            return this;
        }

        AppendResponseMessage rejected()
        {
            this.success = false;
            this.matchIndex = 0;
            return this;
        }

        AppendResponseMessage conflictIndex(final long conflictIndex)
        {
            this.conflictIndex = conflictIndex;
            return this;
        }

        AppendResponseMessage conflictTerm(final long conflictTerm)
        {
            this.conflictTerm = conflictTerm;
            return this;
        }

        AppendResponseMessage lastLogIndex(final long lastLogIndex)
        {
            this.lastLogIndex = lastLogIndex;
            return this;
        }

        void deliverTo(final CoreHarness h)
        {
            h.node.onAppendEntriesResponse(followerId, term, prevLogIndex, success, matchIndex, conflictIndex,
                conflictTerm, lastLogIndex, h.nowNs);
        }
    }

    private static final class VoteRequestMessage
    {
        private final int candidateId;
        private long term;
        private long lastLogIndex;
        private long lastLogTerm;
        private boolean preVote;

        VoteRequestMessage(final int candidateId)
        {
            this.candidateId = candidateId;
        }

        VoteRequestMessage term(final long term)
        {
            this.term = term;
            return this;
        }

        VoteRequestMessage lastLogIndex(final long lastLogIndex)
        {
            this.lastLogIndex = lastLogIndex;
            return this;
        }

        VoteRequestMessage lastLogTerm(final long lastLogTerm)
        {
            this.lastLogTerm = lastLogTerm;
            return this;
        }

        VoteRequestMessage preVote()
        {
            this.preVote = true;
            return this;
        }

        void deliverTo(final CoreHarness h)
        {
            h.node.onRequestVote(candidateId, term, lastLogIndex, lastLogTerm, preVote, h.nowNs);
        }
    }

    private static final class VoteResponseMessage
    {
        private final int voterId;
        private long term;
        private long candidateTerm;
        private boolean granted;
        private boolean preVote;

        VoteResponseMessage(final int voterId)
        {
            this.voterId = voterId;
        }

        VoteResponseMessage term(final long term)
        {
            this.term = term;
            return this;
        }

        VoteResponseMessage candidateTerm(final long candidateTerm)
        {
            this.candidateTerm = candidateTerm;
            return this;
        }

        VoteResponseMessage granted()
        {
            this.granted = true;
            return this;
        }

        VoteResponseMessage refused()
        {
            this.granted = false;
            return this;
        }

        VoteResponseMessage preVote()
        {
            this.preVote = true;
            return this;
        }

        void deliverTo(final CoreHarness h)
        {
            h.node.onRequestVoteResponse(voterId, term, candidateTerm, granted, preVote, h.nowNs);
        }
    }
}
