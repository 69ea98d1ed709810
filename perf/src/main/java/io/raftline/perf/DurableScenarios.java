package io.raftline.perf;

import io.raftline.samples.LoadGenerator;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The suite's {@code durable} section: the IPC cluster of the {@code ipc} section and the UDP member processes of the
 * {@code udp} section again, at {@code durability=batch}, the setting of a user who cannot lose a command on power
 * loss: every member forces (fdatasync) the log it wrote in a duty cycle before it acknowledges or votes on it, so a
 * commit waits for the leader's force and a follower's. One command outstanding (the latency a force adds to every
 * commit) and 1000 (how much of the throughput batching keeps, with one force per duty cycle for all the entries of
 * the cycle). Each row is compared with its {@code durability=none} row when that section ran in the same suite.
 */
final class DurableScenarios
{
    static final String IPC_NONE_CLOSED = "Raftline 3 members IPC, 1 outstanding";
    static final String IPC_NONE_WINDOW = "Raftline 3 members IPC, 1000 outstanding";
    static final String UDP_NONE_CLOSED = "Raftline 3 processes UDP, 1 outstanding";
    static final String UDP_NONE_WINDOW = "Raftline 3 processes UDP, 1000 outstanding";

    private DurableScenarios()
    {
    }

    /**
     * @param warmupNs   before the one-outstanding phase of each cluster.
     * @param durationNs of the one-outstanding phase (half of it for 1000 outstanding, as the other rows).
     * @param udpIdle    idle strategy of the member processes.
     * @param earlier    rows of the suite so far, to compare with the rows at durability=none.
     * @return the four rows.
     */
    static List<PerfSuite.Row> rows(
        final long warmupNs, final long durationNs, final String udpIdle, final List<PerfSuite.Row> earlier)
    {
        final List<PerfSuite.Row> rows = new ArrayList<>();
        try (RaftlineScenarios.IpcCluster cluster = new RaftlineScenarios.IpcCluster(3, "file", "batch", 1000))
        {
            measure(cluster.load(), "Raftline 3 members IPC durability=batch", warmupNs, durationNs,
                find(earlier, IPC_NONE_CLOSED), find(earlier, IPC_NONE_WINDOW), rows);
        }
        try (RaftlineScenarios.UdpProcesses cluster = new RaftlineScenarios.UdpProcesses(3, 1000, udpIdle, "batch"))
        {
            measure(cluster.load(), "Raftline 3 processes UDP durability=batch", warmupNs, durationNs,
                find(earlier, UDP_NONE_CLOSED), find(earlier, UDP_NONE_WINDOW), rows);
        }
        return rows;
    }

    private static void measure(
        final LoadGenerator load,
        final String name,
        final long warmupNs,
        final long durationNs,
        final PerfSuite.Row noneClosed,
        final PerfSuite.Row noneWindow,
        final List<PerfSuite.Row> rows)
    {
        load.closedLoop(32, 0, warmupNs);
        final LoadGenerator.Result closed = load.closedLoop(32, 0, durationNs);
        rows.add(new PerfSuite.Row(name + ", 1 outstanding", closed.histogram(), closed.ratePerSecond(),
            null == noneClosed ? "" : String.format(Locale.ROOT, "p50 %.1fx, p99 %.1fx durability=none",
                ratio(closed.histogram(), noneClosed.histogram(), 50),
                ratio(closed.histogram(), noneClosed.histogram(), 99))));
        final LoadGenerator.Result window = load.throughput(1000, 32, durationNs / 2);
        rows.add(new PerfSuite.Row(name + ", 1000 outstanding", window.histogram(), window.ratePerSecond(),
            null == noneWindow ? "" : String.format(Locale.ROOT, "%.2fx the commands/s of durability=none",
                window.ratePerSecond() / Math.max(1, noneWindow.rate()))));
    }

    private static PerfSuite.Row find(final List<PerfSuite.Row> rows, final String name)
    {
        for (final PerfSuite.Row row : rows)
        {
            if (row.name().equals(name))
            {
                return row;
            }
        }
        return null;
    }

    private static double ratio(final Histogram a, final Histogram b, final double percentile)
    {
        return (double)a.getValueAtPercentile(percentile) / Math.max(1, b.getValueAtPercentile(percentile));
    }
}
