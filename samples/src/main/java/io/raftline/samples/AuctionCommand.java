package io.raftline.samples;

import io.aeron.Aeron;
import io.raftline.engine.agent.LocalCluster;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.RaftMember;
import io.raftline.engine.core.RaftRole;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.IoUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.Callable;

/**
 * The auction demo: a 3-member cluster over Aeron IPC in this JVM running {@link AuctionService}, an auctioneer and
 * bidders as client sessions, and a latency report: the bid round trip, the time from a deadline to the leader's
 * {@code onTimer} (the timer firing delay) and to each participant's receipt of the outcome.
 * <pre>
 * java -jar raftline-samples.jar auction [--duration 10s] [--auction-length 50ms] [--bidders 2]
 * </pre>
 */
@Command(name = "auction", mixinStandardHelpOptions = true,
    description = "Auctions on a cluster over Aeron IPC in this JVM: timers close them, every participant gets the " +
    "outcome as a message; a latency report.")
public final class AuctionCommand implements Callable<Integer>
{
    @Option(names = "--duration", defaultValue = "10s", paramLabel = "DURATION",
        converter = Converters.DurationNs.class, description = "how long auctions run (default: ${DEFAULT-VALUE})")
    long durationNs;

    @Option(names = "--warmup", defaultValue = "2s", paramLabel = "DURATION", converter = Converters.DurationNs.class,
        description = "warm-up before measuring (default: ${DEFAULT-VALUE})")
    long warmupNs;

    @Option(names = "--auction-length", defaultValue = "50ms", paramLabel = "DURATION",
        converter = Converters.DurationNs.class,
        description = "how long each auction stays open (default: ${DEFAULT-VALUE})")
    long auctionLengthNs;

    @Option(names = "--bidders", paramLabel = "N", defaultValue = "2",
        description = "bidders besides the auctioneer (default: ${DEFAULT-VALUE})")
    int bidders;

    @Option(names = "--members", paramLabel = "N", defaultValue = "3",
        description = "cluster size (default: ${DEFAULT-VALUE})")
    int size;

    @Mixin
    StorageOptions storage;

    @Option(names = "--idle", paramLabel = "IDLE", defaultValue = "busy", converter = Converters.IdleValue.class,
        description = "idle strategy: busy, yield, backoff or sleep-<duration> (default: ${DEFAULT-VALUE})")
    String idle;

    @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = "raftline-report",
        description = "where the report goes (default: ${DEFAULT-VALUE})")
    File reportDir;

    /**
     * Run the demo.
     *
     * @return 0 if every auction closed alike on every member and every participant heard every outcome, else 1.
     * @throws Exception if the cluster could not start.
     */
    public Integer call() throws Exception
    {
        final File dir = Files.createTempDirectory("raftline-auction").toFile();
        final AuctionService[] services = new AuctionService[size];
        final Recorder timerDelay = new Recorder(3);
        final LocalCluster[] started = new LocalCluster[1];
        System.out.printf("Raftline auctions: %d members over Aeron IPC in one JVM, auctions of %d ms, %d bidders%n",
            size, auctionLengthNs / 1_000_000, bidders);
        try (LocalCluster cluster = LocalCluster.start(size, storage.apply(new MemberContext(), idle)
            .dir(dir.getPath())
            .snapshotInterval(10_000, 0)
            .electionTimeoutNs(100_000_000L, 200_000_000L)
            .heartbeatIntervalNs(10_000_000L), (id) ->
            {
                services[id] = new AuctionService(AuctionRun.timerDelay(timerDelay, () -> isLeader(started[0], id)));
                return services[id];
            }))
        {
            started[0] = cluster;
            while (cluster.leaderId() < 0)
            {
                Thread.onSpinWait();
            }
            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(cluster.aeronDirectoryName()));
                AuctionRun run = new AuctionRun(aeron, cluster.membersString(), bidders, auctionLengthNs))
            {
                System.out.printf("warming up for %d s ...%n", warmupNs / 1_000_000_000L);
                run.run(warmupNs);
                timerDelay.getIntervalHistogram();
                System.out.printf("auctions for %d s ...%n", durationNs / 1_000_000_000L);
                final AuctionRun.Result result = run.run(durationNs);
                final Histogram firing = timerDelay.getIntervalHistogram();

                final LatencyReport report = new LatencyReport()
                    .add("bid round trip", result.bidRoundTrip())
                    .add("deadline to onTimer on the leader", firing)
                    .add("deadline to outcome at a participant", result.deadlineToOutcome());
                System.out.println();
                System.out.printf("%d auctions, %d bids, %d outcomes missing%n", result.auctions(), result.bids(),
                    result.outcomesMissing());
                report.print(System.out);
                final File png = report.write(reportDir, "raftline-auction", "Raftline auctions, " + size +
                    " members over IPC");
                System.out.printf("report: %s (and .hgrm files beside it)%n", png.getAbsolutePath());
                return checkMembersAgree(services, result) ? 0 : Main.FAILED;
            }
        }
        finally
        {
            IoUtil.delete(dir, true);
        }
    }

    private static boolean isLeader(final LocalCluster cluster, final int id)
    {
        final RaftMember member = null == cluster ? null : cluster.member(id);
        return null != member && RaftRole.LEADER == member.role();
    }

    private static boolean checkMembersAgree(final AuctionService[] services, final AuctionRun.Result result)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        final int expected = services[0].closedCount();
        boolean agree = false;
        while (!agree && System.nanoTime() < deadline)
        {
            agree = true;
            for (final AuctionService service : services)
            {
                agree &= service.closedCount() == expected && 0 == service.openCount();
            }
        }
        System.out.printf("auctions closed: %d on every member%s%n", expected, agree ? "" : " (members DIFFER)");
        return agree && 0 == result.outcomesMissing();
    }
}
