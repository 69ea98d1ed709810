package io.raftline.engine.sim;

import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MIT 6.5840 Lab 2D (log compaction and snapshots), ported to the simulator with the original steps and bounds.
 * The state machine snapshots every 10 applied entries (the tester's SnapShotInterval), the log is compacted below
 * each snapshot, a follower that needs compacted entries gets InstallSnapshot, and applies are checked strictly in
 * order (the tester's applierSnap). The persisted log size bound is explained at {@link MitCluster#logSize()}.
 */
class MitRaft2DTest extends MitTestSupport
{
    private static final int SERVERS = 3;

    private static void snapcommon(
        final TestInfo info,
        final long seed,
        final String name,
        final boolean disconnect,
        final boolean reliable,
        final boolean crash)
    {
        final int iters = 30;
        try (MitCluster cfg = cluster(info, seed, SERVERS, !reliable, true))
        {
            cfg.begin(name);

            cfg.one(randInt(cfg), SERVERS, true);
            int leader1 = cfg.checkOneLeader();

            for (int i = 0; i < iters; i++)
            {
                int victim = (leader1 + 1) % SERVERS;
                int sender = leader1;
                if (i % 3 == 1)
                {
                    sender = (leader1 + 1) % SERVERS;
                    victim = leader1;
                }

                if (disconnect)
                {
                    cfg.disconnect(victim);
                    cfg.one(randInt(cfg), SERVERS - 1, true);
                }
                if (crash)
                {
                    cfg.crash1(victim);
                    cfg.one(randInt(cfg), SERVERS - 1, true);
                }

                // perhaps send enough to get a snapshot
                final int nn = (MitCluster.SNAPSHOT_INTERVAL / 2) +
                    (int)(randInt(cfg) % MitCluster.SNAPSHOT_INTERVAL);
                for (int j = 0; j < nn; j++)
                {
                    if (cfg.isAlive(sender))
                    {
                        cfg.start(sender, randInt(cfg));
                    }
                }

                // let applier threads catch up with the Start()'s
                if (!disconnect && !crash)
                {
                    // make sure all followers have caught up, so that an InstallSnapshot RPC isn't required for
                    // TestSnapshotBasic2D().
                    cfg.one(randInt(cfg), SERVERS, true);
                }
                else
                {
                    cfg.one(randInt(cfg), SERVERS - 1, true);
                }

                if (cfg.logSize() >= MitCluster.MAX_LOG_SIZE)
                {
                    cfg.fatal("Log size too large");
                }
                if (disconnect)
                {
                    // reconnect a follower, who maybe behind and needs to receive a snapshot to catch up.
                    cfg.connect(victim);
                    cfg.one(randInt(cfg), SERVERS, true);
                    leader1 = cfg.checkOneLeader();
                }
                if (crash)
                {
                    cfg.start1(victim);
                    cfg.connect(victim);
                    cfg.one(randInt(cfg), SERVERS, true);
                    leader1 = cfg.checkOneLeader();
                }
            }
            cfg.end();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testSnapshotBasic2D(final long seed, final TestInfo info)
    {
        snapcommon(info, seed, "Test (2D): snapshots basic", false, true, false);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testSnapshotInstall2D(final long seed, final TestInfo info)
    {
        snapcommon(info, seed, "Test (2D): install snapshots (disconnect)", true, true, false);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testSnapshotInstallUnreliable2D(final long seed, final TestInfo info)
    {
        snapcommon(info, seed, "Test (2D): install snapshots (disconnect+unreliable)", true, false, false);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testSnapshotInstallCrash2D(final long seed, final TestInfo info)
    {
        snapcommon(info, seed, "Test (2D): install snapshots (crash)", false, true, true);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testSnapshotInstallUnCrash2D(final long seed, final TestInfo info)
    {
        snapcommon(info, seed, "Test (2D): install snapshots (unreliable+crash)", false, false, true);
    }

    /**
     * Crash and restart all servers.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testSnapshotAllCrash2D(final long seed, final TestInfo info)
    {
        final int iters = 5;
        try (MitCluster cfg = cluster(info, seed, SERVERS, false, true))
        {
            cfg.begin("Test (2D): crash and restart all servers");

            cfg.one(randInt(cfg), SERVERS, true);

            for (int i = 0; i < iters; i++)
            {
                // perhaps enough to get a snapshot
                final int nn = (MitCluster.SNAPSHOT_INTERVAL / 2) +
                    (int)(randInt(cfg) % MitCluster.SNAPSHOT_INTERVAL);
                for (int j = 0; j < nn; j++)
                {
                    cfg.one(randInt(cfg), SERVERS, true);
                }

                final long index1 = cfg.one(randInt(cfg), SERVERS, true);

                // crash all
                for (int j = 0; j < SERVERS; j++)
                {
                    cfg.crash1(j);
                }

                // revive all
                for (int j = 0; j < SERVERS; j++)
                {
                    cfg.start1(j);
                    cfg.connect(j);
                }

                final long index2 = cfg.one(randInt(cfg), SERVERS, true);
                if (index2 < index1 + 1)
                {
                    cfg.fatal(String.format("index decreased from %d to %d", index1, index2));
                }
            }
            cfg.end();
        }
    }

    /**
     * Do servers correctly initialize their in-memory copy of the snapshot, making sure that future writes to
     * persistent state don't lose state?
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testSnapshotInit2D(final long seed, final TestInfo info)
    {
        try (MitCluster cfg = cluster(info, seed, SERVERS, false, true))
        {
            cfg.begin("Test (2D): snapshot initialization after crash");
            cfg.one(randInt(cfg), SERVERS, true);

            // enough ops to make a snapshot
            final int nn = MitCluster.SNAPSHOT_INTERVAL + 1;
            for (int i = 0; i < nn; i++)
            {
                cfg.one(randInt(cfg), SERVERS, true);
            }

            // crash all
            for (int i = 0; i < SERVERS; i++)
            {
                cfg.crash1(i);
            }

            // revive all
            for (int i = 0; i < SERVERS; i++)
            {
                cfg.start1(i);
                cfg.connect(i);
            }

            // a single op, to get something to be written back to persistent storage.
            cfg.one(randInt(cfg), SERVERS, true);

            // crash all
            for (int i = 0; i < SERVERS; i++)
            {
                cfg.crash1(i);
            }

            // revive all
            for (int i = 0; i < SERVERS; i++)
            {
                cfg.start1(i);
                cfg.connect(i);
            }

            // do another op to trigger potential bug
            cfg.one(randInt(cfg), SERVERS, true);
            cfg.end();
        }
    }
}
