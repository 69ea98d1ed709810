package io.raftline.perf;

import io.raftline.engine.client.ReadConsistency;
import io.raftline.perf.baseline.AeronClusterBaseline;
import io.raftline.perf.baseline.AeronPingPong;
import io.raftline.perf.baseline.AeronRelay;
import io.raftline.perf.baseline.BaselineResult;
import io.raftline.samples.LatencyReport;
import io.raftline.samples.LoadGenerator;
import io.raftline.samples.ProcessCluster;
import org.HdrHistogram.Histogram;
import org.agrona.SystemUtil;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The performance suite: Raftline and its baselines measured in one run on one machine, printed as a table of
 * ratios, with .hgrm files and percentile plots.
 * <pre>
 * mvn -B -q install -DskipTests &amp;&amp; mvn -q -pl perf validate exec:exec@perf-suite \
 *     [-Draftline.perf.args="duration=10s warmup=3s"]
 * </pre>
 * Options ({@code name=value}): {@code duration} of each measured phase, {@code warmup}, {@code quick=true} (one
 * second each, for a smoke run: the sweep's rates and the sizes a third of a second each, a tenth of the floor's
 * warm-up round trips, the snapshots section 16 MB every 20,000 commands, fewer failovers and transfers, a shorter
 * catch-up log; {@code PerfSuiteSmokeIT} runs it in {@code mvn verify}), {@code report=perf-report} (output
 * directory), {@code sections=...} (a comma list of floor, ipc, cluster, sweep, sizes, five, udp, durable, failover,
 * snapshots, timers, membership, reads; default all), {@code udpIdle} (idle strategy of all the UDP members,
 * default yield), {@code memberOpts=-Da=b,-Dc=d} (JVM options of the UDP member processes), {@code stateMb=100}
 * (state of each member in the snapshots and membership sections), {@code snapshotInterval=200000} (commands between
 * the snapshots section's snapshots), {@code ipcIdle=busy} (idle strategy of the IPC cluster's member thread),
 * {@code failovers=20} (leader kills timed in the failover section), {@code catchUpEntries=1000000} and
 * {@code transfers=20} (the membership section: the log a new learner catches up from, and the leadership transfers
 * timed).
 * <p>
 * The {@code durable} section runs the {@code ipc} and {@code udp} rows again at {@code durability=batch} (each member
 * forces its log before it acknowledges), beside their {@code durability=none} rows: what durability costs end to end.
 */
public final class PerfSuite
{
    private static final int[] PAYLOADS = {32, 256, 1024, 4096, 16384, 65536};

    private final long durationNs;
    private final long warmupNs;
    private final File reportDir;
    private final List<String> sections;
    private final List<Row> rows = new ArrayList<>();
    private final StringBuilder notes = new StringBuilder();
    private final StringBuilder headline = new StringBuilder();
    private Histogram floorIpc;
    private Histogram floorUdp;
    private Histogram floorRelay;
    private int failovers = 20;
    private String udpIdle = "yield";
    private long stateMb = 100;
    private long catchUpEntries = 1_000_000;
    private int transfers = 20;
    private long snapshotInterval = 200_000;
    private Histogram clusterBaseline;
    private boolean isQuick;
    private String currentSection;
    private long sectionStartNs;
    private final StringBuilder sectionTimes = new StringBuilder();

    record Row(String name, Histogram histogram, double rate, String comparison)
    {
    }

    private PerfSuite(final long durationNs, final long warmupNs, final File reportDir, final List<String> sections)
    {
        this.durationNs = durationNs;
        this.warmupNs = warmupNs;
        this.reportDir = reportDir;
        this.sections = sections;
    }

    /**
     * @param args options as {@code name=value}.
     */
    public static void main(final String[] args)
    {
        runSuite(args);
    }

