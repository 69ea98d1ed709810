package io.raftline.perf.baseline;

import io.raftline.perf.baseline.AeronPingPong.Medium;
import io.raftline.perf.baseline.AeronPingPong.Threading;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each baseline, run very briefly: it completes, measures something plausible and leaves no directory behind. No
 * assertion on speed: the host is shared.
 */
class BaselineSmokeTest
{
    private static final long BRIEF_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int LENGTH = 32;

    @Test
    void pingPongMeasuresRoundTripsOverIpcAndUdpAndLeavesNoDirectory()
    {
        final Set<String> before = scratchEntries("raftline-pingpong-");
        for (final Medium medium : Medium.values())
        {
            for (final Threading threading : Threading.values())
            {
                final BaselineResult result = AeronPingPong.roundTrips(medium, threading, LENGTH, 1_000, BRIEF_NS);
                assertPlausible(result, "ping-pong " + medium + " " + threading);
            }
        }
        assertEquals(before, scratchEntries("raftline-pingpong-"));
    }

    @Test
    void openLoopEchoAnswersEveryScheduledMessageTimedFromItsDueTime()
    {
        final Set<String> before = scratchEntries("raftline-pingpong-");
        final double rate = 20_000;
        for (final Medium medium : Medium.values())
        {
            final BaselineResult result = AeronPingPong.openLoop(medium, rate, LENGTH, BRIEF_NS / 2, BRIEF_NS);
            assertPlausible(result, "open loop " + medium);
            // 200 ms at one every 50 us: 4,000 due, every one sent and echoed, even those a stall delayed.
            assertEquals(4_000, result.completed(), "open loop " + medium);
        }
        assertEquals(before, scratchEntries("raftline-pingpong-"));
    }

    @Test
    void relayCommitsThroughALeaderAndTwoFollowersAndLeavesNoDirectory()
    {
        final Set<String> before = scratchEntries("raftline-relay-");
        try (AeronRelay relay = AeronRelay.launch(2))
        {
            assertFalse(scratchEntries("raftline-relay-").isEmpty(), "no driver directories while running");
            final BaselineResult closed = relay.closedLoop(LENGTH, BRIEF_NS);
            assertPlausible(closed, "relay, 1 outstanding");
            final BaselineResult window = relay.throughput(100, LENGTH, BRIEF_NS);
            assertPlausible(window, "relay, 100 outstanding");
            // 8,192 messages of 64 B framed are 512 KiB in flight, four times a receiver's initial window: the
            // parties meet back-pressure and must go on polling their other streams. (The first version waited on
            // its publications and deadlocked at 1000 outstanding with a larger MTU.)
            final BaselineResult pressed = relay.throughput(8_192, LENGTH, BRIEF_NS);
            assertPlausible(pressed, "relay, 8,192 outstanding");
        }
        assertEquals(before, scratchEntries("raftline-relay-"));
    }

    @Test
    void oneWayStreamCountsMessagesAndLeavesNoDirectory()
    {
        final Set<String> before = scratchEntries("raftline-stream-");
        for (final Medium medium : Medium.values())
        {
            final BaselineResult result = AeronStream.oneWay(medium, LENGTH, BRIEF_NS / 2, BRIEF_NS);
            assertTrue(result.completed() > 0, "stream " + medium + " received nothing");
            assertTrue(result.seconds() > 0.1 && result.ratePerSecond() > 0, "stream " + medium + " " + result);
        }
        assertEquals(before, scratchEntries("raftline-stream-"));
    }

    @Test
    void aeronClusterReplicatesTheCounterInEveryLoopAndLeavesNoDirectory() throws InterruptedException
    {
        final File[] directories;
        try (AeronClusterBaseline cluster = AeronClusterBaseline.launch())
        {
            directories = cluster.directories();
            for (final File directory : directories)
            {
                assertTrue(directory.isDirectory(), directory + " missing while running");
            }
            assertTrue(cluster.leaderElectedAfterNs() > 0, "leader elected after launch");
            assertTrue(cluster.membersLaunchedAfterNs() <= cluster.clientConnectedAfterNs());
            assertTrue(cluster.leaderElectedAfterNs() <= cluster.clientConnectedAfterNs());

            final long warmup = 100;
            final BaselineResult closed = cluster.closedLoop(LENGTH, warmup, BRIEF_NS);
            assertPlausible(closed, "closed loop");
            final BaselineResult open = cluster.openLoop(1_000, LENGTH, BRIEF_NS);
            assertPlausible(open, "open loop");
            assertEquals(200, open.completed(), "open loop: one command due every ms for 200 ms");
            final BaselineResult throughput = cluster.throughput(100, LENGTH, BRIEF_NS);
            assertPlausible(throughput, "throughput");

            // Every command adds 1 and every one was answered: the counter is the number of commands sent.
            final long commands = warmup + closed.completed() + open.completed() + throughput.completed();
            assertEquals(commands, cluster.lastValue());
            for (int memberId = 0; memberId < AeronClusterBaseline.DEFAULT_MEMBER_COUNT; memberId++)
            {
                awaitCounter(cluster, memberId, commands);
            }
            assertEquals(0, cluster.errors().count(), () -> "errors: " + cluster.errors().kinds());
        }
        for (final File directory : directories)
        {
            assertFalse(directory.exists(), directory + " left behind");
        }
    }

    private static void assertPlausible(final BaselineResult result, final String what)
    {
        assertTrue(result.completed() > 0, what + ": nothing completed");
        assertEquals(0, result.failed(), what + ": failures");
        assertEquals(result.completed(), result.histogram().getTotalCount(), what + ": one latency per completion");
        assertTrue(result.seconds() > 0.1, what + ": measured for " + result.seconds() + " s");
        final long p50Ns = result.histogram().getValueAtPercentile(50);
        assertTrue(p50Ns > 10 && p50Ns < TimeUnit.SECONDS.toNanos(1), what + ": p50 " + p50Ns + " ns");
        assertTrue(result.histogram().getMaxValue() >= p50Ns, what + ": max below p50");
    }

    private static void awaitCounter(final AeronClusterBaseline cluster, final int memberId, final long expected)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cluster.counterValue(memberId) != expected && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(1);
        }
        assertEquals(expected, cluster.counterValue(memberId), "counter on member " + memberId);
    }

    private static Set<String> scratchEntries(final String prefix)
    {
        final Set<String> entries = new TreeSet<>();
        for (final String parent : new String[]{ "/dev/shm", System.getProperty("java.io.tmpdir") })
        {
            final String[] names = new File(parent).list((dir, name) -> name.startsWith(prefix));
            if (null != names)
            {
                for (final String name : names)
                {
                    entries.add(parent + "/" + name);
                }
            }
        }
        return entries;
    }
}
