package io.raftline.perf.jmh;

import io.raftline.engine.agent.TimerTable;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2LongHashMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Which structure for the service's timers: the {@link TimerTable} (a binary heap beside the replicated map) or a
 * timer wheel (Agrona's {@link DeadlineTimerWheel}, 1,024 ticks of 2^20 ns, with the two maps between correlation ids
 * and the wheel's timer ids that Aeron Cluster's wheel timer service keeps). 10,000 timers stay scheduled an hour
 * ahead throughout. {@code scheduleAndFire}: schedule a timer 1 ms ahead, advance the clock 10 µs and hand over
 * (and fire) whatever is due, so about 100 short timers are pending; {@code scheduleAndCancel}: schedule one a second
 * ahead and cancel it. Run with {@code -prof gc}: both should be 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
@State(Scope.Thread)
public class TimerTableBenchmark
{
    private static final int LIVE = 10_000;
    private static final long HOUR_NS = 3_600_000_000_000L;

    /**
     * The structure measured.
     */
    @Param({"heap", "wheel"})
    public String kind;

    private Timers timers;
    private long nowNs;
    private long nextId;

    private interface Timers
    {
        void schedule(long correlationId, long deadlineNs);

        boolean cancel(long correlationId);

        int fireDue(long nowNs);
    }

    private static final class Heap implements Timers
    {
        private final TimerTable table = new TimerTable(LIVE * 2);
        private final TimerTable.DueHandler fire = table::fire;

        public void schedule(final long correlationId, final long deadlineNs)
        {
            table.schedule(correlationId, deadlineNs);
        }

        public boolean cancel(final long correlationId)
        {
            return table.cancel(correlationId);
        }

        public int fireDue(final long nowNs)
        {
            return table.pollDue(nowNs, fire, 64);
        }
    }

    private static final class Wheel implements Timers
    {
        private final DeadlineTimerWheel wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, 0, 1 << 20, 1024);
        private final Long2LongHashMap timerIdByCorrelationId = new Long2LongHashMap(LIVE * 4, 0.65f, -1);
        private final Long2LongHashMap correlationIdByTimerId = new Long2LongHashMap(LIVE * 4, 0.65f, -1);
        private final DeadlineTimerWheel.TimerHandler fire = (timeUnit, now, timerId) ->
        {
            timerIdByCorrelationId.remove(correlationIdByTimerId.remove(timerId));
            return true;
        };

        public void schedule(final long correlationId, final long deadlineNs)
        {
            cancel(correlationId);
            final long timerId = wheel.scheduleTimer(deadlineNs);
            timerIdByCorrelationId.put(correlationId, timerId);
            correlationIdByTimerId.put(timerId, correlationId);
        }

        public boolean cancel(final long correlationId)
        {
            final long timerId = timerIdByCorrelationId.remove(correlationId);
            if (-1 == timerId)
            {
                return false;
            }
            correlationIdByTimerId.remove(timerId);
            return wheel.cancelTimer(timerId);
        }

        public int fireDue(final long nowNs)
        {
            return wheel.poll(nowNs, fire, 64);
        }
    }

    /**
     * 10,000 timers an hour ahead.
     */
    @Setup
    public void setup()
    {
        timers = "heap".equals(kind) ? new Heap() : new Wheel();
        for (int i = 0; i < LIVE; i++)
        {
            timers.schedule(1_000_000_000_000L + i, HOUR_NS);
        }
    }

    /**
     * @return timers fired.
     */
    @Benchmark
    public int scheduleAndFire()
    {
        timers.schedule(nextId++, nowNs + 1_000_000L);
        nowNs += 10_000L;
        return timers.fireDue(nowNs);
    }

    /**
     * @return whether the timer was cancelled.
     */
    @Benchmark
    public boolean scheduleAndCancel()
    {
        final long correlationId = nextId++;
        timers.schedule(correlationId, nowNs + 1_000_000_000L);
        return timers.cancel(correlationId);
    }
}
