package io.raftline.perf;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.raftline.engine.agent.IdleStrategyType;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.RaftMember;
import io.raftline.engine.agent.StorageType;
import io.raftline.engine.client.ClientContext;
import io.raftline.log.Durability;
import io.raftline.samples.LoadGenerator;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.SystemUtil;
import org.agrona.concurrent.status.CountersReader;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Locale;

/**
 * How long commits pause while a member with a large state (default 100 MB) takes a snapshot, and while a member
 * that fell behind the leader's compacted log is brought back by InstallSnapshot.
 * <p>
 * Three members, each on its own thread as in a deployment of one member per host, over IPC of one embedded driver,
 * with file storage. A client keeps one command outstanding, so the slowest round trip is the longest time the
 * cluster did not commit. Phases of {@code duration} each: a cluster that never snapshots (the baseline); the same
 * cluster snapshotting every {@code interval} commands (each snapshot writes the whole state); and that cluster while
 * a follower that was down past a compaction restarts and installs the leader's snapshot. The phases with a follower
 * down and restarting last at least {@code duration}, and as long as their events take: the one with the follower down
 * until the members up have compacted their logs past the follower's last entry (a second snapshot after the crash has
 * started, so the first has finished, however long that takes at the rate the cluster runs), the restart until the
 * follower has installed the leader's snapshot and caught up. The log keeps {@code interval / 20} entries behind a
 * snapshot.
 * <pre>
 *   mvn -q -pl perf validate exec:exec@perf-suite -Draftline.perf.args="sections=snapshots stateMb=100"
 * </pre>
 * or this class's own main ({@code stateMb=100 duration=10s warmup=2s interval=200000}) with the JVM flags of the
 * parent pom ({@code -cp} ignores the jar manifest's {@code Add-Opens}).
 */
public final class SnapshotPauses
{
    private static final long EVENT_TIMEOUT_NS = 120_000_000_000L;
    private static final long CHUNK_NS = 50_000_000L;

    private final long stateBytes;
    private final long durationNs;
    private final long warmupNs;
    private final long intervalEntries;
    private final long retainEntries;

    private SnapshotPauses(
        final long stateBytes, final long durationNs, final long warmupNs, final long intervalEntries)
    {
        if (intervalEntries < 20)
        {
            throw new IllegalArgumentException("interval must be at least 20 commands, not " + intervalEntries);
        }
        this.stateBytes = stateBytes;
        this.durationNs = durationNs;
        this.warmupNs = warmupNs;
        this.intervalEntries = intervalEntries;
        this.retainEntries = intervalEntries / 20;
    }

    /**
     * @param args options as {@code name=value}.
     */
    public static void main(final String[] args)
    {
        final java.util.Map<String, String> options = PerfSuite.options(args);
        final SnapshotPauses pauses = new SnapshotPauses(
            Long.parseLong(options.getOrDefault("stateMb", "100")) << 20,
            SystemUtil.parseDuration("duration", options.getOrDefault("duration", "10s")),
            SystemUtil.parseDuration("warmup", options.getOrDefault("warmup", "2s")),
            Long.parseLong(options.getOrDefault("interval", "200000")));
        for (final Phase phase : pauses.run())
        {
            System.out.println(phase);
        }
    }

    /**
     * One measured phase.
     *
     * @param name   of the phase.
     * @param result of the closed loop through it.
     * @param note   what happened meanwhile.
     */
    public record Phase(String name, LoadGenerator.Result result, String note)
    {
        /**
         * @return one line for a console.
         */
        public String toString()
        {
            final org.HdrHistogram.Histogram histogram = result.histogram();
            return String.format(Locale.ROOT,
                "%-34s %8.0f cmd/s  p50 %6.1f us  p99 %7.1f us  p99.9 %8.1f us  max %8.2f ms  %s", name,
                result.ratePerSecond(), histogram.getValueAtPercentile(50) / 1e3,
                histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3,
                histogram.getMaxValue() / 1e6, note);
        }
    }

    /**
     * @param stateMb         state of each member's service, in MiB.
     * @param durationNs      of each phase (the least: a phase waiting for an event runs until it happened).
     * @param warmupNs        of each cluster before its first phase.
     * @param intervalEntries between snapshots (at least 20).
     * @return the measurement, ready to {@link #run()}.
     */
    public static SnapshotPauses of(
        final long stateMb, final long durationNs, final long warmupNs, final long intervalEntries)
    {
        return new SnapshotPauses(stateMb << 20, durationNs, warmupNs, intervalEntries);
    }

