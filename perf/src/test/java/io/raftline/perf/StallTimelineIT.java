package io.raftline.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stall timeline tool starts a cluster, runs its open loop and reports, with an agent stack sampled for every
 * stall it lists (none asserted: how many stalls a shared host has is no result).
 */
class StallTimelineIT
{
    @Test
    @Timeout(120)
    void runsAndReports()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StallTimeline.run(new String[]{"rate=20000", "seconds=1", "warmup=1", "threshold=1"},
            new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final String report = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("stalls of 1 ms or more in 1 s: the cluster's"), report);
        assertTrue(report.matches("(?s).*agent thread: \\d+ ms on a CPU.*"), report);
        assertTrue(report.matches("(?s).*client thread: \\d+ ms on a CPU.*"), report);
    }
}
