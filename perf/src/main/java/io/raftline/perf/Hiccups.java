package io.raftline.perf;

import io.raftline.samples.LatencyReport;
import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * The platform's own stalls, as a spinning thread sees them (in the manner of jHiccup): {@code threads} threads each
 * read the clock in a tight loop and record every gap over 1 ms. With as many spinning threads as cores, this is the
 * floor under any open-loop latency: a command due during a stall waits for it, so when the stalls add up to more
 * than 1% of the time, no p99 can be below them.
 */
public final class Hiccups
{
    private static final long GAP_NS = 1_000_000L;
    private static final long SAMPLE_NS = 1_000L;

    private Hiccups()
    {
    }

    /**
     * What the spinning threads saw.
     *
     * @param threads     that spun.
     * @param seconds     they spun.
     * @param gaps        over 1 ms, all threads together.
     * @param stalledNs   the gaps added up, all threads together.
     * @param maxGapNs    the longest gap.
     */
    public record Result(int threads, double seconds, long gaps, long stalledNs, long maxGapNs)
    {
        /**
         * @return the share of each thread's time lost to gaps over 1 ms.
         */
        public double stalledFraction()
        {
            return stalledNs / (threads * seconds * 1e9);
        }

        /**
         * @return one line for a report.
         */
        public String toString()
        {
            return String.format(Locale.ROOT,
                "platform hiccups: %d spinning threads for %.0f s saw %d gaps over 1 ms (%.2f%% of their time), " +
                "the longest %.1f ms", threads, seconds, gaps, 100 * stalledFraction(),
                maxGapNs / 1e6);
        }
    }

    /**
     * Spin and measure.
     *
     * @param threads    to spin.
     * @param durationNs of the measurement.
     * @return what they saw.
     */
    public static Result measure(final int threads, final long durationNs)
    {
        final long[][] perThread = new long[threads][3];
        final Thread[] spinners = new Thread[threads];
        final long endNs = System.nanoTime() + durationNs;
        for (int i = 0; i < threads; i++)
        {
            final long[] out = perThread[i];
            spinners[i] = new Thread(() -> spin(endNs, out), "hiccup-" + i);
            spinners[i].start();
        }
        long gaps = 0;
        long stalledNs = 0;
        long maxGapNs = 0;
        for (int i = 0; i < threads; i++)
        {
            try
            {
                spinners[i].join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            gaps += perThread[i][0];
            stalledNs += perThread[i][1];
            maxGapNs = Math.max(maxGapNs, perThread[i][2]);
        }
        return new Result(threads, durationNs / 1e9, gaps, stalledNs, maxGapNs);
    }

    /**
     * What the spinning threads saw, as the delays of commands due at any moment.
     *
     * @param gaps   over 1 ms, as {@link #measure} counts them.
     * @param delays how long a command due at a moment chosen uniformly in the run would have waited for its
     *               thread to run again: every gap of {@code g} over 1 us counts as waits of g, g - 1 us, g - 2 us ...
     *               (one per microsecond of the gap, as jHiccup corrects for coordinated omission), every other
     *               microsecond as a wait of 0; the percentiles an open loop's latency can be held against.
     */
    public record Profile(Result gaps, Histogram delays)
    {
    }

    /**
     * Spin and measure the delays a command due at any moment would see (see {@link Profile}).
     *
     * @param threads    to spin.
     * @param durationNs of the measurement.
     * @return what they saw.
     */
    public static Profile profile(final int threads, final long durationNs)
    {
        final long[][] perThread = new long[threads][3];
        final Histogram[] histograms = new Histogram[threads];
        final Thread[] spinners = new Thread[threads];
        final long endNs = System.nanoTime() + durationNs;
        for (int i = 0; i < threads; i++)
        {
            final long[] out = perThread[i];
            final Histogram histogram = LatencyReport.newHistogram();
            histograms[i] = histogram;
            spinners[i] = new Thread(() -> spinProfile(endNs, durationNs, out, histogram), "hiccup-" + i);
            spinners[i].start();
        }
        long gaps = 0;
        long stalledNs = 0;
        long maxGapNs = 0;
        final Histogram delays = LatencyReport.newHistogram();
        for (int i = 0; i < threads; i++)
        {
            try
            {
                spinners[i].join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            gaps += perThread[i][0];
            stalledNs += perThread[i][1];
            maxGapNs = Math.max(maxGapNs, perThread[i][2]);
            delays.add(histograms[i]);
        }
        return new Profile(new Result(threads, durationNs / 1e9, gaps, stalledNs, maxGapNs), delays);
    }

    private static void spinProfile(final long endNs, final long durationNs, final long[] out, final Histogram delays)
    {
        long lastNs = System.nanoTime();
        long nowNs;
        while ((nowNs = System.nanoTime()) < endNs)
        {
            final long gapNs = nowNs - lastNs;
            if (gapNs > SAMPLE_NS)
            {
                recordGap(delays, gapNs);
                if (gapNs > GAP_NS)
                {
                    out[0]++;
                    out[1] += gapNs;
                    out[2] = Math.max(out[2], gapNs);
                }
            }
            lastNs = nowNs;
        }
        recordRest(delays, durationNs);
    }

    /**
     * A gap of the spinning thread as the delays of the commands due in it: one per microsecond, from the whole gap
     * down to 1 us.
     *
     * @param delays of a {@link Profile}.
     * @param gapNs  between two readings of the clock.
     */
    static void recordGap(final Histogram delays, final long gapNs)
    {
        delays.recordValueWithExpectedInterval(gapNs, SAMPLE_NS);
    }

    /**
     * Every microsecond of the run not in a gap, as a delay of 0.
     *
     * @param delays     of a {@link Profile}, its gaps recorded.
     * @param durationNs of the run.
     */
    static void recordRest(final Histogram delays, final long durationNs)
    {
        final long samples = durationNs / SAMPLE_NS;
        if (samples > delays.getTotalCount())
        {
            delays.recordValueWithCount(0, samples - delays.getTotalCount());
        }
    }

    private static void spin(final long endNs, final long[] out)
    {
        long lastNs = System.nanoTime();
        long nowNs;
        while ((nowNs = System.nanoTime()) < endNs)
        {
            final long gapNs = nowNs - lastNs;
            if (gapNs > GAP_NS)
            {
                out[0]++;
                out[1] += gapNs;
                out[2] = Math.max(out[2], gapNs);
            }
            lastNs = nowNs;
        }
    }

    /**
     * @param args optional: threads (default 2), seconds (default 10).
     */
    public static void main(final String[] args)
    {
        final int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        final long seconds = args.length > 1 ? Long.parseLong(args[1]) : 10;
        System.out.println(measure(threads, seconds * 1_000_000_000L));
    }
}
