package io.raftline.samples;

import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ReadConsistency;
import io.raftline.engine.client.ResponseListener;
import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Drives a Raftline cluster with counter commands and records latency in an HdrHistogram:
 * <ul>
 *     <li>{@link #closedLoop}: one command outstanding; latency is the round trip;</li>
 *     <li>{@link #openLoop}: commands at a fixed rate, latency measured from the time each command was due
 *     (correcting coordinated omission: a stalled cluster delays the whole schedule, and every delayed command
 *     counts the delay);</li>
 *     <li>{@link #throughput}: as many commands as a window of outstanding ones allows.</li>
 * </ul>
 * Runs on the caller's thread, polling the client with an idle strategy: spinning is fastest when the members share
 * one thread over IPC, but with more runnable threads than cores (member processes over UDP, each with its driver)
 * a spinning client holds a core for a whole scheduler slice and stalls everyone; yield there.
 */
public final class LoadGenerator implements ResponseListener, AutoCloseable
{
    /**
     * What a run measured.
     *
     * @param histogram latencies in nanoseconds.
     * @param completed       commands acknowledged.
     * @param failed          commands refused or timed out.
     * @param seconds         duration of the measured phase.
     * @param completedInTime commands acknowledged before the phase ended: for an open loop, fewer than it sent
     *                        when the cluster fell behind (the rest are answered after the end, from a backlog); for
     *                        the other loops the same as {@code completed}.
     */
    public record Result(Histogram histogram, long completed, long failed, double seconds, long completedInTime)
    {
        /**
         * @return acknowledged commands per second.
         */
        public double ratePerSecond()
        {
            return completed / seconds;
        }

        /**
         * @return commands acknowledged before the phase ended, per second: the rate the cluster kept up with. An
         * open loop answers every command it sent in the end, so {@link #ratePerSecond()} says nothing about
         * keeping up; this does.
         */
        public double inTimeRatePerSecond()
        {
            return completedInTime / seconds;
        }
    }

    private final RaftClient client;
    private final IdleStrategy idle;
    private final long[] dueNs;
    private final int mask;
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[64 * 1024 + 8]);
    private Histogram histogram;
    private long completed;
    private long failed;
    private long lastAnswered;
    private long lastValue;
    private final UnsafeBuffer get = new UnsafeBuffer(CounterService.GET);
    private long queriesSent;
    private long queriesAnswered;

    /**
     * Connect a client for the load, spinning while it waits.
     *
     * @param ctx of the client; its listener is set here.
     */
    public LoadGenerator(final ClientContext ctx)
    {
        this(ctx, NoOpIdleStrategy.INSTANCE);
    }

    /**
     * Connect a client for the load.
     *
     * @param ctx  of the client; its listener is set here.
     * @param idle how to wait for answers.
     */
    public LoadGenerator(final ClientContext ctx, final IdleStrategy idle)
    {
        this.idle = idle;
        final int inflight = BitUtil.findNextPositivePowerOfTwo(Math.max(2, ctx.maxInflight()));
        this.dueNs = new long[inflight];
        this.mask = inflight - 1;
        this.client = RaftClient.connect(ctx.listener(this));
        command.putLong(0, 1);
    }

    /**
     * @return the client driving the load.
     */
    public RaftClient client()
    {
        return client;
    }

    /**
     * @return the counter as of the last answer.
     */
    public long lastValue()
    {
        return lastValue;
    }

    /**
     * One command outstanding at a time.
     *
     * @param payloadLength of each command (at least 8: the delta, then padding).
     * @param warmupOps     commands sent before measuring.
     * @param durationNs    of the measured phase.
     * @return the measurement.
     */
    public Result closedLoop(final int payloadLength, final long warmupOps, final long durationNs)
    {
        final int length = Math.max(8, payloadLength);
        reset();
        for (long i = 0; i < warmupOps; i++)
        {
            roundTrip(length);
        }
        reset();
        final long startNs = System.nanoTime();
        final long endNs = startNs + durationNs;
        while (System.nanoTime() < endNs)
        {
            roundTrip(length);
        }
        return new Result(histogram, completed, failed, (System.nanoTime() - startNs) / 1e9, completed);
    }

    private void roundTrip(final int length)
    {
        final long before = lastAnswered;
        final long startNs = System.nanoTime();
        long correlationId;
        while ((correlationId = client.offer(command, 0, length)) < 0)
        {
            idle.idle(client.poll());
        }
        dueNs[(int)(correlationId & mask)] = startNs;
        idle.reset();
        while (lastAnswered == before)
        {
            idle.idle(client.poll());
        }
    }

    /**
     * Commands at a fixed rate; latency counts from when each was due.
     *
     * @param ratePerSecond of commands.
     * @param payloadLength of each command.
     * @param durationNs    of the run.
     * @return the measurement.
     */
    public Result openLoop(final double ratePerSecond, final int payloadLength, final long durationNs)
    {
        final int length = Math.max(8, payloadLength);
        final double intervalNs = 1e9 / ratePerSecond;
        reset();
        // The schedule: one command due every interval in [start, start + duration). All of them go, even those
        // a stall pushes past the end, so that a stall counts for every command it delays.
        final long scheduled = (long)Math.ceil(durationNs / intervalNs);
        final long startNs = System.nanoTime();
        final long endNs = startNs + durationNs;
        long sent = 0;
        long completedInTime = -1;
        long nowNs;
        while (sent < scheduled || client.inflight() > 0)
        {
            nowNs = System.nanoTime();
            if (completedInTime < 0 && nowNs >= endNs)
            {
                completedInTime = completed;
            }
            int work = 0;
            // Every command due by now goes, so that a client that sleeps between cycles keeps the rate: it sends
            // what fell due while it slept, each timed from when it was due.
            long nextDueNs;
            while (sent < scheduled && nowNs >= (nextDueNs = startNs + (long)(sent * intervalNs)))
            {
                final long correlationId = client.offer(command, 0, length);
                if (correlationId <= 0)
                {
                    break;
                }
                dueNs[(int)(correlationId & mask)] = nextDueNs;
                sent++;
                work++;
            }
            idle.idle(work + client.poll());
            if (nowNs > endNs + 30_000_000_000L)
            {
                break;
            }
        }
        return new Result(histogram, completed, failed, durationNs / 1e9,
            completedInTime < 0 ? completed : completedInTime);
    }

    /**
     * As many commands as {@code window} outstanding allows.
     *
     * @param window        commands outstanding.
     * @param payloadLength of each command.
     * @param durationNs    of the run.
     * @return the measurement.
     */
    public Result throughput(final int window, final int payloadLength, final long durationNs)
    {
        final int length = Math.max(8, payloadLength);
        reset();
        final long startNs = System.nanoTime();
        final long endNs = startNs + durationNs;
        long nowNs;
        while ((nowNs = System.nanoTime()) < endNs)
        {
            // Fill the window before the next poll: a client that shares its driver in invoker mode sends what it
            // offered between two polls in as few datagrams as fit, and one command per poll cost a datagram each.
            int sent = 0;
            while (client.inflight() < window)
            {
                final long correlationId = client.offer(command, 0, length);
                if (correlationId <= 0)
                {
                    break;
                }
                dueNs[(int)(correlationId & mask)] = nowNs;
                sent++;
            }
            idle.idle(sent + client.poll());
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final long drainDeadline = System.nanoTime() + 10_000_000_000L;
        while (client.inflight() > 0 && System.nanoTime() < drainDeadline)
        {
            client.poll();
        }
        return new Result(histogram, completed, failed, seconds, completed);
    }

    /**
     * Reads: one query outstanding at a time (a {@code get}) for {@code durationNs}, timed from each offer.
     *
     * @param level      of the queries.
     * @param durationNs how long to measure.
     * @return the queries' round trips.
     */
    public Result closedLoopReads(final ReadConsistency level, final long durationNs)
    {
        reset();
        final long startNs = System.nanoTime();
        final long endNs = startNs + durationNs;
        while (System.nanoTime() < endNs)
        {
            final long before = lastAnswered;
            final long offerNs = System.nanoTime();
            long correlationId;
            while ((correlationId = client.query(level, get, 0, get.capacity())) < 0)
            {
                idle.idle(client.poll());
            }
            queriesSent++;
            dueNs[(int)(correlationId & mask)] = offerNs;
            idle.reset();
            while (lastAnswered == before)
            {
                idle.idle(client.poll());
            }
        }
        return new Result(histogram, completed, failed, (System.nanoTime() - startNs) / 1e9, completed);
    }

    /**
     * Reads: keep {@code window} queries outstanding for {@code durationNs}.
     *
     * @param level      of the queries.
     * @param window     queries outstanding.
     * @param durationNs how long to measure.
     * @return the queries answered and their round trips.
     */
    public Result readThroughput(final ReadConsistency level, final int window, final long durationNs)
    {
        reset();
        final long startNs = System.nanoTime();
        final long endNs = startNs + durationNs;
        long nowNs;
        while ((nowNs = System.nanoTime()) < endNs)
        {
            if (queriesSent - queriesAnswered < window)
            {
                final long correlationId = client.query(level, get, 0, get.capacity());
                if (correlationId > 0)
                {
                    queriesSent++;
                    dueNs[(int)(correlationId & mask)] = nowNs;
                }
            }
            idle.idle(client.poll());
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final long drainDeadline = System.nanoTime() + 10_000_000_000L;
        while (queriesSent > queriesAnswered && System.nanoTime() < drainDeadline)
        {
            client.poll();
        }
        return new Result(histogram, completed, failed, seconds, completed);
    }

    private void reset()
    {
        histogram = LatencyReport.newHistogram();
        completed = 0;
        failed = 0;
    }

    /**
     * {@inheritDoc}
     */
    public void onResponse(
        final long correlationId,
        final int outcome,
        final long logIndex,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        lastAnswered++;
        if (correlationId >= RaftClient.QUERY_ID_BASE)
        {
            queriesAnswered++;
        }
        if (OK == outcome || DUPLICATE == outcome)
        {
            completed++;
            histogram.recordValue(Math.max(0, System.nanoTime() - dueNs[(int)(correlationId & mask)]));
            if (length >= 8)
            {
                lastValue = buffer.getLong(offset);
            }
        }
        else
        {
            failed++;
        }
    }

    /**
     * Close the client.
     */
    public void close()
    {
        client.close();
    }
}