    /**
     * Run the suite as {@link #main(String[])} does.
     *
     * @param args options as {@code name=value}.
     * @return the rows of the report, in order.
     */
    static List<Row> runSuite(final String[] args)
    {
        final java.util.Map<String, String> options = options(args);
        final boolean isQuick = Boolean.parseBoolean(options.getOrDefault("quick", "false"));
        final long durationNs = SystemUtil.parseDuration("duration", options.getOrDefault("duration",
            isQuick ? "1s" : "10s"));
        final long warmupNs = SystemUtil.parseDuration("warmup", options.getOrDefault("warmup", isQuick ? "1s" : "3s"));
        final List<String> sections = List.of(options.getOrDefault("sections",
            "floor,ipc,cluster,sweep,sizes,five,udp,durable,failover,snapshots,timers,membership,reads").split(","));
        final PerfSuite suite = new PerfSuite(
            durationNs, warmupNs, new File(options.getOrDefault("report", "perf-report")), sections);
        suite.isQuick = isQuick;
        suite.failovers = Integer.parseInt(options.getOrDefault("failovers", isQuick ? "3" : "20"));
        suite.udpIdle = options.getOrDefault("udpIdle", "yield");
        // Quick: a smaller state snapshotted more often, so that the snapshot phases' events happen in about a second.
        suite.stateMb = Long.parseLong(options.getOrDefault("stateMb", isQuick ? "16" : "100"));
        suite.snapshotInterval = Long.parseLong(options.getOrDefault("snapshotInterval", isQuick ? "20000" : "200000"));
        suite.catchUpEntries = Long.parseLong(options.getOrDefault("catchUpEntries", isQuick ? "20000" : "1000000"));
        suite.transfers = Integer.parseInt(options.getOrDefault("transfers", isQuick ? "5" : "20"));
        if (options.containsKey("ipcIdle"))
        {
            System.setProperty(RaftlineScenarios.IPC_IDLE_PROP_NAME, options.get("ipcIdle"));
        }
        if (options.containsKey("memberOpts"))
        {
            // JVM options of the UDP member processes, comma separated: memberOpts=-Dname=value,-Dother=value
            System.setProperty(
                ProcessCluster.MEMBER_JVM_OPTIONS_PROP_NAME, options.get("memberOpts").replace(',', ' '));
        }
        suite.run();
        return suite.rows;
    }

    /**
     * Parse {@code name=value} arguments, and quieten library logging for a report.
     *
     * @param args of a main method.
     * @return the options by name.
     */
    static java.util.Map<String, String> options(final String[] args)
    {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        final java.util.Map<String, String> options = new java.util.HashMap<>();
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("options are name=value, not '" + arg + "'");
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return options;
    }

