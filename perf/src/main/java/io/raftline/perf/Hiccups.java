package io.raftline.perf;

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
