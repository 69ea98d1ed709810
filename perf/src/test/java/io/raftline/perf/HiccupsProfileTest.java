package io.raftline.perf;

import io.raftline.perf.baseline.Failovers;
import io.raftline.samples.LatencyReport;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The meter's delay profile is what a command due at any moment would wait for its thread: a gap of 5 ms in a
 * second is half a percent of the time, so p99 is 0, p99.9 is most of the gap's length and the longest wait is the
 * gap. And the failover report's percentiles are nearest-rank.
 */
class HiccupsProfileTest
{
    @Test
    void aGapCountsAsTheWaitsOfEveryCommandDueInIt()
    {
        final Histogram delays = LatencyReport.newHistogram();
        Hiccups.recordGap(delays, 5_000_000L);
        Hiccups.recordRest(delays, 1_000_000_000L);

        assertEquals(1_000_000L, delays.getTotalCount(), "one sample per microsecond of the run");
        assertEquals(0, delays.getValueAtPercentile(99));
        // The slowest 0.1% (1,000 of 1,000,000 samples) waited 4 to 5 ms: the last 1,000 us of the 5 ms gap.
        final long p999 = delays.getValueAtPercentile(99.9);
        assertTrue(p999 >= 3_990_000L && p999 <= 4_010_000L, "p99.9 " + p999);
        assertTrue(delays.getMaxValue() >= 4_995_000L && delays.getMaxValue() <= 5_005_000L,
            "max " + delays.getMaxValue());
    }

    @Test
    void noGapIsNoDelay()
    {
        final Histogram delays = LatencyReport.newHistogram();
        Hiccups.recordRest(delays, 10_000_000L);
        assertEquals(10_000L, delays.getTotalCount());
        assertEquals(0, delays.getMaxValue());
    }

    @Test
    void failoverPercentilesAreNearestRank()
    {
        final List<Long> values = List.of(5L, 1L, 4L, 2L, 3L);
        assertEquals(3L, Failovers.Result.percentile(values, 50));
        assertEquals(5L, Failovers.Result.percentile(values, 100));
        assertEquals(1L, Failovers.Result.percentile(values, 1));
        assertEquals(-1L, Failovers.Result.percentile(List.of(), 50));
    }
}
