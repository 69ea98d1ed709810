package io.raftline.perf;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.raftline.engine.client.ReadConsistency;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole performance suite in quick mode, as the README's smoke run ({@code quick=true}) starts it, so that no
 * section can break unnoticed: every section of the default list starts, runs and reports its rows, each row measured
 * something, and no media driver directory is left in {@code /dev/shm}. Nothing about speed is asserted: the host is
 * shared, and numbers of a one-second run are no results.
 * <p>
 * A failsafe test: the {@code udp} and {@code durable} sections start member processes from the packaged sample jar.
 */
class PerfSuiteSmokeIT
{
    private static final List<String> DEFAULT_SECTIONS = List.of(
        "floor", "ipc", "cluster", "sweep", "sizes", "five", "udp", "durable", "failover", "snapshots", "timers",
        "membership", "reads");

    @Test
    // A separate thread: a scenario spinning on a condition that never comes fails the test instead of hanging it.
    @Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everySectionOfTheQuickSuiteRunsAndReportsItsRows() throws IOException
    {
        final Path report = Files.createTempDirectory("raftline-perf-smoke");
        final Set<String> before = scratchEntries();
        try
        {
            final List<PerfSuite.Row> rows = PerfSuite.runSuite(new String[]{ "quick=true", "report=" + report });
            final String summary = Files.readString(report.resolve("summary.md"), StandardCharsets.UTF_8);
            final Map<String, PerfSuite.Row> byName = new LinkedHashMap<>();
            for (final PerfSuite.Row row : rows)
            {
                // Whatever section a row comes from, a row that measured nothing is a scenario that did not run.
                assertTrue(row.histogram().getTotalCount() > 0, "row measured nothing: " + row.name());
                assertTrue(row.rate() >= 0, "negative rate: " + row.name());
                assertTrue(summary.contains("| " + row.name() + " |"), "row missing from summary.md: " + row.name());
                byName.put(row.name(), row);
            }

            final String ran = line(summary, "sections run, seconds each: ");
            for (final String section : DEFAULT_SECTIONS)
            {
                assertTrue((", " + ran + ",").contains(", " + section + " "), "section " + section + " did not run: " +
                    ran);
            }

            final List<String> missing = new ArrayList<>();
            for (final String name : expectedRows())
            {
                if (!byName.containsKey(name))
                {
                    missing.add(name);
                }
                else if (rateCounts(name))
                {
                    assertTrue(byName.get(name).rate() > 0, "no commands completed: " + name);
                }
            }
            assertEquals(List.of(), missing, () -> "rows missing; the report has " + byName.keySet());

            for (final String durable : List.of(
                "Raftline 3 members IPC durability=batch, 1 outstanding",
                "Raftline 3 members IPC durability=batch, 1000 outstanding",
                "Raftline 3 processes UDP durability=batch, 1 outstanding",
                "Raftline 3 processes UDP durability=batch, 1000 outstanding"))
            {
                assertTrue(byName.get(durable).comparison().contains("durability=none"),
                    () -> "not compared with its durability=none row: " + durable);
            }
            assertTrue(byName.get("16 MB state, follower restarts and installs").comparison().contains("caught up"));
            assertTrue(byName.get("Raftline 3 members UDP one JVM, 1 outstanding").comparison().contains("x relay"),
                "the one-JVM UDP row is not held against the relay's floor");

            // The sweep stops at the first rate it cannot keep up with (on a loaded host that may be the first), so
            // its report is its notes: the first rate was measured, and the sweep came to its conclusion.
            assertTrue(summary.contains("sweep: 50,000/s offered, "), "sweep measured no rate");
            assertTrue(summary.contains("sweep: highest rate with p99 <= 1 ms") ||
                summary.contains("sweep: no rate kept p99 <= 1 ms"), "sweep reached no conclusion");
            if (summary.contains("Latency under load: "))
            {
                assertTrue(summary.contains("| Aeron IPC echo p99 / p99.9 / max | Aeron Cluster p99 / p99.9 / max |"),
                    "headline without its peers' columns");
                assertFalse(summary.contains("the Aeron IPC echo failed"), "the headline's echo failed");
            }
            assertTrue(summary.contains("platform hiccups: "), "floor: no hiccups meter");
            assertTrue(summary.contains("failover: Raftline") && summary.contains("failover: Aeron Cluster"),
                "failover: no times for both systems");
            for (final String prefix : List.of(
                "leadership transfer, request to the new leader's first commit",
                "failover by election timeout, crash to the new leader's first commit",
                "commit, 1 outstanding, no configuration change",
                "commit, 1 outstanding, configuration changes back to back"))
            {
                assertTrue(byName.keySet().stream().anyMatch((name) -> name.startsWith(prefix)),
                    () -> "membership: no row " + prefix + "; the report has " + byName.keySet());
            }
            assertTrue(summary.contains("Aeron Cluster: leader "), "cluster: no election time");
            assertTrue(Files.isRegularFile(report.resolve("ipc.png")) && Files.isRegularFile(report.resolve("udp.png")),
                "plots missing");
        }
        finally
        {
            IoUtil.delete(report.toFile(), true);
        }
        assertEquals(Set.of(), deadLeftovers(before), "left behind by the suite");
    }

