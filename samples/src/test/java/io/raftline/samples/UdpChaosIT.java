package io.raftline.samples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Process chaos: 3 and 5 member processes over UDP on 127.0.0.1 under client load, with random kill -9 and restart
 * of members (the leader more often) for a bounded time. Afterwards every member holds the same applied state, and
 * the clients' history is linearizable for the counter: every acknowledged add applied exactly once, in an order
 * consistent with real time, and every read (a third of them each ReadIndex, lease and follower reads, lease reads
 * on) saw the counter at a point inside its interval. Duration: {@code -Draftline.chaos.seconds} (default 20); seed:
 * {@code -Draftline.chaos.seed}.
 */
@Timeout(900)
class UdpChaosIT
{
    @TempDir
    Path dir;

    private ProcessCluster cluster;

    @AfterEach
    void stop()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void threeMembersUnderKillAndRestart()
    {
        chaos(3);
    }

    @Test
    void fiveMembersUnderKillAndRestart()
    {
        chaos(5);
    }

    private void chaos(final int size)
    {
        final long seconds = Long.getLong("raftline.chaos.seconds", 20);
        final long seed = Long.getLong("raftline.chaos.seed", System.nanoTime());
        System.out.printf("chaos: %d members, %d s, seed %d (replay: -Draftline.chaos.seed=%d)%n", size, seconds, seed,
            seed);
        final SplittableRandom random = new SplittableRandom(seed);
        cluster = new ProcessCluster(size, dir, "--storage", "file", "--durability", "none",
            "--election-timeout-ms", "150", "--lease-reads");
        cluster.startAll();

        final Path history = dir.resolve("history.jsonl");
        final AtomicBoolean isClientDone = new AtomicBoolean();
        final CounterClient.Summary[] summary = new CounterClient.Summary[1];
        final Throwable[] clientFailure = new Throwable[1];
        final long rate = 400;
        final Thread clients = new Thread(() ->
        {
            try
            {
                summary[0] = CounterClient.run(
                    "--members", cluster.members(), "--ops", Long.toString(rate * (seconds + 5)),
                    "--rate", Long.toString(rate), "--concurrency", "4", "--timeout", "3s",
                    "--reads", "0.3", "--read-level", "mixed",
                    "--history", history.toString(),
                    "--driver-dir-base", cluster.driverDirectoryBase().getPath());
            }
            catch (final Throwable t)
            {
                clientFailure[0] = t;
            }
            finally
            {
                isClientDone.set(true);
            }
        }, "chaos-clients");
        clients.start();

        int kills = 0;
        final long endNs = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < endNs && !isClientDone.get())
        {
            sleepMs(500 + random.nextInt(1500));
            final int leader = cluster.leaderId();
            final int victim = leader >= 0 && random.nextBoolean() ? leader : random.nextInt(size);
            if (cluster.isRunning(victim))
            {
                cluster.kill(victim);
                kills++;
            }
            sleepMs(200 + random.nextInt(1500));
            for (int i = 0; i < size; i++)
            {
                // Keep a majority up most of the time; bring the victim back.
                if (!cluster.isRunning(i) && (i == victim || random.nextInt(3) == 0))
                {
                    cluster.start(i);
                }
            }
        }
        for (int i = 0; i < size; i++)
        {
            if (!cluster.isRunning(i))
            {
                cluster.start(i);
            }
        }
        try
        {
            clients.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        assertEquals(null, clientFailure[0]);
        System.out.printf("chaos: %d kills; clients: %s%n", kills, summary[0]);

        final List<CounterLinearizability.Op> ops = CounterLinearizability.read(history);
        final CounterLinearizability.Result result = CounterLinearizability.check(ops, 0);
        System.out.println("chaos: " + result.message());
        assertTrue(result.isLinearizable(), result.message() + "; history in " + history);
        assertTrue(summary[0].acknowledged > 0, "some commands were acknowledged");
        assertTrue(summary[0].readsOk > 0, "some reads were answered");

        // Every member converges on the same applied state.
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!isConverged(size))
        {
            assertTrue(System.nanoTime() < deadline, "members converged" + cluster.describe());
            sleepMs(50);
        }
    }

    private boolean isConverged(final int size)
    {
        final Set<Long> applied = new java.util.HashSet<>();
        final int leader = cluster.leaderId();
        if (leader < 0)
        {
            return false;
        }
        final long commit = cluster.counter(leader, "commit-index");
        for (int i = 0; i < size; i++)
        {
            applied.add(cluster.counter(i, "applied-index"));
        }
        return 1 == applied.size() && applied.contains(commit);
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
