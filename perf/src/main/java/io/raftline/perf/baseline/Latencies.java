package io.raftline.perf.baseline;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * The histogram the baselines record into and the one-line summary {@link BaselineMain} prints.
 */
public final class Latencies
{
    /**
     * Highest latency a histogram can hold: 60 s in nanoseconds.
     */
    public static final long HIGHEST_TRACKABLE_NS = 60_000_000_000L;

    private Latencies()
    {
    }

    /**
     * @return a histogram for latencies in nanoseconds, 1 ns to 60 s at 3 significant digits (as Raftline's report).
     */
    public static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, 3);
    }

    /**
     * @param name   of the measurement, padded to a column.
     * @param result of the measurement.
     * @return "name p50=… p90=… p99=… p99.9=… max=… (µs) rate=…/s n=… failed=…".
     */
    public static String line(final String name, final BaselineResult result)
    {
        final Histogram histogram = result.histogram();
        return String.format(Locale.ROOT,
            "%-52s p50=%8.1fus p90=%8.1fus p99=%8.1fus p99.9=%8.1fus max=%9.1fus rate=%,11.0f/s n=%d failed=%d",
            name, micros(histogram, 50.0), micros(histogram, 90.0), micros(histogram, 99.0), micros(histogram, 99.9),
            histogram.getMaxValue() / 1e3, result.ratePerSecond(), histogram.getTotalCount(), result.failed());
    }

    /**
     * @param histogram  of latencies in nanoseconds.
     * @param percentile to read.
     * @return the value at the percentile in microseconds.
     */
    public static double micros(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }
}
