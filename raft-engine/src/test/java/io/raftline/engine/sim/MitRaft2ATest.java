package io.raftline.engine.sim;

import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MIT 6.5840 Lab 2A (leader election), ported to the simulator with the original steps and bounds.
 */
class MitRaft2ATest extends MitTestSupport
{
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testInitialElection2A(final long seed, final TestInfo info)
    {
        try (MitCluster cfg = cluster(info, seed, 3, false))
        {
            cfg.begin("Test (2A): initial election");

            // is a leader elected?
            cfg.checkOneLeader();

            // sleep a bit to avoid racing with followers learning of the election, then check all peers agree
            // on the term.
            cfg.sleepMs(50);
            final long term1 = cfg.checkTerms();
            if (term1 < 1)
            {
                cfg.fatal(String.format("term is %d, but should be at least 1", term1));
            }

            // does the leader+term stay the same if there is no network failure?
            cfg.sleepMs(2 * ET);
            final long term2 = cfg.checkTerms();
            if (term1 != term2)
            {
                System.out.println("warning: term changed even though there were no failures");
            }

            // there should still be a leader.
            cfg.checkOneLeader();
            cfg.end();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testReElection2A(final long seed, final TestInfo info)
    {
        try (MitCluster cfg = cluster(info, seed, 3, false))
        {
            cfg.begin("Test (2A): election after network failure");

            final int leader1 = cfg.checkOneLeader();

            // if the leader disconnects, a new one should be elected.
            cfg.disconnect(leader1);
            cfg.checkOneLeader();

            // if the old leader rejoins, that shouldn't disturb the new leader.
            cfg.connect(leader1);
            final int leader2 = cfg.checkOneLeader();

            // if there's no quorum, no new leader should be elected.
            cfg.disconnect(leader2);
            cfg.disconnect((leader2 + 1) % 3);
            cfg.sleepMs(2 * ET);

            // check that the one connected server does not think it is the leader.
            cfg.checkNoLeader();

            // if a quorum arises, it should elect a leader.
            cfg.connect((leader2 + 1) % 3);
            cfg.checkOneLeader();

            // re-join of last node shouldn't prevent leader from existing.
            cfg.connect(leader2);
            cfg.checkOneLeader();

            cfg.end();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testManyElections2A(final long seed, final TestInfo info)
    {
        final int servers = 7;
        try (MitCluster cfg = cluster(info, seed, servers, false))
        {
            cfg.begin("Test (2A): multiple elections");

            cfg.checkOneLeader();

            final int iters = 10;
            for (int ii = 1; ii < iters; ii++)
            {
                // disconnect three nodes
                final int i1 = cfg.rand().nextInt(servers);
                final int i2 = cfg.rand().nextInt(servers);
                final int i3 = cfg.rand().nextInt(servers);
                cfg.disconnect(i1);
                cfg.disconnect(i2);
                cfg.disconnect(i3);

                // either the current leader should still be alive, or the remaining four should elect a new one.
                cfg.checkOneLeader();

                cfg.connect(i1);
                cfg.connect(i2);
                cfg.connect(i3);
            }

            cfg.checkOneLeader();
            cfg.end();
        }
    }
}
