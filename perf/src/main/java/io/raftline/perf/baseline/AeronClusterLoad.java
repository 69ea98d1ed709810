package io.raftline.perf.baseline;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.EventCode;
import io.aeron.logbuffer.Header;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static io.raftline.perf.baseline.CounterClusteredService.BYTE_ORDER;
import static io.raftline.perf.baseline.CounterClusteredService.CORRELATION_ID_OFFSET;
import static io.raftline.perf.baseline.CounterClusteredService.DELTA_OFFSET;
import static io.raftline.perf.baseline.CounterClusteredService.MIN_COMMAND_LENGTH;
import static io.raftline.perf.baseline.CounterClusteredService.REPLY_LENGTH;
import static io.raftline.perf.baseline.CounterClusteredService.VALUE_OFFSET;

/**
 * Drives the Aeron Cluster counter the way Raftline's {@code LoadGenerator} drives Raftline (same three loops, same
 * histogram), on the caller's thread. Every command adds 1 and carries a correlation id counting from 1, so on a
 * fresh cluster the answer to command {@code n} must be {@code n}: an answer that is not is counted as failed.
 * <p>
 * The client yields when a poll finds nothing: on 2 cores a spinning client starves the cluster's threads.
 */
final class AeronClusterLoad implements EgressListener
{
    /**
     * Longest command.
     */
    static final int MAX_COMMAND_LENGTH = 4096;

