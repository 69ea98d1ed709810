package io.raftline.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One bounded, seeded run of a schedule of nemeses against member processes in network namespaces, with a client
 * process in a namespace of its own, followed by the checks:
 * <ul>
 *     <li>the clients' history is linearizable for the counter;</li>
 *     <li>every acknowledged add is applied exactly once on every member: each member's final counter lies between
 *     the adds acknowledged and those plus the ones whose outcome is unknown, and all members hold the same value at
 *     the same applied index;</li>
 *     <li>faults that must not stop the cluster (a partial partition, a bridge) did not: it committed while they
 *     lasted;</li>
 *     <li>a stalled disk on the leader gave way to a new leader within two election timeouts.</li>
 * </ul>
 * For every fault it reports the longest time without a commit, from the fault's start to the first commit after
 * it healed. Sampling runs on the caller's thread every 10 ms (the members' counters in shared memory).
 */
final class NemesisRun
{
    static final long ELECTION_TIMEOUT_MIN_MS = 150;
    static final long ELECTION_TIMEOUT_MAX_MS = 2 * ELECTION_TIMEOUT_MIN_MS;
    private static final long TICK_MS = 10;
    private static final Pattern SUMMARY = Pattern.compile(
        "acknowledged=(\\d+) failed=(\\d+) unknown=(\\d+) final=(-?\\d+)");
    private static final Pattern FINAL = Pattern.compile("FINAL member=(\\d+) value=(-?\\d+) applied=(-?\\d+)");

    private final NamespaceCluster cluster;
    private final List<Nemesis> schedule;
    private final long seconds;
    private final long seed;
    private final Path dir;
    private final List<Nemesis.Fault> faults = new ArrayList<>();
    private final List<Nemesis.Fault> active = new ArrayList<>();
    private long lastCommit = Long.MIN_VALUE;
    private long lastCommitNs;
    private Process client;
    private long lastTickNs;
    private long longestTickGapNs;

    NemesisRun(final NamespaceCluster cluster, final List<Nemesis> schedule, final long seconds, final long seed,
        final Path dir)
    {
        this.cluster = cluster;
        this.schedule = schedule;
        this.seconds = seconds;
        this.seed = seed;
        this.dir = dir;
    }

