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
}
