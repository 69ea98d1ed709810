package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.raftline.engine.RaftService;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code max-duty-cycle-ns} measures a window a reader chooses: after {@link RaftStat#resetMaxDutyCycles} it holds the
 * longest cycle since the reset, not since the start (the perf suite reads it per phase under load). A command whose
 * application sleeps makes one cycle of every member long; after a reset, short cycles must show again.
 */
@Timeout(60)
class MaxDutyCycleWindowTest
{
    private static final long SLOW_APPLY_MS = 40;
    private static final long SLOW_DELTA = 1_000;

    private LocalCluster cluster;
    private RaftClient client;
    private Aeron reader;

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(client, reader, cluster);
    }

    @Test
    void aResetStartsANewWindowOfTheLongestDutyCycle()
    {
        cluster = LocalCluster.start(3, LocalClusterIpcTest.template(), (id) -> new SlowOnceService());
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
        final AtomicLong answered = new AtomicLong();
        client = RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .listener((correlationId, outcome, logIndex, buffer, offset, length) -> answered.incrementAndGet()));
        reader = Aeron.connect(new Aeron.Context().aeronDirectoryName(cluster.aeronDirectoryName()));

        command(SLOW_DELTA, answered);
        Await.until("every member applied the slow command", 10_000,
            () -> minMaxCycleNs() >= SLOW_APPLY_MS * 1_000_000L);

        assertEquals(3, RaftStat.resetMaxDutyCycles(reader.countersReader()));
        for (int i = 0; i < 20; i++)
        {
            command(1, answered);
        }
        Await.until("every member's window shows a cycle after the reset", 10_000, () -> minMaxCycleNs() > 0);
        final long afterResetNs = RaftStat.maxDutyCycleNs(reader.countersReader());
        assertTrue(afterResetNs < SLOW_APPLY_MS * 1_000_000L,
            "the slow cycle before the reset is forgotten: " + afterResetNs + " ns");
    }

    private void command(final long delta, final AtomicLong answered)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        buffer.putLong(0, delta);
        final long before = answered.get();
        while (client.offer(buffer, 0, 8) < 0)
        {
            client.poll();
        }
        Await.until("an answer", 10_000, () ->
        {
            client.poll();
            return answered.get() > before;
        });
    }

    private long minMaxCycleNs()
    {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++)
        {
            min = Math.min(min, RaftStat.value(reader.countersReader(), "raftline member=" + i + " max-duty-cycle-ns"));
        }
        return min;
    }

    /**
     * Sleeps in the application of the one command whose delta is {@link #SLOW_DELTA}: one long duty cycle.
     */
    private static final class SlowOnceService implements RaftService
    {
        public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
            final int length, final MutableDirectBuffer response)
        {
            if (8 == length && SLOW_DELTA == command.getLong(offset))
            {
                try
                {
                    Thread.sleep(SLOW_APPLY_MS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            response.putLong(0, 0);
            return 8;
        }
    }
}