    /**
     * Run the schedule, heal, and check.
     *
     * @return the report, one line per fault and a summary per nemesis.
     * @throws AssertionError naming what failed.
     */
    List<String> run()
    {
        final SplittableRandom random = new SplittableRandom(seed);
        cluster.startAll();
        awaitLeader(60_000);

        final Path history = dir.resolve("history.jsonl");
        final Path clientLog = dir.resolve("client.log");
        final long rate = 100;
        // The load outlasts the schedule (whose last fault may start just before the end and hold 3.5 s, then heal
        // for up to 1.5 s): a fault without load would commit nothing and measure nothing.
        final long ops = rate * (seconds + 6);
        final List<String> command = new ArrayList<>(NamespaceCluster.javaCommand(Main.class.getName()));
        command.addAll(List.of("client", "--members", cluster.members(), "--ops", Long.toString(ops),
            "--rate", Long.toString(rate), "--concurrency", "4", "--timeout", "2s", "--history", history.toString(),
            // Reads of every level (lease reads on): the checker holds each to a value inside its interval.
            "--reads", "0.25", "--read-level", "mixed"));
        final long commitBeforeClient = cluster.maxCommitIndex();
        try
        {
            client = new ProcessBuilder(cluster.net().inNamespace(NamespaceCluster.CLIENT, command))
                .redirectErrorStream(true).redirectOutput(clientLog.toFile()).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        try
        {
            // The first fault waits until the client's sessions are open and its adds commit.
            final long loadDeadlineNs = System.nanoTime() + 60_000_000_000L;
            while (cluster.maxCommitIndex() < commitBeforeClient + 20)
            {
                check(client.isAlive() && System.nanoTime() < loadDeadlineNs, "the client committed 16 adds within " +
                    "60 s of its start: " + read(clientLog));
                tick();
                NamespaceCluster.sleepMs(TICK_MS);
            }
            final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < endNs && client.isAlive())
            {
                final List<Nemesis.Fault> started = new ArrayList<>();
                final Nemesis first = schedule.get(random.nextInt(schedule.size()));
                started.add(startFault(first, random));
                if (schedule.size() > 1 && random.nextInt(3) == 0)
                {
                    // Combined: a second fault of another kind on top of the first.
                    Nemesis second;
                    do
                    {
                        second = schedule.get(random.nextInt(schedule.size()));
                    }
                    while (second == first);
                    started.add(startFault(second, random));
                }
                started.forEach((fault) -> fault.isAlone = 1 == started.size());
                long holdMs = 0;
                for (final Nemesis.Fault fault : started)
                {
                    holdMs = Math.max(holdMs, fault.minHoldMs + random.nextLong(fault.maxHoldMs - fault.minHoldMs + 1));
                }
                final long startNs = System.nanoTime();
                final long settleMs = 2 * ELECTION_TIMEOUT_MAX_MS + 300;
                tickUntil(startNs + TimeUnit.MILLISECONDS.toNanos(Math.min(settleMs, holdMs)));
                started.forEach((fault) -> fault.commitAtSettle = cluster.maxCommitIndex());
                tickUntil(startNs + TimeUnit.MILLISECONDS.toNanos(holdMs));
                for (final Nemesis.Fault fault : started)
                {
                    fault.commitAtHeal = cluster.maxCommitIndex();
                    final long healStartNs = System.nanoTime();
                    fault.heal();
                    fault.healNs = System.nanoTime();
                    System.out.printf("nemesis: %.1f s healed %s in %d ms%n", (fault.healNs - faults.get(0).startNs) /
                        1e9, fault, (fault.healNs - healStartNs) / 1_000_000);
                }
                tickUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(1000)));
            }
            final long clientDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 60);
            while (client.isAlive())
            {
                check(System.nanoTime() < clientDeadlineNs, "the client finished within " + (seconds + 60) + " s");
                tick();
                NamespaceCluster.sleepMs(TICK_MS);
            }
            final long convergeDeadlineNs = System.nanoTime() + 60_000_000_000L;
            while (!cluster.isConverged())
            {
                check(System.nanoTime() < convergeDeadlineNs, "every member applied the leader's commit index");
                tick();
                NamespaceCluster.sleepMs(TICK_MS);
            }
        }
        finally
        {
            if (client.isAlive())
            {
                client.destroyForcibly();
            }
        }
        return checkAndReport(clientLog, history);
    }

    private Nemesis.Fault startFault(final Nemesis nemesis, final SplittableRandom random)
    {
        final long beginNs = System.nanoTime();
        final Nemesis.Fault fault = nemesis.start(cluster, random);
        fault.startNs = System.nanoTime();
        System.out.printf("nemesis: started in %d ms%n", (fault.startNs - beginNs) / 1_000_000);
        faults.add(fault);
        active.add(fault);
        System.out.printf("nemesis: %.1f s %s%n", (fault.startNs - faults.get(0).startNs) / 1e9, fault);
        return fault;
    }

    private void tickUntil(final long deadlineNs)
    {
        while (System.nanoTime() < deadlineNs)
        {
            tick();
            NamespaceCluster.sleepMs(TICK_MS);
        }
    }

    /**
     * Sample the members: the highest commit index, the leader; connect members that restarted.
     */
    private void tick()
    {
        cluster.poll();
        final long nowNs = System.nanoTime();
        if (0 != lastTickNs)
        {
            longestTickGapNs = Math.max(longestTickGapNs, nowNs - lastTickNs);
        }
        lastTickNs = nowNs;
        final long commit = cluster.maxCommitIndex();
        final boolean hasCommitted = commit > lastCommit;
        if (hasCommitted)
        {
            lastCommit = commit;
            lastCommitNs = nowNs;
        }
        for (int i = active.size() - 1; i >= 0; i--)
        {
            final Nemesis.Fault fault = active.get(i);
            if (!client.isAlive())
            {
                // No load, no commits: nothing more to measure.
                fault.isClosed = true;
                fault.isUnloaded = true;
                active.remove(i);
                continue;
            }
            fault.longestWithoutCommitNs = Math.max(fault.longestWithoutCommitNs,
                nowNs - Math.max(lastCommitNs, fault.startNs));
            if (0 != fault.healNs && hasCommitted && nowNs > fault.healNs)
            {
                fault.isClosed = true;
                active.remove(i);
            }
        }
    }

    private void awaitLeader(final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (cluster.leaderId() < 0)
        {
            check(System.nanoTime() < deadlineNs, "a leader within " + timeoutMs + " ms of the start");
            cluster.poll();
            NamespaceCluster.sleepMs(TICK_MS);
        }
    }

    private List<String> checkAndReport(final Path clientLog, final Path history)
    {
        final String clientOutput = read(clientLog);
        check(0 == client.exitValue(), "the client exited with 0, not " + client.exitValue() + ": " + clientOutput);
        final Matcher summary = SUMMARY.matcher(clientOutput);
        check(summary.find(), "the client printed its summary: " + clientOutput);

        final List<CounterLinearizability.Op> ops = CounterLinearizability.read(history);
        long ackedAdds = 0;
        long unknownAdds = 0;
        for (final CounterLinearizability.Op op : ops)
        {
            if (0 != op.delta())
            {
                ackedAdds += "ok".equals(op.outcome()) ? 1 : 0;
                unknownAdds += "unknown".equals(op.outcome()) ? 1 : 0;
            }
        }
        check(ackedAdds > 0, "some adds were acknowledged");
        final CounterLinearizability.Result result = CounterLinearizability.check(ops, 0);
        check(result.isLinearizable(), "the history is linearizable: " + result.message() + "; history in " + history);

        final List<String> finals = cluster.stopAll();
        final Set<Long> values = new HashSet<>();
        final Set<Long> applied = new HashSet<>();
        for (final String line : finals)
        {
            final Matcher matcher = FINAL.matcher(line);
            check(matcher.matches(), "a member's last line is its state: " + line);
            final long value = Long.parseLong(matcher.group(2));
            values.add(value);
            applied.add(Long.parseLong(matcher.group(3)));
            check(value >= ackedAdds && value <= ackedAdds + unknownAdds, "member " + matcher.group(1) +
                " applied every acknowledged add once: its counter " + value + " is outside [" + ackedAdds + ", " +
                (ackedAdds + unknownAdds) + "] (acknowledged, + unknown)");
        }
        check(finals.size() == cluster.size(), "every member stopped cleanly and printed its state: " + finals);
        check(1 == values.size() && 1 == applied.size(), "every member ends with the same state: " + finals);

        final List<String> report = new ArrayList<>();
        final Map<Nemesis, Long> longestByNemesis = new EnumMap<>(Nemesis.class);
        final Map<Nemesis, Integer> countByNemesis = new EnumMap<>(Nemesis.class);
        final long firstNs = faults.isEmpty() ? 0 : faults.get(0).startNs;
        for (final Nemesis.Fault fault : faults)
        {
            longestByNemesis.merge(fault.nemesis, fault.longestWithoutCommitNs, Math::max);
            countByNemesis.merge(fault.nemesis, 1, Integer::sum);
            report.add(String.format("  %6.1f s  %-60s held %5d ms, longest without a commit %5d ms%s%s",
                (fault.startNs - firstNs) / 1e9, fault.toString(), (fault.healNs - fault.startNs) / 1_000_000,
                fault.longestWithoutCommitNs / 1_000_000, (fault.isAlone ? "" : " (combined)") +
                (fault.isUnloaded ? " (the load ended first)" : "") +
                (fault.droppedPackets >= 0 ? ", " + fault.droppedPackets + " packets dropped" : "") +
                (null == fault.admin ? "" : ", admin answered \"" + fault.admin.output() + "\""),
                fault.expectedOldLeader < 0 ? "" : ", new leader " + cluster.failoverAfterStallNs(
                fault.expectedOldLeader, fault.expectedOldTerm, fault.startNs - TimeUnit.MILLISECONDS.toNanos(100)) /
                1_000_000 + " ms after the first stalled sync"));
        }
        longestByNemesis.forEach((nemesis, longestNs) -> report.add(String.format(
            "  %s: %d faults, longest without a commit %d ms", nemesis.label(), countByNemesis.get(nemesis),
            longestNs / 1_000_000)));
        report.add("  sampling every " + TICK_MS + " ms, longest gap between samples " + longestTickGapNs / 1_000_000 +
            " ms (the resolution of the times without a commit)");
        report.add("  client: " + summary.group() + "; " + result.message() + "; every member: counter " + values +
            " at index " + applied);

        for (final Nemesis.Fault fault : faults)
        {
            if (fault.droppedPackets >= 0 && fault.isAlone && !fault.isUnloaded)
            {
                // A cut that drops nothing tests nothing: the rules must have caught the members' traffic.
                check(fault.droppedPackets > 0, fault + ": its nftables rules dropped packets\n" +
                    String.join("\n", report));
            }
            if (fault.isLivenessRequired && fault.isAlone && !fault.isUnloaded)
            {
                check(fault.commitAtHeal > fault.commitAtSettle, fault + ": the cluster kept committing (commit " +
                    "index " + fault.commitAtSettle + " two election timeouts in, " + fault.commitAtHeal +
                    " at the heal)\n" + String.join("\n", report));
            }
            checkAdmin(fault, report);
            if (fault.expectedOldLeader >= 0 && fault.isAlone)
            {
                // Timed on the members' clock (their own LEADER and STALLED lines), not on this JVM's sampling.
                final long failoverNs = cluster.failoverAfterStallNs(fault.expectedOldLeader, fault.expectedOldTerm,
                    fault.startNs - TimeUnit.MILLISECONDS.toNanos(100));
                final long boundNs = TimeUnit.MILLISECONDS.toNanos(2 * ELECTION_TIMEOUT_MAX_MS);
                check(failoverNs >= 0 && failoverNs <= boundNs, fault + ": a new leader within two election " +
                    "timeouts (" + 2 * ELECTION_TIMEOUT_MAX_MS + " ms) of the first stalled sync, after " +
                    (failoverNs < 0 ? "never" : failoverNs / 1_000_000 + " ms") + "\n" + String.join("\n", report));
            }
        }
        return report;
    }

    /**
     * The admin tool's convention (Main): 0 done, 1 refused or unreachable, one line, no stack trace; and a transfer
     * made while nothing else was wrong succeeds.
     */
    private void checkAdmin(final Nemesis.Fault fault, final List<String> report)
    {
        if (null == fault.admin)
        {
            return;
        }
        final String output = fault.admin.output();
        final int exitCode = fault.admin.exitCode();
        check(0 == exitCode || Main.FAILED == exitCode, fault + ": admin exited with 0 or " + Main.FAILED + ", not " +
            exitCode + ": " + output);
        check(!output.contains("\tat "), fault + ": admin printed no stack trace: " + output);
        if (fault.isTransferOwed && fault.isAlone)
        {
            check(0 == exitCode && output.startsWith("ok"), fault + ": with every member up and caught up and " +
                "no other fault, the transfer succeeds: " + output + "\n" + String.join("\n", report));
        }
    }

    private void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new AssertionError(what + cluster.describe());
        }
    }

    private static String read(final Path path)
    {
        try
        {
            return Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Append lines to a report file.
     */
    static void append(final Path file, final List<String> lines)
    {
        try
        {
            Files.write(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
