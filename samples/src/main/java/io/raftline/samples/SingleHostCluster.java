package io.raftline.samples;

import io.raftline.engine.agent.LocalCluster;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.client.ClientContext;
import org.agrona.IoUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.Callable;

/**
 * The single-host demo: a 3-member cluster over Aeron IPC in this JVM (one embedded media driver, every member on
 * one shared thread), a client driving the replicated counter, and a latency report.
 * <pre>
 * java -jar raftline-samples.jar cluster [--duration 10s] [--members 3] [--payload 32] [--window 1000]
 *     [--storage file|memory] [--durability none|batch|each] [--dir DIR] [--report-dir raftline-report]
 * </pre>
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "A cluster over Aeron IPC in this JVM, a client driving the counter, and a latency report.")
public final class SingleHostCluster implements Callable<Integer>
{
    @Option(names = "--duration", defaultValue = "10s", paramLabel = "DURATION",
        converter = Converters.DurationNs.class,
        description = "how long the closed loop is measured (default: ${DEFAULT-VALUE})")
    long durationNs;

    @Option(names = "--warmup", defaultValue = "3s", paramLabel = "DURATION", converter = Converters.DurationNs.class,
        description = "warm-up before measuring (default: ${DEFAULT-VALUE})")
    long warmupNs;

    @Option(names = "--members", paramLabel = "N", defaultValue = "3",
        description = "cluster size (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "32",
        description = "command size in bytes (default: ${DEFAULT-VALUE})")
    int payload;

    @Option(names = "--window", paramLabel = "N", defaultValue = "1000",
        description = "commands outstanding in the throughput run (default: ${DEFAULT-VALUE})")
    int window;

    @Mixin
    StorageOptions storage;

    @Option(names = "--idle", paramLabel = "IDLE", defaultValue = "busy", converter = Converters.IdleValue.class,
        description = "idle strategy: busy, yield, backoff or sleep-<duration> (default: ${DEFAULT-VALUE})")
    String idle;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "data directory (default: a temporary one, removed at the end)")
    File dataDir;

    @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = "raftline-report",
        description = "where the report goes (default: ${DEFAULT-VALUE})")
    File reportDir;

    /**
     * @param args see the class description.
     */
    public static void main(final String[] args)
    {
        Main.main(CounterNode.prepend("cluster", args));
    }

    /**
     * Run the demo.
     *
     * @return 0.
     * @throws Exception if the cluster could not start.
     */
    public Integer call() throws Exception
    {
        final boolean isTempDir = null == dataDir;
        final File dir = isTempDir ? Files.createTempDirectory("raftline-cluster").toFile() : dataDir;
        final CounterService[] services = new CounterService[size];

        System.out.printf("Raftline: %d members over Aeron IPC in one JVM, storage=%s durability=%s, data in %s%n",
            size, storage.storage.name().toLowerCase(), storage.durability.name().toLowerCase(), dir);
        final long startNs = System.nanoTime();
        try (LocalCluster cluster = LocalCluster.start(size, storage.apply(new MemberContext(), idle)
            .dir(dir.getPath())
            .electionTimeoutNs(100_000_000L, 200_000_000L)
            .heartbeatIntervalNs(10_000_000L), (id) ->
            {
                services[id] = new CounterService();
                return services[id];
            }))
        {
            while (cluster.leaderId() < 0)
            {
                Thread.onSpinWait();
            }
            System.out.printf("leader: member %d, elected %.0f ms after start%n", cluster.leaderId(),
                (System.nanoTime() - startNs) / 1e6);

            try (LoadGenerator load = new LoadGenerator(new ClientContext()
                .aeronDirectoryName(cluster.aeronDirectoryName())
                .members(cluster.membersString())
                .maxInflight(Math.max(window, 1))))
            {
                System.out.printf("warming up for %d s ...%n", warmupNs / 1_000_000_000L);
                load.closedLoop(payload, 0, warmupNs);
                System.out.printf("closed loop (one command outstanding, %d-byte commands) for %d s ...%n",
                    payload, durationNs / 1_000_000_000L);
                final LoadGenerator.Result latency = load.closedLoop(payload, 0, durationNs);
                System.out.printf("throughput (%d commands outstanding) for %d s ...%n", window,
                    Math.max(1, durationNs / 2_000_000_000L));
                final LoadGenerator.Result throughput =
                    load.throughput(window, payload, Math.max(1_000_000_000L, durationNs / 2));

                final LatencyReport report = new LatencyReport()
                    .add("round trip, 1 outstanding", latency.histogram())
                    .add("round trip, " + window + " outstanding", throughput.histogram());
                System.out.println();
                System.out.printf("commit round trip, one command outstanding: %.0f commands/s%n",
                    latency.ratePerSecond());
                report.print(System.out);
                final long leaderChanges = load.client().leaderChanges();
                final long sessions = load.client().sessionsOpened();
                System.out.printf("throughput with %d outstanding: %.0f commands/s (client: %d change%s of leader " +
                    "after the first, %d commands resent, %d session%s)%n", window, throughput.ratePerSecond(),
                    leaderChanges, 1 == leaderChanges ? "" : "s", load.client().resends(), sessions,
                    1 == sessions ? "" : "s");
                final File png = report.write(reportDir, "raftline-cluster",
                    "Raftline, " + size + " members over IPC, " + payload + "-byte commands");
                System.out.printf("report: %s (and .hgrm files beside it)%n", png.getAbsolutePath());

                if (Boolean.getBoolean("raftline.stat"))
                {
                    try (io.aeron.Aeron reader = io.aeron.Aeron.connect(new io.aeron.Aeron.Context()
                        .aeronDirectoryName(cluster.aeronDirectoryName())))
                    {
                        io.raftline.engine.agent.RaftStat.print(reader.countersReader(), System.out);
                    }
                }
                final long expected = load.lastValue();
                System.out.printf("counter: %d on the leader;", expected);
                final long deadline = System.nanoTime() + 5_000_000_000L;
                for (int i = 0; i < size; i++)
                {
                    while (services[i].value() < expected && System.nanoTime() < deadline)
                    {
                        Thread.onSpinWait();
                    }
                    System.out.printf(" member %d: %d;", i, services[i].value());
                }
                System.out.println();
            }
        }
        finally
        {
            if (isTempDir)
            {
                IoUtil.delete(dir, true);
            }
        }
        return 0;
    }
}
