package io.raftline.engine.core;

import io.raftline.engine.core.RecordingOutbox.VoteRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.raftline.engine.core.CoreHarness.ELECTION_MAX_NS;
import static io.raftline.engine.core.CoreHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Regression tests for the core defects of issue 10, each driving one core by hand.
 */
class CoreDefectRegressionTest
{
    /**
     * Issue 10, defect 3: a leader that steps down through check-quorum knows no leader of its term any more; it
     * must not go on naming itself (clients would be redirected to a member that refuses their proposals).
     */
    @Test
    void checkQuorumStepDownForgetsItselfAsLeader()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.electLeader(2, 3);
        assertEquals(RaftRole.LEADER, h.node.role());
        h.advanceMs(ELECTION_MAX_NS / MS);
        h.cycle();
        h.advanceMs(ELECTION_MAX_NS / MS);
        h.cycle();
        assertEquals(RaftRole.FOLLOWER, h.node.role());
        assertEquals(RaftNode.NO_MEMBER, h.node.leaderId(), "a deposed leader does not redirect to itself");
        assertEquals(RaftNode.NOT_LEADER, h.propose((byte)1));
    }

    /**
     * Issue 10, defect 4: a pre-vote round does not change the term, so two rounds of one term ask for the same
     * term. A grant that answers the earlier round is late news: the voter may since have heard from a leader.
     * Only answers to the current round count.
     */
    @Test
    void lateGrantFromAnEarlierPreVoteRoundDoesNotCount()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.timeOut();
        assertEquals(RaftRole.PRE_CANDIDATE, h.node.role());
        final List<VoteRequest> firstRound = h.outbox.drain(VoteRequest.class);
        h.timeOut();
        assertEquals(RaftRole.PRE_CANDIDATE, h.node.role(), "the first round timed out, a second began");
        final List<VoteRequest> secondRound = h.outbox.drain(VoteRequest.class);
        assertEquals(firstRound.get(0).term(), secondRound.get(0).term(), "both rounds ask for the same term");
        assertNotEquals(firstRound.get(0).round(), secondRound.get(0).round(), "the rounds are told apart");

        h.node.onRequestVoteResponse(2, 0, 1, true, true, firstRound.get(0).round(), h.nowNs);
        h.cycle();
        assertEquals(RaftRole.PRE_CANDIDATE, h.node.role(), "a grant for the earlier round is not counted");
        assertEquals(0, h.node.currentTerm());

        h.node.onRequestVoteResponse(2, 0, 1, true, true, secondRound.get(0).round(), h.nowNs);
        h.cycle();
        assertEquals(RaftRole.CANDIDATE, h.node.role(), "a grant for this round wins the pre-vote");
        assertEquals(1, h.node.currentTerm());
    }

    /**
     * Seed 7029348 (simulator seeds 7,000,000 on): a sole voter won its election in the cycle it started the term,
     * and as leader sent AppendEntries of that term (the immediate lane) before the term was durable. A crash before
     * the sync restarted it in the previous term, it won the same term again, and two different entries had the same
     * index and term. A sole voter leads only once its term and vote are synced.
     */
    @Test
    void aSoleVoterLeadsOnlyOnceItsTermIsDurable()
    {
        final CoreHarness h = new CoreHarness(1, 1);
        h.timeOut();
        assertEquals(RaftRole.LEADER, h.node.role());
        assertEquals(1, h.propose((byte)1));
        h.cycle();
        h.cycle();
        assertEquals(2, h.node.membershipChanges().addLearner(2, "h:2"));
        h.cycle();
        h.cycle();
        assertEquals(2, h.node.commitIndex());

        // Restarted from what is durable: the sole voter of {1} with the learner 2.
        final RecordingOutbox outbox = new RecordingOutbox(h.log, h.metadata, h.snapshots);
        final RaftNode restarted = new RaftNode(h.node.config, h.log, h.metadata, h.snapshots, outbox,
            (index, term, buffer, offset, length) -> {}, new java.util.SplittableRandom(7), RaftEventListener.NO_OP,
            h.nowNs);
        final long termBefore = restarted.currentTerm();
        final long nowNs = h.nowNs + ELECTION_MAX_NS + 1;
        restarted.doWork(nowNs);
        assertEquals(termBefore + 1, restarted.currentTerm());
        assertEquals(RaftRole.CANDIDATE, restarted.role(), "it won on its own vote, which is not durable yet");
        restarted.doWork(nowNs);
        assertEquals(List.of(), outbox.drain(RecordingOutbox.AppendEntries.class),
            "nothing of the new term leaves before its sync");

        h.metadata.sync();
        restarted.onPersisted();
        assertEquals(RaftRole.LEADER, restarted.role());
        restarted.doWork(nowNs);
        final List<RecordingOutbox.AppendEntries> sent = outbox.drain(RecordingOutbox.AppendEntries.class);
        assertEquals(1, sent.size(), "the leader of the durable term replicates to its learner: " + sent);
        assertEquals(termBefore + 1, sent.get(0).term());
    }
}
