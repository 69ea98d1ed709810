package io.raftline.samples;

import io.raftline.engine.agent.IdleStrategyType;
import io.raftline.engine.agent.LocalCluster;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.StorageType;
import io.raftline.engine.client.ClientContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The open loop keeps its schedule with a client that sleeps between polls: every command due by the time it wakes
 * goes out then (timed from when it was due), not one per wake-up. Before, a client sleeping 2 ms sent at most 500
 * commands a second whatever the rate asked, so a non-spinning client could not be measured under load.
 */
@Timeout(60)
class LoadGeneratorTest
{
    private LocalCluster cluster;
    private LoadGenerator load;

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(load, cluster);
    }

    private void start(final int window, final IdleStrategy idle)
    {
        cluster = LocalCluster.start(3, new MemberContext()
            .storage(StorageType.MEMORY)
            .electionTimeoutNs(100_000_000L, 200_000_000L)
            .heartbeatIntervalNs(10_000_000L)
            .idleStrategy(IdleStrategyType.YIELD), (id) -> new CounterService());
        while (cluster.leaderId() < 0)
        {
            Thread.onSpinWait();
        }
        load = new LoadGenerator(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxInflight(window), idle);
    }

    @Test
    void aSleepingClientSendsEveryCommandThatFellDue()
    {
        start(4096, new SleepingMillisIdleStrategy(2));

        final double rate = 10_000;
        final long durationNs = 300_000_000L;
        final LoadGenerator.Result result = load.openLoop(rate, 32, durationNs);

        // The schedule is sent + 1 commands due in [start, end): the count is the schedule's, not the clock's.
        final long due = (long)Math.ceil(durationNs / (1e9 / rate));
        assertEquals(0, result.failed());
        assertEquals(due, result.completed(), "commands answered against commands due in the run");
        assertEquals(due, result.histogram().getTotalCount());
    }

    /**
     * Every command of an open loop is answered in the end, so the total answered cannot tell whether the cluster
     * kept up: the answers within the phase can. Two million a second through a window of 16 outstanding cannot be
     * kept (the window alone allows 16 per round trip).
     */
    @Test
    void aRateTheClusterCannotKeepIsAnsweredLateNotInTime()
    {
        start(16, NoOpIdleStrategy.INSTANCE);
        final double rate = 2_000_000;
        final long durationNs = 50_000_000L;
        final LoadGenerator.Result result = load.openLoop(rate, 32, durationNs);

        final long due = (long)Math.ceil(durationNs / (1e9 / rate));
        assertEquals(due, result.completed(), "every command is answered in the end");
        assertTrue(result.completedInTime() < due / 2,
            result.completedInTime() + " of " + due + " answered within the phase");
        assertTrue(result.inTimeRatePerSecond() < rate / 2);
    }

    /**
     * The closed loop fills its window before it polls: a client whose Aeron runs in invoker mode sends what it offered
     * between two polls together, so one command per poll cost a datagram (and a system call) per command over UDP.
     * Before, the first poll came after one command whatever the window.
     */
    @Test
    void theClosedLoopFillsItsWindowBeforeItPolls()
    {
        final int window = 64;
        final RecordingIdle idle = new RecordingIdle();
        start(window, idle);
        idle.arm();

        final LoadGenerator.Result result = load.throughput(window, 32, 100_000_000L);

        assertTrue(idle.firstWork >= window, "work before the first idle: " + idle.firstWork);
        assertEquals(0, result.failed());
        assertTrue(result.completed() >= window, "answered: " + result.completed());
    }

    /**
     * Spins, and remembers the work the loop reported on its first call once armed.
     */
    private static final class RecordingIdle implements IdleStrategy
    {
        int firstWork = -1;
        private boolean isMeasuring;

        public void idle(final int workCount)
        {
            if (isMeasuring && firstWork < 0)
            {
                firstWork = workCount;
            }
        }

        public void idle()
        {
        }

        public void reset()
        {
        }

        void arm()
        {
            isMeasuring = true;
        }
    }
}