    private void run()
    {
        System.out.printf(Locale.ROOT, "Raftline performance suite: %d s per phase after %d s warm-up, %d cores, %s%n",
            durationNs / 1_000_000_000L, warmupNs / 1_000_000_000L, Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        if (section("floor"))
        {
            floor();
        }
        final LatencyReport ipcPlot = new LatencyReport();
        if (section("cluster"))
        {
            aeronCluster(ipcPlot);
        }
        if (section("ipc"))
        {
            raftlineIpc(ipcPlot);
        }
        if (null != floorIpc)
        {
            ipcPlot.add("Aeron IPC ping-pong (floor)", floorIpc);
        }
        if (section("sweep"))
        {
            sweep();
        }
        if (section("sizes"))
        {
            sizes();
        }
        if (section("five"))
        {
            fiveMembers();
        }
        final LatencyReport udpPlot = new LatencyReport();
        if (section("udp"))
        {
            udp(udpPlot);
        }
        if (section("durable"))
        {
            rows.addAll(DurableScenarios.rows(warmupNs, durationNs, udpIdle, rows));
        }
        if (section("failover"))
        {
            failover();
        }
        if (section("snapshots"))
        {
            snapshots();
        }
        if (section("timers"))
        {
            timers();
        }
        if (section("membership"))
        {
            final MembershipScenarios membership =
                new MembershipScenarios(durationNs, catchUpEntries, stateMb, transfers).run();
            rows.addAll(membership.rows());
            notes.append(membership.notes());
        }
        if (section("reads"))
        {
            reads();
        }
        print();
        final File ipcPng = ipcPlot.write(reportDir, "ipc", "3 members over IPC, one command outstanding, 32 B");
        final File udpPng = udpPlot.write(reportDir, "udp", "3 members over UDP 127.0.0.1 (processes, one JVM), 32 B");
        System.out.printf("plots: %s %s (.hgrm files beside them)%n", ipcPng.getAbsolutePath(),
            udpPng.getAbsolutePath());
    }

    /**
     * Whether a section is selected; when it is, the previous section's time is recorded, so that the notes say how
     * long each section took and a long run prints its progress.
     */
    private boolean section(final String name)
    {
        if (!sections.contains(name))
        {
            return false;
        }
        endSection();
        currentSection = name;
        sectionStartNs = System.nanoTime();
        System.out.println("section " + name + " ...");
        return true;
    }

    private void endSection()
    {
        if (null != currentSection)
        {
            final double seconds = (System.nanoTime() - sectionStartNs) / 1e9;
            System.out.printf(Locale.ROOT, "section %s: %.1f s%n", currentSection, seconds);
            sectionTimes.append(sectionTimes.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s %.1f", currentSection, seconds));
            currentSection = null;
        }
    }

    /**
     * A phase of a run of ten of them lasts at least a second, for numbers; in a smoke run as long as asked.
     */
    private long atLeastASecond(final long ns)
    {
        return isQuick ? ns : Math.max(1_000_000_000L, ns);
    }

    private void timers()
    {
        final TimerScenarios.Result result = TimerScenarios.auctions(warmupNs, durationNs);
        rows.add(new Row("Raftline 3 members IPC, auction bids (time and a timer per auction)",
            result.bidRoundTrip(), result.bidsPerSecond(), ""));
        rows.add(new Row("Raftline timer firing delay, deadline to onTimer on the leader", result.firingDelay(), 0,
            result.auctions() + " auctions of 20 ms"));
        rows.add(new Row("Raftline deadline to outcome at a participant", result.deadlineToOutcome(), 0,
            result.outcomesMissing() + " outcomes missing"));
    }

    private void floor()
    {
        notes.append(Hiccups.measure(2, Math.min(durationNs, 10_000_000_000L))).append('\n');
        final BaselineResult ipc = AeronPingPong.roundTrips(AeronPingPong.Medium.IPC, 32, isQuick ? 10_000 : 100_000,
            durationNs);
        floorIpc = ipc.histogram();
        rows.add(new Row("Aeron IPC ping-pong, 32 B (floor)", ipc.histogram(), ipc.ratePerSecond(), ""));
        final BaselineResult udp = AeronPingPong.roundTrips(AeronPingPong.Medium.UDP, 32, isQuick ? 2_000 : 20_000,
            durationNs);
        floorUdp = udp.histogram();
        rows.add(new Row("Aeron UDP ping-pong, 32 B (floor)", udp.histogram(), udp.ratePerSecond(), ""));
        // A commit's two round trips and the leader's fan-out over UDP with nothing but Aeron, in the layout of
        // Raftline's one-JVM UDP row: the floor that row is held against, beside the two-party ping-pong.
        try (AeronRelay relay = AeronRelay.launch(2))
        {
            relay.closedLoop(32, Math.min(warmupNs, 2_000_000_000L));
            final BaselineResult closed = relay.closedLoop(32, durationNs);
            floorRelay = closed.histogram();
            rows.add(new Row("Aeron UDP relay, client, leader and 2 followers, 1 outstanding (floor of a commit)",
                closed.histogram(), closed.ratePerSecond(), ratios(closed.histogram(), floorUdp, null)));
            final BaselineResult window = relay.throughput(1000, 32, durationNs / 2);
            rows.add(new Row(
                "Aeron UDP relay, 1000 outstanding (each message forwarded alone: the layout without Raft)",
                window.histogram(), window.ratePerSecond(), ""));
        }
    }

    private void aeronCluster(final LatencyReport plot)
    {
        try (AeronClusterBaseline cluster = AeronClusterBaseline.launch())
        {
            notes.append(String.format(Locale.ROOT, "Aeron Cluster: leader %.0f ms after launch%n",
                cluster.leaderElectedAfterNs() / 1e6));
            cluster.closedLoop(32, 0, warmupNs);
            final BaselineResult closed = cluster.closedLoop(32, 0, durationNs);
            clusterBaseline = closed.histogram();
            rows.add(new Row("Aeron Cluster 3 members, 1 outstanding", closed.histogram(), closed.ratePerSecond(), ""));
            plot.add("Aeron Cluster", closed.histogram());
            final BaselineResult window = cluster.throughput(1000, 32, durationNs / 2);
            rows.add(new Row("Aeron Cluster 3 members, 1000 outstanding", window.histogram(), window.ratePerSecond(),
                ""));
        }
    }

    private void raftlineIpc(final LatencyReport plot)
    {
        RaftlineScenarios.withIpcCluster(3, 1000, (cluster) ->
        {
            notes.append(String.format(Locale.ROOT, "Raftline: leader %.0f ms after launch (3 members, IPC)%n",
                cluster.electionMs()));
            final LoadGenerator load = cluster.load();
            load.closedLoop(32, 0, warmupNs);
            final LoadGenerator.Result closed = load.closedLoop(32, 0, durationNs);
            rows.add(new Row("Raftline 3 members IPC, 1 outstanding", closed.histogram(), closed.ratePerSecond(),
                ratios(closed.histogram(), floorIpc, clusterBaseline)));
            plot.add("Raftline", closed.histogram());
            final LoadGenerator.Result window = load.throughput(1000, 32, durationNs / 2);
            rows.add(new Row("Raftline 3 members IPC, 1000 outstanding", window.histogram(), window.ratePerSecond(),
                ""));
            return null;
        });
    }

    /**
     * Open loop at rising rates until the cluster no longer keeps up: each rate's percentiles (from each command's due
     * time, so stalls count for every command they delay), and the highest rate whose p99 stays under 1 ms.
     */
    private void sweep()
    {
        final Hiccups.Profile meter = Hiccups.profile(2, durationNs);
        final double[] sustained = {0};
        final List<LoadHeadline.Phase> phases = RaftlineScenarios.withIpcCluster(3, 4096, (cluster) ->
        {
            final LoadGenerator load = cluster.load();
            load.throughput(256, 32, warmupNs);
            double best = 0;
            Histogram bestHistogram = null;
            for (final double rate : new double[]{50_000, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000,
                800_000, 1_000_000, 1_200_000, 1_500_000, 2_000_000})
            {
                final LoadGenerator.Result result = load.openLoop(rate, 32, atLeastASecond(durationNs / 3));
                final double p99Us = LatencyReport.micros(result.histogram(), 99);
                notes.append(String.format(Locale.ROOT,
                    "sweep: %,.0f/s offered, %,.0f/s answered in time, p50 %.0f us, p90 %.0f us, p99 %.0f us, " +
                    "max %.0f us%n", rate, result.inTimeRatePerSecond(), LatencyReport.micros(result.histogram(), 50),
                    LatencyReport.micros(result.histogram(), 90), p99Us, result.histogram().getMaxValue() / 1e3));
                // Kept up: answered within the phase what it offered (the open loop answers everything in the end,
                // so the total says nothing; a cluster that falls behind answers the rest after the phase).
                if (result.inTimeRatePerSecond() < rate * 0.98)
                {
                    break;
                }
                sustained[0] = rate;
                rows.add(new Row(String.format(Locale.ROOT, "Raftline open loop %,.0f/s", rate), result.histogram(),
                    result.ratePerSecond(), ""));
                if (p99Us <= 1000)
                {
                    best = rate;
                    bestHistogram = result.histogram();
                }
            }
            notes.append(null == bestHistogram ? "sweep: no rate kept p99 <= 1 ms\n" :
                String.format(Locale.ROOT, "sweep: highest rate with p99 <= 1 ms: %,.0f/s%n", best));
            return sustained[0] > 0 ? LoadHeadline.run(cluster, sustained[0], durationNs) : null;
        });
        if (null == phases)
        {
            notes.append("latency under load: no step of the sweep was sustained, no headline\n");
            return;
        }
        // The same open loop at the same rates over Aeron alone and on Aeron Cluster, after the cluster closed: its
        // member thread spins even when idle and would be their competition for the cores.
        final List<LoadHeadline.Peers> peers = LoadHeadline.peers(phases, warmupNs, durationNs);
        headline.append(LoadHeadline.table(phases, peers, meter, sustained[0],
            "the sweep's highest step answered >= 98% of offered within the step")).append('\n');
    }

    private void sizes()
    {
        RaftlineScenarios.withIpcCluster(3, 64, (cluster) ->
        {
            final LoadGenerator load = cluster.load();
            for (final int payload : PAYLOADS)
            {
                load.closedLoop(payload, 0, isQuick ? warmupNs / 4 : Math.min(warmupNs, 1_000_000_000L));
                final LoadGenerator.Result result = load.closedLoop(payload, 0, atLeastASecond(durationNs / 3));
                rows.add(new Row("Raftline 3 members IPC, " + payload + " B", result.histogram(),
                    result.ratePerSecond(), ""));
            }
            return null;
        });
    }

    /**
     * Reads without a log write (issue 12), in one run of 3 IPC members with lease reads on: one outstanding, each
     * kind of read against writes; 1000 outstanding, reads/s of each kind against writes/s (follower reads spread over
     * the three members, against the leader alone for ReadIndex).
     */
    private void reads()
    {
        try (RaftlineScenarios.IpcCluster cluster = new RaftlineScenarios.IpcCluster(3, "file", "none", 1000, true))
        {
            final LoadGenerator load = cluster.load();
            load.closedLoop(32, 0, warmupNs);
            final LoadGenerator.Result write = load.closedLoop(32, 0, durationNs / 2);
            rows.add(new Row("Reads run: write, 1 outstanding", write.histogram(), write.ratePerSecond(), ""));
            for (final ReadConsistency level : ReadConsistency.values())
            {
                load.closedLoopReads(level, warmupNs / 2);
                final LoadGenerator.Result read = load.closedLoopReads(level, durationNs / 2);
                rows.add(new Row("Reads run: " + name(level) + " read, 1 outstanding", read.histogram(),
                    read.ratePerSecond(), String.format(Locale.ROOT, "p50 %.2f×, p99 %.2f× the write's",
                    ratio(read.histogram(), write.histogram(), 50), ratio(read.histogram(), write.histogram(), 99))));
            }
            final LoadGenerator.Result writes = load.throughput(1000, 32, durationNs / 2);
            rows.add(new Row("Reads run: writes, 1000 outstanding", writes.histogram(), writes.ratePerSecond(), ""));
            for (final ReadConsistency level : ReadConsistency.values())
            {
                final LoadGenerator.Result reads = load.readThroughput(level, 1000, durationNs / 2);
                rows.add(new Row("Reads run: " + name(level) + " reads, 1000 outstanding" +
                    (ReadConsistency.FOLLOWER == level ? " (all 3 members)" : " (the leader)"), reads.histogram(),
                    reads.ratePerSecond(), String.format(Locale.ROOT, "%.1f× writes/s",
                    reads.ratePerSecond() / writes.ratePerSecond())));
            }
        }
    }

    private static String name(final ReadConsistency level)
    {
        return ReadConsistency.LINEARIZABLE == level ? "ReadIndex" : level.name().toLowerCase(Locale.ROOT);
    }

    private static double ratio(final Histogram a, final Histogram b, final double percentile)
    {
        return (double)a.getValueAtPercentile(percentile) / Math.max(1, b.getValueAtPercentile(percentile));
    }

    private void fiveMembers()
    {
        RaftlineScenarios.withIpcCluster(5, 1000, (cluster) ->
        {
            final LoadGenerator load = cluster.load();
            load.closedLoop(32, 0, warmupNs);
            final LoadGenerator.Result closed = load.closedLoop(32, 0, durationNs / 2);
            rows.add(new Row("Raftline 5 members IPC, 1 outstanding", closed.histogram(), closed.ratePerSecond(),
                ratios(closed.histogram(), floorIpc, clusterBaseline)));
            return null;
        });
    }

    private void udp(final LatencyReport plot)
    {
        try (RaftlineScenarios.UdpProcesses cluster = new RaftlineScenarios.UdpProcesses(3, 1000, udpIdle))
        {
            final LoadGenerator load = cluster.load();
            load.closedLoop(32, 0, warmupNs);
            final LoadGenerator.Result closed = load.closedLoop(32, 0, durationNs);
            rows.add(new Row("Raftline 3 processes UDP, 1 outstanding", closed.histogram(), closed.ratePerSecond(),
                udpRatios(closed.histogram())));
            plot.add("Raftline 3 processes UDP", closed.histogram());
            final LoadGenerator.Result window = load.throughput(1000, 32, durationNs / 2);
            rows.add(new Row("Raftline 3 processes UDP, 1000 outstanding", window.histogram(), window.ratePerSecond(),
                ""));
        }
        udpOneJvm(plot);
        aeronClusterUdpClient(plot);
        if (null != floorUdp)
        {
            plot.add("Aeron UDP ping-pong (floor)", floorUdp);
        }
    }

    /**
     * The same three members over UDP, in this JVM with a driver each: the Aeron Cluster baseline's layout.
     */
    private void udpOneJvm(final LatencyReport plot)
    {
        try (UdpOneJvmCluster cluster = new UdpOneJvmCluster(3, 1000, udpIdle, "none"))
        {
            notes.append(String.format(Locale.ROOT, "Raftline: leader %.0f ms after launch (3 members, UDP, one JVM)%n",
                cluster.electionMs()));
            final LoadGenerator load = cluster.load();
            load.closedLoop(32, 0, warmupNs);
            final LoadGenerator.Result closed = load.closedLoop(32, 0, durationNs);
            rows.add(new Row("Raftline 3 members UDP one JVM, 1 outstanding", closed.histogram(),
                closed.ratePerSecond(), udpRatios(closed.histogram())));
            plot.add("Raftline 3 members UDP one JVM", closed.histogram());
            final LoadGenerator.Result window = load.throughput(1000, 32, durationNs / 2);
            rows.add(new Row("Raftline 3 members UDP one JVM, 1000 outstanding", window.histogram(),
                window.ratePerSecond(), ""));
        }
    }

    /**
     * The Aeron Cluster baseline again with its client over UDP from its own driver (the baseline of the cluster
     * section attaches its client over IPC to the leader's driver): Raftline's UDP client sends over UDP too.
     */
    private void aeronClusterUdpClient(final LatencyReport plot)
    {
        try (AeronClusterBaseline cluster = AeronClusterBaseline.launchUdpClient())
        {
            cluster.closedLoop(32, 0, warmupNs);
            final BaselineResult closed = cluster.closedLoop(32, 0, durationNs);
            rows.add(new Row("Aeron Cluster 3 members, client over UDP, 1 outstanding", closed.histogram(),
                closed.ratePerSecond(), udpRatios(closed.histogram())));
            plot.add("Aeron Cluster, client over UDP", closed.histogram());
            final BaselineResult window = cluster.throughput(1000, 32, durationNs / 2);
            rows.add(new Row("Aeron Cluster 3 members, client over UDP, 1000 outstanding", window.histogram(),
                window.ratePerSecond(), ""));
        }
    }

    /**
     * Failover time of three UDP member processes under load, Raftline then Aeron Cluster (see FailoverScenarios):
     * option {@code failovers=20} leader kills per system (3 in quick mode).
     */
    private void failover()
    {
        final long settleNs = Math.max(200_000_000L, durationNs / 5);
        final List<io.raftline.perf.baseline.Failovers.Result> results = List.of(
            FailoverScenarios.raftline(failovers, settleNs, udpIdle),
            FailoverScenarios.aeronCluster(failovers, settleNs));
        headline.append(FailoverScenarios.table(results)).append('\n');
        for (final io.raftline.perf.baseline.Failovers.Result result : results)
        {
            notes.append("failover: ").append(result.summary()).append('\n');
        }
    }

    /**
     * Commit pauses while each member's 100 MB state is snapshotted, and while a follower installs the leader's.
     */
    private void snapshots()
    {
        for (final SnapshotPauses.Phase phase : SnapshotPauses.of(stateMb, durationNs, Math.min(warmupNs,
            2_000_000_000L), snapshotInterval).run())
        {
            rows.add(new Row(stateMb + " MB state, " + phase.name(), phase.result().histogram(),
                phase.result().ratePerSecond(), phase.note()));
        }
    }

    /**
     * A UDP row's p50 against the ping-pong floor and against the relay's (the floor of a commit).
     */
    private String udpRatios(final Histogram histogram)
    {
        final String vsFloor = ratios(histogram, floorUdp, null);
        return null == floorRelay ? vsFloor : vsFloor + String.format(Locale.ROOT, "; p50 %.1fx relay",
            (double)histogram.getValueAtPercentile(50) / Math.max(1, floorRelay.getValueAtPercentile(50)));
    }

    private static String ratios(final Histogram histogram, final Histogram floor, final Histogram cluster)
    {
        final StringBuilder builder = new StringBuilder();
        if (null != floor)
        {
            builder.append(String.format(Locale.ROOT, "p50 %.1fx floor", (double)histogram.getValueAtPercentile(50) /
                Math.max(1, floor.getValueAtPercentile(50))));
        }
        if (null != cluster)
        {
            builder.append(String.format(Locale.ROOT, "; Aeron Cluster / Raftline: p50 %.1fx, p99 %.1fx",
                (double)cluster.getValueAtPercentile(50) / Math.max(1, histogram.getValueAtPercentile(50)),
                (double)cluster.getValueAtPercentile(99) / Math.max(1, histogram.getValueAtPercentile(99))));
        }
        return builder.toString();
    }

    private void print()
    {
        endSection();
        notes.append("sections run, seconds each: ").append(sectionTimes).append('\n');
        final StringBuilder table = new StringBuilder();
        table.append("| scenario | p50 | p90 | p99 | p99.9 | max | commands/s | ratios |\n");
        table.append("|---|---|---|---|---|---|---|---|\n");
        for (final Row row : rows)
        {
            final Histogram h = row.histogram();
            table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %,.0f | %s |%n", row.name(),
                us(h, 50), us(h, 90), us(h, 99), us(h, 99.9), format(h.getMaxValue()), row.rate(), row.comparison()));
        }
        if (!RaftlineScenarios.ELECTIONS_MS.isEmpty())
        {
            final StringBuilder elections = new StringBuilder();
            for (final double ms : RaftlineScenarios.ELECTIONS_MS)
            {
                elections.append(elections.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", ms));
            }
            notes.append("Raftline IPC clusters of this run, launch to leader in ms, in order (the first loads the " +
                "classes): ").append(elections).append('\n');
        }
        System.out.println();
        System.out.print(headline);
        System.out.print(table);
        System.out.println();
        System.out.print(notes);
        try
        {
            Files.createDirectories(reportDir.toPath());
            try (PrintStream out = new PrintStream(new File(reportDir, "summary.md"), StandardCharsets.UTF_8))
            {
                out.print(headline);
                out.print(table);
                out.println();
                out.print(notes.toString().replace("\n", "  \n"));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String us(final Histogram histogram, final double percentile)
    {
        return format(histogram.getValueAtPercentile(percentile));
    }

    private static String format(final long nanos)
    {
        if (nanos >= 10_000_000L)
        {
            return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
        }
        if (nanos >= 1_000_000L)
        {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }
}
