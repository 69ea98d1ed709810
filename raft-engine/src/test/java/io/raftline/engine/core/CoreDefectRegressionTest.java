package io.raftline.engine.core;

import org.junit.jupiter.api.Test;

import static io.raftline.engine.core.CoreHarness.ELECTION_MAX_NS;
import static io.raftline.engine.core.CoreHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
