package io.raftline.perf;

import io.aeron.Aeron;
import io.raftline.engine.agent.IdleStrategies;
import io.raftline.engine.agent.LocalCluster;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.RaftMember;
import io.raftline.engine.agent.StorageType;
import io.raftline.engine.core.RaftRole;
import io.raftline.log.Durability;
import io.raftline.samples.AuctionRun;
import io.raftline.samples.AuctionService;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * The suite's {@code timers} section: the auction sample on 3 IPC members (file storage, as the other IPC rows),
 * auctions of 20 ms one after the other, two bidders outbidding each other with one bid outstanding. Measures the
 * bid round trip (a command through a service that reads the time and keeps a timer per auction), the timer firing
 * delay (from the deadline, in cluster time, to {@code onTimer} on the leader, on the leader's clock) and the time
 * from the deadline to the outcome's arrival at each participant.
 */
final class TimerScenarios
{
    /**
     * The three histograms and the rates of one run.
     */
    record Result(Histogram bidRoundTrip, Histogram firingDelay, Histogram deadlineToOutcome, double bidsPerSecond,
        long auctions, long outcomesMissing)
    {
    }

    private TimerScenarios()
    {
    }

    static Result auctions(final long warmupNs, final long durationNs)
    {
        final File dir;
        try
        {
            dir = Files.createTempDirectory("raftline-perf-timers").toFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final Recorder firing = new Recorder(3);
        final LocalCluster[] started = new LocalCluster[1];
        final String idle = System.getProperty(RaftlineScenarios.IPC_IDLE_PROP_NAME, "busy");
        try (LocalCluster cluster = LocalCluster.start(3, new MemberContext()
            .dir(dir.getPath())
            .storage(StorageType.FILE)
            .durability(Durability.NONE)
            .idleStrategy(IdleStrategies.type(idle), IdleStrategies.sleepNs(idle))
            .electionTimeoutNs(100_000_000L, 200_000_000L)
            .heartbeatIntervalNs(10_000_000L), (id) -> new AuctionService(AuctionRun.timerDelay(firing, () ->
            {
                final RaftMember member = null == started[0] ? null : started[0].member(id);
                return null != member && RaftRole.LEADER == member.role();
            }))))
        {
            started[0] = cluster;
            while (cluster.leaderId() < 0)
            {
                Thread.onSpinWait();
            }
            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(cluster.aeronDirectoryName()));
                AuctionRun run = new AuctionRun(aeron, cluster.membersString(), 2, 20_000_000L))
            {
                run.run(warmupNs);
                firing.getIntervalHistogram();
                final long startNs = System.nanoTime();
                final AuctionRun.Result result = run.run(durationNs);
                final double seconds = (System.nanoTime() - startNs) / 1e9;
                return new Result(result.bidRoundTrip(), firing.getIntervalHistogram(), result.deadlineToOutcome(),
                    result.bids() / seconds, result.auctions(), result.outcomesMissing());
            }
        }
        finally
        {
            IoUtil.delete(dir, true);
        }
    }
}
