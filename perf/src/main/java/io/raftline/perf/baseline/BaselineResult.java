package io.raftline.perf.baseline;

import org.HdrHistogram.Histogram;

/**
 * What one baseline measurement saw, in the same shape as Raftline's own load results so that the report can put
 * them side by side.
 *
 * @param histogram latencies in nanoseconds (round trips, or from each command's due time in an open loop).
 * @param completed operations answered in the measured phase.
 * @param failed    operations refused, answered wrongly or never answered.
 * @param seconds   duration of the measured phase.
 */
public record BaselineResult(Histogram histogram, long completed, long failed, double seconds)
{
    /**
     * @return answered operations per second of the measured phase.
     */
    public double ratePerSecond()
    {
        return seconds > 0 ? completed / seconds : 0.0;
    }
}
