package io.raftline.samples;

import io.raftline.engine.agent.IdleStrategyType;
import io.raftline.engine.agent.LocalCluster;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.StorageType;
import io.raftline.engine.client.ClientContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void aSleepingClientSendsEveryCommandThatFellDue()
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
            .maxInflight(4096), new SleepingMillisIdleStrategy(2));

        final double rate = 10_000;
        final long durationNs = 300_000_000L;
        final LoadGenerator.Result result = load.openLoop(rate, 32, durationNs);

        // The schedule is sent + 1 commands due in [start, end): the count is the schedule's, not the clock's.
        final long due = (long)Math.ceil(durationNs / (1e9 / rate));
        assertEquals(0, result.failed());
        assertEquals(due, result.completed(), "commands answered against commands due in the run");
        assertEquals(due, result.histogram().getTotalCount());
    }
}