    private static final int RING_CAPACITY = 1 << 20;
    private static final int RING_MASK = RING_CAPACITY - 1;
    private static final long REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final IdleStrategy idle = new YieldingIdleStrategy();
    private final UnsafeBuffer command = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_COMMAND_LENGTH));
    private final long[] dueNsByCorrelationId = new long[RING_CAPACITY];
    private AeronCluster client;
    private long nextCorrelationId = 1;
    private long oldestAwaitedCorrelationId = 1;
    private long lastValue;
    private long sessionErrors;
    private Histogram histogram = Latencies.newHistogram();
    private long completed;
    private long failed;

    AeronClusterLoad()
    {
        command.putLong(DELTA_OFFSET, 1L, BYTE_ORDER);
    }

    void client(final AeronCluster client)
    {
        this.client = client;
    }

    long lastValue()
    {
        return lastValue;
    }

    long sessionErrors()
    {
        return sessionErrors;
    }

    BaselineResult closedLoop(final int commandLength, final long warmupOps, final long durationNs)
    {
        checkLength(commandLength);
        beginPhase();
        for (long i = 0; i < warmupOps; i++)
        {
            roundTrip(commandLength);
        }
        beginPhase();
        final long startNs = System.nanoTime();
        final long endNs = startNs + durationNs;
        while (System.nanoTime() < endNs)
        {
            roundTrip(commandLength);
        }
        return new BaselineResult(histogram, completed, failed, (System.nanoTime() - startNs) / 1e9);
    }

    BaselineResult openLoop(final double ratePerSecond, final int commandLength, final long durationNs)
    {
        checkLength(commandLength);
        final double intervalNs = 1e9 / ratePerSecond;
        beginPhase();
        // The schedule of Raftline's LoadGenerator.openLoop: one command due every interval in [start, start +
        // duration); every command due when the loop comes round goes then, and all of them go, even those a stall
        // pushes past the end. Latency counts from the due time, not from the send: a stalled cluster delays the
        // whole schedule and every delayed command pays for the stall (no coordinated omission).
        final long scheduled = (long)Math.ceil(durationNs / intervalNs);
        final long startNs = System.nanoTime();
        final long giveUpNs = startNs + durationNs + REPLY_TIMEOUT_NS;
        long sent = 0;
        long nowNs;
        while (sent < scheduled)
        {
            nowNs = System.nanoTime();
            int work = 0;
            long dueNs;
            while (sent < scheduled && nowNs >= (dueNs = startNs + (long)(sent * intervalNs)) &&
                outstanding() < RING_CAPACITY && trySend(commandLength, dueNs))
            {
                sent++;
                work++;
            }
            work += client.pollEgress();
            if (0 == work && nowNs > giveUpNs)
            {
                throw new IllegalStateException("open loop: " + (scheduled - sent) + " of " + scheduled +
                    " commands not sent 10 s after the phase (session errors=" + sessionErrors + ")");
            }
            idle.idle(work);
        }
        drain();
        return new BaselineResult(histogram, completed, failed, durationNs / 1e9);
    }

    BaselineResult throughput(final int window, final int commandLength, final long durationNs)
    {
        checkLength(commandLength);
        if (window < 1 || window >= RING_CAPACITY)
        {
            throw new IllegalArgumentException("window=" + window + " outside [1, " + RING_CAPACITY + ")");
        }
        beginPhase();
        final long startNs = System.nanoTime();
        final long endNs = startNs + durationNs;
        long nowNs;
        while ((nowNs = System.nanoTime()) < endNs)
        {
            // Fill the window before the next poll, as Raftline's load generator does.
            int work = 0;
            while (outstanding() < window && trySend(commandLength, nowNs))
            {
                work++;
            }
            work += client.pollEgress();
            idle.idle(work);
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        drain();
        return new BaselineResult(histogram, completed, failed, seconds);
    }

    private void roundTrip(final int commandLength)
    {
        final long startNs = System.nanoTime();
        int idleCycles = 0;
        idle.reset();
        while (!trySend(commandLength, startNs))
        {
            final int work = client.pollEgress();
            if (0 == work && 0 == (++idleCycles & 0xFFF))
            {
                checkReplyTimeout(startNs);
            }
            idle.idle(work);
        }
        idle.reset();
        while (outstanding() > 0)
        {
            final int work = client.pollEgress();
            if (0 == work && 0 == (++idleCycles & 0xFFF))
            {
                checkReplyTimeout(startNs);
            }
            idle.idle(work);
        }
    }

    private void checkReplyTimeout(final long startNs)
    {
        if (System.nanoTime() - startNs > REPLY_TIMEOUT_NS)
        {
            throw new IllegalStateException("no reply from the cluster within 10 s for correlationId=" +
                oldestAwaitedCorrelationId + " (leader lost? session errors=" + sessionErrors + ")");
        }
    }

    private boolean trySend(final int commandLength, final long dueNs)
    {
        final long correlationId = nextCorrelationId;
        command.putLong(CORRELATION_ID_OFFSET, correlationId, BYTE_ORDER);
        final long result = client.offer(command, 0, commandLength);
        if (result > 0)
        {
            dueNsByCorrelationId[(int)(correlationId & RING_MASK)] = dueNs;
            nextCorrelationId++;
            return true;
        }
        if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
        {
            throw new IllegalStateException("cluster ingress unusable: " + Publication.errorString(result));
        }
        return false;
    }

    private long outstanding()
    {
        return nextCorrelationId - oldestAwaitedCorrelationId;
    }

    private void drain()
    {
        final long deadlineNs = System.nanoTime() + REPLY_TIMEOUT_NS;
        idle.reset();
        while (outstanding() > 0 && System.nanoTime() < deadlineNs)
        {
            idle.idle(client.pollEgress());
        }
        // Give up on what never came back; answers arriving later are ignored as stale.
        failed += outstanding();
        oldestAwaitedCorrelationId = nextCorrelationId;
    }

    private void beginPhase()
    {
        histogram = Latencies.newHistogram();
        completed = 0;
        failed = 0;
    }

    private static void checkLength(final int commandLength)
    {
        if (commandLength < MIN_COMMAND_LENGTH || commandLength > MAX_COMMAND_LENGTH)
        {
            throw new IllegalArgumentException("commandLength=" + commandLength + " outside [" +
                MIN_COMMAND_LENGTH + ", " + MAX_COMMAND_LENGTH + "]");
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        final long nowNs = System.nanoTime();
        if (length != REPLY_LENGTH)
        {
            failed++;
            return;
        }
        final long correlationId = buffer.getLong(offset + CORRELATION_ID_OFFSET, BYTE_ORDER);
        if (correlationId < oldestAwaitedCorrelationId || correlationId >= nextCorrelationId)
        {
            return;
        }
        // One session, one ordered log: answers come in order, and an answer skipped now never comes.
        failed += correlationId - oldestAwaitedCorrelationId;
        oldestAwaitedCorrelationId = correlationId + 1;

        final long value = buffer.getLong(offset + VALUE_OFFSET, BYTE_ORDER);
        if (value != correlationId)
        {
            failed++;
            return;
        }
        lastValue = value;
        completed++;
        histogram.recordValue(Math.max(0, nowNs - dueNsByCorrelationId[(int)(correlationId & RING_MASK)]));
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionEvent(
        final long correlationId,
        final long clusterSessionId,
        final long leadershipTermId,
        final int leaderMemberId,
        final EventCode code,
        final String detail)
    {
        if (EventCode.ERROR == code || EventCode.CLOSED == code)
        {
            sessionErrors++;
        }
    }
}