    /**
     * Run the phases.
     *
     * @return the phases measured.
     */
    public java.util.List<Phase> run()
    {
        final java.util.List<Phase> report = new java.util.ArrayList<>();
        try (Cluster plain = new Cluster(0))
        {
            final LoadGenerator.Result result = plain.measure(null, () -> true);
            report.add(new Phase("no snapshots (baseline)", result, ""));
        }
        try (Cluster cluster = new Cluster(intervalEntries))
        {
            final long takenBefore = cluster.snapshotsTaken();
            final LoadGenerator.Result taking = cluster.measure(null, () -> true);
            report.add(new Phase("snapshot every " + intervalEntries + " commands", taking,
                String.format(Locale.ROOT, "%d snapshots of %d MB taken by the leader",
                    cluster.snapshotsTaken() - takenBefore, stateBytes >> 20)));

            final int follower = (cluster.leaderId() + 1) % 3;
            cluster.crash(follower);
            // The follower's log ends where the leader's did when it stopped, or before.
            final long crashIndex = cluster.lastLogIndex();
            final long takenAtCrash = cluster.snapshotsTaken();
            // Compacted past the follower on both members up: whichever leads when it restarts must send its
            // snapshot. A member has compacted past it once a snapshot after the crash has finished far enough on for
            // the entries its log keeps behind the snapshot to start after the follower's last one.
            final LoadGenerator.Result whileDown = cluster.measure(null, () -> cluster.compactedPast(crashIndex));
            report.add(new Phase("one follower down", whileDown, String.format(Locale.ROOT,
                "%d commands, %d snapshots while down, log compacted past the follower's last entry %d",
                whileDown.completed(), cluster.snapshotsTaken() - takenAtCrash, crashIndex)));

            final long[] install = new long[2];
            final LoadGenerator.Result installing = cluster.measure(() ->
            {
                final long startNs = System.nanoTime();
                final LargeStateService service = cluster.restart(follower);
                // Its own snapshot (if it took one) ends at or before crashIndex: only the leader's goes beyond.
                while (service.loadedSnapshotIndex() <= crashIndex || service.appliedIndex() < cluster.leaderCommit())
                {
                    if (System.nanoTime() - startNs > EVENT_TIMEOUT_NS)
                    {
                        throw new IllegalStateException("the follower did not install the leader's snapshot and " +
                            "catch up in 120 s: loaded snapshot index " + service.loadedSnapshotIndex() +
                            ", crashed at " + crashIndex + ", applied " + service.appliedIndex());
                    }
                    Thread.onSpinWait();
                }
                install[0] = System.nanoTime() - startNs;
                install[1] = service.snapshotsLoaded();
            }, () -> true);
            report.add(new Phase("follower restarts and installs", installing, String.format(Locale.ROOT,
                "caught up %.0f ms after restart (%d snapshot(s) loaded, the last the leader's %d MB)",
                install[0] / 1e6, install[1], stateBytes >> 20)));
        }
        return report;
    }

    /**
     * Three members on their own threads and a load generator.
     */
    private final class Cluster implements AutoCloseable
    {
        private final File dir;
        private final MediaDriver driver;
        private final Aeron aeron;
        private final RaftMember[] members = new RaftMember[3];
        private final LargeStateService[] services = new LargeStateService[3];
        private final long interval;
        private final LoadGenerator load;

        Cluster(final long interval)
        {
            this.interval = interval;
            try
            {
                dir = Files.createTempDirectory("raftline-snapshot-pauses").toFile();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            driver = RaftMember.launchEmbeddedDriver("raftline-snapshot-pauses");
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            for (int i = 0; i < 3; i++)
            {
                restart(i);
            }
            final long deadlineNs = System.nanoTime() + 30_000_000_000L;
            while (leaderId() < 0)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("no leader in 30 s");
                }
                Thread.onSpinWait();
            }
            load = new LoadGenerator(new ClientContext()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .members("0,1,2")
                .maxInflight(16), new YieldingIdleStrategy());
            load.closedLoop(8, 0, warmupNs);
        }

