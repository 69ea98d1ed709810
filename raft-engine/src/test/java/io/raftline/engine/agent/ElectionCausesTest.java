package io.raftline.engine.agent;

import io.raftline.engine.core.RaftRole;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import static io.raftline.engine.core.RaftRole.CANDIDATE;
import static io.raftline.engine.core.RaftRole.FOLLOWER;
import static io.raftline.engine.core.RaftRole.LEADER;
import static io.raftline.engine.core.RaftRole.PRE_CANDIDATE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What counts as an election by timeout, by TimeoutNow, and a pre-vote by timeout, from the reasons the core gives
 * its role changes (the strings are the core's, in Election and RaftNode).
 */
class ElectionCausesTest
{
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
    private final AtomicCounter timeout = counters.newCounter("timeout");
    private final AtomicCounter transfer = counters.newCounter("transfer");
    private final AtomicCounter preVotes = counters.newCounter("prevotes");
    private final ElectionCauses causes = new ElectionCauses(timeout, transfer, preVotes);

    private void change(final RaftRole from, final RaftRole to, final String reason)
    {
        causes.onRoleChange(0, from, to, 1, reason, 0);
    }

    @Test
    void aPreVoteRefusedIsNoElection()
    {
        change(FOLLOWER, PRE_CANDIDATE, "election timeout");
        change(PRE_CANDIDATE, FOLLOWER, "heard from leader 1");
        assertEquals(1, preVotes.get());
        assertEquals(0, timeout.get());
    }

    @Test
    void aPreVoteWonIsAnElectionByTimeout()
    {
        change(FOLLOWER, PRE_CANDIDATE, "election timeout");
        change(PRE_CANDIDATE, CANDIDATE, "won pre-vote");
        change(CANDIDATE, LEADER, "won the election");
        assertEquals(1, timeout.get());
        assertEquals(0, transfer.get());
    }

    @Test
    void withoutPreVoteTheTimerStartsAnElection()
    {
        change(FOLLOWER, CANDIDATE, "election timeout");
        change(CANDIDATE, CANDIDATE, "election timeout");
        assertEquals(2, timeout.get());
        assertEquals(0, preVotes.get());
    }

    @Test
    void timeoutNowStartsATransferElection()
    {
        change(FOLLOWER, CANDIDATE, "TimeoutNow from leader 2");
        change(CANDIDATE, LEADER, "won the election");
        assertEquals(1, transfer.get());
        assertEquals(0, timeout.get());
    }

    @Test
    void aWonPreVoteAfterAnotherCauseIsNotCountedAsTimeout()
    {
        change(FOLLOWER, PRE_CANDIDATE, "election timeout");
        change(PRE_CANDIDATE, FOLLOWER, "heard from leader 1");
        change(FOLLOWER, CANDIDATE, "won pre-vote");
        assertEquals(0, timeout.get());
    }
}