    private static List<String> expectedRows()
    {
        final List<String> names = new ArrayList<>(List.of(
            "Aeron IPC ping-pong, 32 B (floor)",
            "Aeron UDP ping-pong, 32 B (floor)",
            "Aeron UDP relay, client, leader and 2 followers, 1 outstanding (floor of a commit)",
            "Aeron UDP relay, 1000 outstanding (each message forwarded alone: the layout without Raft)",
            "Aeron Cluster 3 members, 1 outstanding",
            "Aeron Cluster 3 members, 1000 outstanding",
            DurableScenarios.IPC_NONE_CLOSED,
            DurableScenarios.IPC_NONE_WINDOW,
            "Raftline 5 members IPC, 1 outstanding",
            DurableScenarios.UDP_NONE_CLOSED,
            DurableScenarios.UDP_NONE_WINDOW,
            "Raftline 3 members UDP one JVM, 1 outstanding",
            "Raftline 3 members UDP one JVM, 1000 outstanding",
            "Aeron Cluster 3 members, client over UDP, 1 outstanding",
            "Aeron Cluster 3 members, client over UDP, 1000 outstanding",
            "Raftline 3 members IPC durability=batch, 1 outstanding",
            "Raftline 3 members IPC durability=batch, 1000 outstanding",
            "Raftline 3 processes UDP durability=batch, 1 outstanding",
            "Raftline 3 processes UDP durability=batch, 1000 outstanding",
            "16 MB state, no snapshots (baseline)",
            "16 MB state, snapshot every 20000 commands",
            "16 MB state, one follower down",
            "16 MB state, follower restarts and installs",
            "Raftline 3 members IPC, auction bids (time and a timer per auction)",
            "Raftline timer firing delay, deadline to onTimer on the leader",
            "Raftline deadline to outcome at a participant",
            "Reads run: write, 1 outstanding",
            "Reads run: writes, 1000 outstanding"));
        for (final int payload : new int[]{ 32, 256, 1024, 4096, 16384, 65536 })
        {
            names.add("Raftline 3 members IPC, " + payload + " B");
        }
        for (final ReadConsistency level : ReadConsistency.values())
        {
            final String name = ReadConsistency.LINEARIZABLE == level ? "ReadIndex" :
                level.name().toLowerCase(Locale.ROOT);
            names.add("Reads run: " + name + " read, 1 outstanding");
            names.add("Reads run: " + name + " reads, 1000 outstanding" +
                (ReadConsistency.FOLLOWER == level ? " (all 3 members)" : " (the leader)"));
        }
        return names;
    }

    /**
     * The timer rows are delays, not commands: they have no rate.
     */
    private static boolean rateCounts(final String name)
    {
        return !name.startsWith("Raftline timer firing delay") && !name.startsWith("Raftline deadline to outcome");
    }

    private static String line(final String text, final String prefix)
    {
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(prefix))
            {
                return line.substring(prefix.length()).trim();
            }
        }
        return fail("no line '" + prefix + "' in the summary:\n" + text);
    }

    /**
     * Entries that appeared during the run and hold no live media driver: a live one belongs to another process on
     * the host (the suite has closed its own).
     */
    private static Set<String> deadLeftovers(final Set<String> before)
    {
        final Set<String> left = new TreeSet<>();
        for (final String entry : scratchEntries())
        {
            if (!before.contains(entry) && !holdsLiveDriver(new File(entry)))
            {
                left.add(entry);
            }
        }
        return left;
    }

    private static boolean holdsLiveDriver(final File dir)
    {
        if (new File(dir, CncFileDescriptor.CNC_FILE).exists())
        {
            return CommonContext.isDriverActive(dir, TimeUnit.SECONDS.toMillis(10), PerfSuiteSmokeIT::ignore);
        }
        final File[] children = dir.listFiles(File::isDirectory);
        if (null != children)
        {
            for (final File child : children)
            {
                if (holdsLiveDriver(child))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static void ignore(final String message)
    {
    }

    private static Set<String> scratchEntries()
    {
        final Set<String> entries = new TreeSet<>();
        final String[] names = new File("/dev/shm").list((dir, name) -> !name.startsWith("."));
        if (null != names)
        {
            for (final String name : names)
            {
                entries.add("/dev/shm/" + name);
            }
        }
        return entries;
    }
}