        LargeStateService restart(final int id)
        {
            services[id] = new LargeStateService(stateBytes);
            members[id] = RaftMember.launch(new MemberContext()
                .memberId(id)
                .members("0,1,2")
                .dir(dir.getPath())
                .storage(StorageType.FILE)
                .durability(Durability.NONE)
                .idleStrategy(IdleStrategyType.YIELD)
                .aeron(aeron)
                .electionTimeoutNs(300_000_000L, 600_000_000L)
                .heartbeatIntervalNs(20_000_000L)
                .snapshotInterval(interval, 0)
                .compactionRetainEntries(retainEntries)
                .service(services[id]));
            return services[id];
        }

        void crash(final int id)
        {
            members[id].close();
            members[id] = null;
        }

        int leaderId()
        {
            for (final RaftMember member : members)
            {
                if (null != member && io.raftline.engine.core.RaftRole.LEADER == member.role())
                {
                    return member.context().memberId();
                }
            }
            return -1;
        }

        long leaderCommit()
        {
            final int leader = leaderId();
            return leader < 0 ? Long.MAX_VALUE : members[leader].commitIndex();
        }

        /**
         * @return the highest last log index the members up publish in their counters.
         */
        long lastLogIndex()
        {
            final CountersReader counters = aeron.countersReader();
            final long[] highest = {-1};
            for (int i = 0; i < members.length; i++)
            {
                if (null != members[i])
                {
                    final String label = "raftline member=" + i + " last-log-index";
                    counters.forEach((counterId, typeId, keyBuffer, counterLabel) ->
                    {
                        if (label.equals(counterLabel))
                        {
                            highest[0] = Math.max(highest[0], counters.getCounterValue(counterId));
                        }
                    });
                }
            }
            if (highest[0] < 0)
            {
                throw new IllegalStateException("no last-log-index counter among " + counters.maxCounterId());
            }
            return highest[0];
        }

        boolean compactedPast(final long index)
        {
            for (int i = 0; i < members.length; i++)
            {
                if (null != members[i] && services[i].previousSnapshotIndex() - retainEntries <= index)
                {
                    return false;
                }
            }
            return true;
        }

        long snapshotsTaken()
        {
            final int leader = leaderId();
            return leader < 0 ? 0 : services[leader].snapshotsTaken();
        }

        /**
         * Closed loop for at least the run's duration, and until what happens alongside on another thread has finished
         * and the condition holds.
         */
        LoadGenerator.Result measure(final Runnable alongside, final java.util.function.BooleanSupplier until)
        {
            final Throwable[] failure = new Throwable[1];
            Thread thread = null;
            if (null != alongside)
            {
                thread = new Thread(() ->
                {
                    try
                    {
                        alongside.run();
                    }
                    catch (final Throwable t)
                    {
                        failure[0] = t;
                    }
                }, "snapshot-pauses-alongside");
                thread.start();
            }
            final org.HdrHistogram.Histogram histogram = io.raftline.samples.LatencyReport.newHistogram();
            long completed = 0;
            long failed = 0;
            double seconds = 0;
            final long startNs = System.nanoTime();
            while (true)
            {
                // In chunks, so that the loop ends soon after the event, whenever it comes.
                final long elapsedNs = System.nanoTime() - startNs;
                final LoadGenerator.Result chunk = load.closedLoop(8, 0, elapsedNs < durationNs ?
                    Math.min(CHUNK_NS, durationNs - elapsedNs) : CHUNK_NS);
                histogram.add(chunk.histogram());
                completed += chunk.completed();
                failed += chunk.failed();
                seconds += chunk.seconds();
                final boolean isAlongsideDone = null == thread || !thread.isAlive();
                if (System.nanoTime() - startNs >= durationNs && isAlongsideDone && until.getAsBoolean())
                {
                    break;
                }
                if (null != failure[0])
                {
                    break;
                }
                if (System.nanoTime() - startNs > durationNs + EVENT_TIMEOUT_NS)
                {
                    throw new IllegalStateException("what the phase waits for did not happen in 120 s: " + completed +
                        " commands, leader " + leaderId() + ", snapshots taken by the leader " + snapshotsTaken());
                }
            }
            if (null != thread)
            {
                try
                {
                    thread.join();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            if (null != failure[0])
            {
                throw new IllegalStateException(failure[0]);
            }
            if (failed > 0)
            {
                throw new IllegalStateException(failed + " commands failed");
            }
            return new LoadGenerator.Result(histogram, completed, failed, seconds, completed);
        }

        public void close()
        {
            CloseHelper.quietClose(load);
            for (final RaftMember member : members)
            {
                CloseHelper.quietClose(member);
            }
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir, true);
        }
    }
}
