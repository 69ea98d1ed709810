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
 * cluster did not commit. Three runs of the same length: a cluster that never snapshots (the baseline); the same
 * cluster snapshotting every {@code interval} commands (each snapshot writes the whole state); and that cluster while
 * a follower that was down past a compaction restarts and installs the leader's snapshot.
 * <pre>
 *   mvn -q -pl perf validate exec:exec@perf-suite -Draftline.perf.args="sections=snapshots stateMb=100"
 * </pre>
 * or this class's own main ({@code stateMb=100 duration=10s interval=200000}) with the JVM flags of the parent pom
 * ({@code -cp} ignores the jar manifest's {@code Add-Opens}).
 */
public final class SnapshotPauses
{
    private final long stateBytes;
    private final long durationNs;
    private final long intervalEntries;

    private SnapshotPauses(final long stateBytes, final long durationNs, final long intervalEntries)
    {
        this.stateBytes = stateBytes;
        this.durationNs = durationNs;
        this.intervalEntries = intervalEntries;
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
     * @param durationNs      of each phase.
     * @param intervalEntries between snapshots.
     * @return the measurement, ready to {@link #run()}.
     */
    public static SnapshotPauses of(final long stateMb, final long durationNs, final long intervalEntries)
    {
        return new SnapshotPauses(stateMb << 20, durationNs, intervalEntries);
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
            final LoadGenerator.Result result = plain.measure(null);
            report.add(new Phase("no snapshots (baseline)", result, ""));
        }
        try (Cluster cluster = new Cluster(intervalEntries))
        {
            final long takenBefore = cluster.snapshotsTaken();
            final LoadGenerator.Result taking = cluster.measure(null);
            report.add(new Phase("snapshot every " + intervalEntries + " commands", taking,
                String.format(Locale.ROOT, "%d snapshots of %d MB taken by the leader",
                    cluster.snapshotsTaken() - takenBefore, stateBytes >> 20)));

            final int follower = (cluster.leaderId() + 1) % 3;
            cluster.crash(follower);
            final long takenAtCrash = cluster.snapshotsTaken();
            final LoadGenerator.Result whileDown = cluster.measure(null);
            if (cluster.snapshotsTaken() - takenAtCrash < 2)
            {
                throw new IllegalStateException("the leader did not compact past the crashed follower; raise duration");
            }
            report.add(new Phase("one follower down", whileDown, ""));

            final long[] install = new long[2];
            final LoadGenerator.Result installing = cluster.measure(() ->
            {
                final long startNs = System.nanoTime();
                final LargeStateService service = cluster.restart(follower);
                while (service.snapshotsLoaded() < 1 || service.appliedIndex() < cluster.leaderCommit())
                {
                    if (System.nanoTime() - startNs > 120_000_000_000L)
                    {
                        throw new IllegalStateException("the follower did not catch up in 120 s");
                    }
                    Thread.onSpinWait();
                }
                install[0] = System.nanoTime() - startNs;
                install[1] = service.snapshotsLoaded();
            });
            report.add(new Phase("follower restarts and installs", installing, String.format(Locale.ROOT,
                "caught up %.0f ms after restart (%d snapshot(s) loaded: its own, then the leader's %d MB)",
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
            load.closedLoop(8, 0, 2_000_000_000L);
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
                .compactionRetainEntries(10_000)
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

        long snapshotsTaken()
        {
            final int leader = leaderId();
            return leader < 0 ? 0 : services[leader].snapshotsTaken();
        }

        /**
         * Closed loop for the run's duration, with something happening alongside on another thread.
         */
        LoadGenerator.Result measure(final Runnable alongside)
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
            final LoadGenerator.Result result = load.closedLoop(8, 0, durationNs);
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
            if (result.failed() > 0)
            {
                throw new IllegalStateException(result.failed() + " commands failed");
            }
            return result;
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
