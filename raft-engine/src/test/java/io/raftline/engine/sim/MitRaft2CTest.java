package io.raftline.engine.sim;

import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * MIT 6.5840 Lab 2C (persistence, unreliable networks), ported to the simulator with the original steps and
 * bounds. A crash keeps exactly what the member synced, as the tester's persister copy does.
 */
class MitRaft2CTest extends MitTestSupport
{
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testPersist12C(final long seed, final TestInfo info)
    {
        final int servers = 3;
        try (MitCluster cfg = cluster(info, seed, servers, false))
        {
            cfg.begin("Test (2C): basic persistence");

            cfg.one(11L, servers, true);

            // crash and re-start all
            for (int i = 0; i < servers; i++)
            {
                cfg.start1(i);
            }
            for (int i = 0; i < servers; i++)
            {
                cfg.disconnect(i);
                cfg.connect(i);
            }

            cfg.one(12L, servers, true);

            final int leader1 = cfg.checkOneLeader();
            cfg.disconnect(leader1);
            cfg.start1(leader1);
            cfg.connect(leader1);

            cfg.one(13L, servers, true);

            final int leader2 = cfg.checkOneLeader();
            cfg.disconnect(leader2);
            cfg.one(14L, servers - 1, true);
            cfg.start1(leader2);
            cfg.connect(leader2);

            cfg.waitFor(4, servers, -1); // wait for leader2 to join before killing i3

            final int i3 = (cfg.checkOneLeader() + 1) % servers;
            cfg.disconnect(i3);
            cfg.one(15L, servers - 1, true);
            cfg.start1(i3);
            cfg.connect(i3);

            cfg.one(16L, servers, true);

            cfg.end();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testPersist22C(final long seed, final TestInfo info)
    {
        final int servers = 5;
        try (MitCluster cfg = cluster(info, seed, servers, false))
        {
            cfg.begin("Test (2C): more persistence");

            long index = 1;
            for (int iters = 0; iters < 5; iters++)
            {
                cfg.one(10 + index, servers, true);
                index++;

                final int leader1 = cfg.checkOneLeader();

                cfg.disconnect((leader1 + 1) % servers);
                cfg.disconnect((leader1 + 2) % servers);

                cfg.one(10 + index, servers - 2, true);
                index++;

                cfg.disconnect((leader1 + 0) % servers);
                cfg.disconnect((leader1 + 3) % servers);
                cfg.disconnect((leader1 + 4) % servers);

                cfg.start1((leader1 + 1) % servers);
                cfg.start1((leader1 + 2) % servers);
                cfg.connect((leader1 + 1) % servers);
                cfg.connect((leader1 + 2) % servers);

                cfg.sleepMs(ET);

                cfg.start1((leader1 + 3) % servers);
                cfg.connect((leader1 + 3) % servers);

                cfg.one(10 + index, servers - 2, true);
                index++;

                cfg.connect((leader1 + 4) % servers);
                cfg.connect((leader1 + 0) % servers);
            }

            cfg.one(1000L, servers, true);

            cfg.end();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testPersist32C(final long seed, final TestInfo info)
    {
        final int servers = 3;
        try (MitCluster cfg = cluster(info, seed, servers, false))
        {
            cfg.begin("Test (2C): partitioned leader and one follower crash, leader restarts");

            cfg.one(101L, 3, true);

            final int leader = cfg.checkOneLeader();
            cfg.disconnect((leader + 2) % servers);

            cfg.one(102L, 2, true);

            cfg.crash1((leader + 0) % servers);
            cfg.crash1((leader + 1) % servers);
            cfg.connect((leader + 2) % servers);
            cfg.start1((leader + 0) % servers);
            cfg.connect((leader + 0) % servers);

            cfg.one(103L, 2, true);

            cfg.start1((leader + 1) % servers);
            cfg.connect((leader + 1) % servers);

            cfg.one(104L, servers, true);

            cfg.end();
        }
    }

    /**
     * Test the scenarios described in Figure 8 of the extended Raft paper. Each iteration asks a leader, if there
     * is one, to insert a command in the Raft log. If there is a leader, that leader will fail quickly with a high
     * probability (perhaps without committing the command), or crash after a while with low probability (most
     * likely committing the command). If the number of alive servers isn't enough to form a majority, perhaps start
     * a new server. The leader in a new term may try to finish replicating log entries that haven't been committed
     * yet.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testFigure82C(final long seed, final TestInfo info)
    {
        final int servers = 5;
        try (MitCluster cfg = cluster(info, seed, servers, false))
        {
            cfg.begin("Test (2C): Figure 8");

            cfg.one(randInt(cfg), 1, true);

            int nup = servers;
            for (int iters = 0; iters < 1000; iters++)
            {
                int leader = -1;
                for (int i = 0; i < servers; i++)
                {
                    if (cfg.isAlive(i) && cfg.start(i, randInt(cfg)).isLeader())
                    {
                        leader = i;
                    }
                }

                if (cfg.rand().nextInt(1000) < 100)
                {
                    final long ms = cfg.rand().nextLong(ET / 2);
                    cfg.sleepMs(ms);
                }
                else
                {
                    final long ms = cfg.rand().nextLong(13);
                    cfg.sleepMs(ms);
                }

                if (-1 != leader)
                {
                    cfg.crash1(leader);
                    nup -= 1;
                }

                if (nup < 3)
                {
                    final int s = cfg.rand().nextInt(servers);
                    if (!cfg.isAlive(s))
                    {
                        cfg.start1(s);
                        cfg.connect(s);
                        nup += 1;
                    }
                }
            }

            for (int i = 0; i < servers; i++)
            {
                if (!cfg.isAlive(i))
                {
                    cfg.start1(i);
                    cfg.connect(i);
                }
            }

            cfg.one(randInt(cfg), servers, true);

            cfg.end();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testUnreliableAgree2C(final long seed, final TestInfo info)
    {
        final int servers = 5;
        try (MitCluster cfg = cluster(info, seed, servers, true))
        {
            cfg.begin("Test (2C): unreliable agreement");

            final List<Tasks.Task> goroutines = new ArrayList<>();
            for (int iters = 1; iters < 50; iters++)
            {
                for (int j = 0; j < 4; j++)
                {
                    final long command = (100L * iters) + j;
                    goroutines.add(cfg.tasks().spawn("agree-" + command, () -> cfg.one(command, 1, true)));
                }
                cfg.one((long)iters, 1, true);
            }

            cfg.setUnreliable(false);

            for (final Tasks.Task goroutine : goroutines)
            {
                cfg.tasks().join(goroutine);
            }

            cfg.one(100L, servers, true);

            cfg.end();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testFigure8Unreliable2C(final long seed, final TestInfo info)
    {
        final int servers = 5;
        try (MitCluster cfg = cluster(info, seed, servers, true))
        {
            cfg.begin("Test (2C): Figure 8 (unreliable)");

            cfg.one(cfg.rand().nextLong(10000), 1, true);

            int nup = servers;
            for (int iters = 0; iters < 1000; iters++)
            {
                if (200 == iters)
                {
                    cfg.setLongReordering(true);
                }
                int leader = -1;
                for (int i = 0; i < servers; i++)
                {
                    final boolean ok = cfg.start(i, cfg.rand().nextLong(10000)).isLeader();
                    if (ok && cfg.isConnected(i))
                    {
                        leader = i;
                    }
                }

                if (cfg.rand().nextInt(1000) < 100)
                {
                    final long ms = cfg.rand().nextLong(ET / 2);
                    cfg.sleepMs(ms);
                }
                else
                {
                    final long ms = cfg.rand().nextLong(13);
                    cfg.sleepMs(ms);
                }

                if (-1 != leader && cfg.rand().nextInt(1000) < ET / 2)
                {
                    cfg.disconnect(leader);
                    nup -= 1;
                }

                if (nup < 3)
                {
                    final int s = cfg.rand().nextInt(servers);
                    if (!cfg.isConnected(s))
                    {
                        cfg.connect(s);
                        nup += 1;
                    }
                }
            }

            for (int i = 0; i < servers; i++)
            {
                if (!cfg.isConnected(i))
                {
                    cfg.connect(i);
                }
            }

            cfg.one(cfg.rand().nextLong(10000), servers, true);

            cfg.end();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testReliableChurn2C(final long seed, final TestInfo info)
    {
        internalChurn(info, seed, false);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void testUnreliableChurn2C(final long seed, final TestInfo info)
    {
        internalChurn(info, seed, true);
    }

    private static void internalChurn(final TestInfo info, final long seed, final boolean unreliable)
    {
        final int servers = 5;
        try (MitCluster cfg = cluster(info, seed, servers, unreliable))
        {
            cfg.begin(unreliable ? "Test (2C): unreliable churn" : "Test (2C): churn");

            final AtomicBoolean stop = new AtomicBoolean(false);
            final List<List<Long>> results = new ArrayList<>();
            final List<Tasks.Task> clients = new ArrayList<>();
            for (int client = 0; client < 3; client++)
            {
                final int me = client;
                final List<Long> values = new ArrayList<>();
                results.add(values);
                clients.add(cfg.tasks().spawn("churn-client-" + me, () -> cfn(cfg, me, stop, values)));
            }

            for (int iters = 0; iters < 20; iters++)
            {
                if (cfg.rand().nextInt(1000) < 200)
                {
                    final int i = cfg.rand().nextInt(servers);
                    cfg.disconnect(i);
                }

                if (cfg.rand().nextInt(1000) < 500)
                {
                    final int i = cfg.rand().nextInt(servers);
                    if (!cfg.isAlive(i))
                    {
                        cfg.start1(i);
                    }
                    cfg.connect(i);
                }

                if (cfg.rand().nextInt(1000) < 200)
                {
                    final int i = cfg.rand().nextInt(servers);
                    if (cfg.isAlive(i))
                    {
                        cfg.crash1(i);
                    }
                }

                // Make crash/restart infrequent enough that the peers can often keep up, but not so infrequent
                // that everything has settled down from one change to the next. Pick a value smaller than the
                // election timeout, but not hugely smaller.
                cfg.sleepMs((ET * 7) / 10);
            }

            cfg.sleepMs(ET);
            cfg.setUnreliable(false);
            for (int i = 0; i < servers; i++)
            {
                if (!cfg.isAlive(i))
                {
                    cfg.start1(i);
                }
                cfg.connect(i);
            }

            stop.set(true);

            for (final Tasks.Task client : clients)
            {
                cfg.tasks().join(client);
            }

            cfg.sleepMs(ET);

            final long lastIndex = cfg.one(randInt(cfg), servers, true);

            final List<Long> really = new ArrayList<>();
            for (long index = 1; index <= lastIndex; index++)
            {
                final Object v = cfg.waitFor(index, servers, -1);
                if (v instanceof Long value)
                {
                    really.add(value);
                }
                else
                {
                    cfg.fatal("not an int");
                }
            }

            for (final List<Long> values : results)
            {
                for (final long v1 : values)
                {
                    if (!really.contains(v1))
                    {
                        cfg.fatal("didn't find a value");
                    }
                }
            }

            cfg.end();
        }
    }

    private static void cfn(final MitCluster cfg, final int me, final AtomicBoolean stop, final List<Long> values)
    {
        while (!stop.get())
        {
            final long x = randInt(cfg);
            long index = -1;
            boolean ok = false;
            for (int i = 0; i < cfg.n(); i++)
            {
                // try them all, maybe one of them is a leader
                if (cfg.isAlive(i))
                {
                    final MitCluster.StartResult result = cfg.start(i, x);
                    if (result.isLeader())
                    {
                        ok = true;
                        index = result.index();
                    }
                }
            }
            if (ok)
            {
                // maybe leader will commit our value, maybe not. but don't wait forever.
                for (final long to : new long[]{10, 20, 50, 100, 200})
                {
                    final Object[] committed = cfg.nCommitted(index);
                    if ((Integer)committed[0] > 0)
                    {
                        if (committed[1] instanceof Long value)
                        {
                            if (value == x)
                            {
                                values.add(x);
                            }
                        }
                        else
                        {
                            cfg.fatal("wrong command type");
                        }
                        break;
                    }
                    cfg.sleepMs(to);
                }
            }
            else
            {
                cfg.sleepMs(79 + me * 17L);
            }
        }
    }
}
