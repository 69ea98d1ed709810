package io.raftline.perf;

import io.raftline.engine.agent.EmbeddedAeron;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftRole;
import io.raftline.perf.baseline.AeronClusterProcesses;
import io.raftline.perf.baseline.Failovers;
import io.raftline.samples.ProcessCluster;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Failover time (issue 15): SIGKILL the leader of three member processes over UDP under a steady open loop, again
 * and again, for Raftline and for Aeron Cluster with matching election and heartbeat settings (see {@link Failovers}
 * for exactly what is timed).
 * <p>
 * Raftline's members run with the engine's defaults: a randomised election timeout of
 * {@link RaftConfig#ELECTION_TIMEOUT_MIN_DEFAULT_NS} to {@link RaftConfig#ELECTION_TIMEOUT_MAX_DEFAULT_NS} and a
 * heartbeat every {@link RaftConfig#HEARTBEAT_INTERVAL_DEFAULT_NS}. Aeron Cluster has no randomised election timeout:
 * a follower starts an election {@code leaderHeartbeatTimeoutNs} after it last heard the leader, and then nominates
 * itself after a random delay of up to half of {@code electionTimeoutNs}. Its leader heartbeat timeout is set to
 * Raftline's minimum election timeout and its election timeout to twice the width of Raftline's range, so that a
 * follower nominates itself within the same 100 to 200 ms after it last heard the leader; its heartbeat interval, and
 * the interval of its members' status messages in an election, are Raftline's heartbeat interval. Its startup canvass
 * timeout stays Aeron's default: it applies to a member that starts, which here only ever joins a running leader.
 */
final class FailoverScenarios
{
    /**
     * Commands per second of the open loop during the failovers.
     */
    static final double RATE = 5_000;

    static final long ELECTION_MIN_NS = RaftConfig.ELECTION_TIMEOUT_MIN_DEFAULT_NS;
    static final long ELECTION_MAX_NS = RaftConfig.ELECTION_TIMEOUT_MAX_DEFAULT_NS;
    static final long HEARTBEAT_NS = RaftConfig.HEARTBEAT_INTERVAL_DEFAULT_NS;

    private static final long CATCH_UP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);

    private FailoverScenarios()
    {
    }

    /**
     * @return the goal: p50 under the maximum election timeout plus one heartbeat.
     */
    static long boundNs()
    {
        return ELECTION_MAX_NS + HEARTBEAT_NS;
    }

    /**
     * Raftline's failovers.
     *
     * @param failovers how many.
     * @param settleNs  between a restart and the next kill.
     * @param idle      idle strategy of the member processes.
     * @return the times.
     */
    static Failovers.Result raftline(final int failovers, final long settleNs, final String idle)
    {
        if (ELECTION_MAX_NS != 2 * ELECTION_MIN_NS)
        {
            // The node command takes the lower bound and doubles it.
            throw new IllegalStateException("the node command cannot run an election timeout of " +
                ELECTION_MIN_NS + " to " + ELECTION_MAX_NS + " ns");
        }
        try (RaftlineProcesses cluster = new RaftlineProcesses(idle))
        {
            return Failovers.run("Raftline", cluster, cluster.probe, failovers, settleNs, String.format(Locale.ROOT,
                "election timeout %d to %d ms (randomised), heartbeat %d ms, member idle %s",
                ELECTION_MIN_NS / 1_000_000, ELECTION_MAX_NS / 1_000_000, HEARTBEAT_NS / 1_000_000, idle));
        }
    }

    /**
     * Aeron Cluster's failovers, with election and heartbeat settings matching Raftline's.
     *
     * @param failovers how many.
     * @param settleNs  between a restart and the next kill.
     * @return the times, and what was set.
     */
    static Failovers.Result aeronCluster(final int failovers, final long settleNs)
    {
        final List<String> options = new ArrayList<>(AeronClusterProcesses.inheritedJvmOptions());
        options.add("-Daeron.cluster.leader.heartbeat.timeout=" + ELECTION_MIN_NS);
        options.add("-Daeron.cluster.election.timeout=" + 2 * (ELECTION_MAX_NS - ELECTION_MIN_NS));
        options.add("-Daeron.cluster.leader.heartbeat.interval=" + HEARTBEAT_NS);
        // How often an election's members send their status (canvass positions, default 100 ms): a Raftline
        // candidate asks for votes at once and a leader speaks every heartbeat, so Aeron's members do so too.
        options.add("-Daeron.cluster.election.status.interval=" + HEARTBEAT_NS);
        final File[] directories;
        final Failovers.Result result;
        try (AeronClusterProcesses cluster = new AeronClusterProcesses(options, RATE))
        {
            directories = cluster.directories();
            result = Failovers.run("Aeron Cluster", cluster, cluster.probe(), failovers, settleNs,
                cluster.settings() + " (killed members restart with empty directories and replicate the log)");
        }
        for (final File directory : directories)
        {
            if (directory.exists())
            {
                throw new IllegalStateException("Aeron Cluster failovers left " + directory + " behind");
            }
        }
        return result;
    }

    /**
     * The failover table, for the top of the report.
     *
     * @param results of the systems, Raftline first.
     * @return a markdown section.
     */
    static String table(final List<Failovers.Result> results)
    {
        final StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Failover: 3 member processes over UDP 127.0.0.1, open loop of " +
            "%,.0f commands/s, SIGKILL of the leader, restarted after each failover; goal: p50 under the maximum " +
            "election timeout plus one heartbeat, %d ms%n%n", RATE, boundNs() / 1_000_000));
        table.append("| system | failovers | kill → client follows new leader, p50 / max | " +
            "kill → first commit by new leader, p50 / max | p50 ÷ goal | settings |\n");
        table.append("|---|---|---|---|---|---|\n");
        for (final Failovers.Result result : results)
        {
            final long p50 = Failovers.Result.percentile(result.commitNs(), 50);
            table.append(String.format(Locale.ROOT, "| %s | %d%s%s | %s / %s | %s / %s | %s | %s |%n",
                result.system(), result.commitNs().size(),
                result.missed() > 0 ? " (" + result.missed() + " without a commit in 30 s)" : "",
                result.unsteady() > 0 ? " (" + result.unsteady() + " killed while a member was in an election)" : "",
                ms(Failovers.Result.percentile(result.leaderNs(), 50)),
                ms(Failovers.Result.percentile(result.leaderNs(), 100)), ms(p50),
                ms(Failovers.Result.percentile(result.commitNs(), 100)),
                p50 < 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double)p50 / boundNs()), result.settings()));
        }
        table.append(String.format(Locale.ROOT, "%nTimed at the client (the suite's JVM, System.nanoTime): from " +
            "just before the SIGKILL to the first answer, from the member the client then follows, to a command that " +
            "member committed as the new leader (for Raftline an OK, not a duplicate answered from the session " +
            "cache). A command the client cannot send when it is due is skipped. Raftline's client resends its " +
            "outstanding commands to the new leader; Aeron Cluster's does not, so its first commit is of a command " +
            "sent after the new leader's event, at most one interval of the open loop (%.1f ms) later. Aeron " +
            "Cluster 1.51's candidate takes a quorum's votes only electionTimeoutNs after it asked unless every " +
            "member voted (Election.candidateBallot: isUnanimousLeader, then isQuorumLeader once electionTimeoutNs " +
            "passed), and a killed member never votes: with these settings an Aeron leader is elected no sooner " +
            "than leader heartbeat timeout + nomination delay + election timeout = %d to %d ms after the old " +
            "leader's last message.%n", 1e3 / RATE, aeronElectionFloorNs(0) / 1_000_000,
            aeronElectionFloorNs(ELECTION_MAX_NS - ELECTION_MIN_NS) / 1_000_000));
        return table.toString();
    }

    /**
     * @param nominationDelayNs a follower's random delay before it nominates itself.
     * @return the soonest an Aeron Cluster leader is elected after the old leader's last message when a member is
     * dead: its settings' leader heartbeat timeout, the delay, then the election timeout a candidate waits for the
     * dead member's vote.
     */
    private static long aeronElectionFloorNs(final long nominationDelayNs)
    {
        return ELECTION_MIN_NS + nominationDelayNs + 2 * (ELECTION_MAX_NS - ELECTION_MIN_NS);
    }

    private static String ms(final long nanos)
    {
        return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    /**
     * Raftline's member processes ({@link ProcessCluster}) and a client in this JVM whose open loop runs on a thread
     * of its own.
     */
    static final class RaftlineProcesses implements Failovers.Target, ResponseListener, AutoCloseable
    {
        private final Failovers.Probe probe = new Failovers.Probe();
        private final Path dir;
        private final ProcessCluster cluster;
        private EmbeddedAeron aeron;
        private RaftClient client;
        private Thread loadThread;
        private volatile boolean isRunning = true;
        private volatile Throwable loadFailure;

        RaftlineProcesses(final String idle)
        {
            try
            {
                dir = Files.createTempDirectory("raftline-perf-failover");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            cluster = new ProcessCluster(3, dir, "--storage", "file", "--idle", idle,
                "--election-timeout-ms", Long.toString(ELECTION_MIN_NS / 1_000_000),
                "--heartbeat-ms", Long.toString(HEARTBEAT_NS / 1_000_000));
            try
            {
                cluster.startAll();
                aeron = EmbeddedAeron.invoker("raftline-perf-failover-client");
                client = RaftClient.connect(new ClientContext()
                    .aeron(aeron.aeron())
                    .members(cluster.members())
                    .maxInflight(1024)
                    .connectTimeoutNs(TimeUnit.SECONDS.toNanos(30))
                    .listener(this));
                loadThread = new Thread(this::load, "raftline-failover-load");
                loadThread.start();
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        private void load()
        {
            try
            {
                final UnsafeBuffer command = new UnsafeBuffer(new byte[32]);
                command.putLong(0, 1);
                final YieldingIdleStrategy idle = new YieldingIdleStrategy();
                final double intervalNs = 1e9 / RATE;
                final long startNs = System.nanoTime();
                long scheduled = 0;
                while (isRunning)
                {
                    final long nowNs = System.nanoTime();
                    int work = 0;
                    if (nowNs >= startNs + (long)(scheduled * intervalNs))
                    {
                        // Not sent (no leader, a full window): skipped, the schedule goes on.
                        client.offer(command, 0, command.capacity());
                        scheduled++;
                        work++;
                    }
                    work += client.poll();
                    probe.onLeader(client.leaderId(), nowNs);
                    idle.idle(work);
                }
            }
            catch (final Throwable t)
            {
                loadFailure = t;
            }
        }

        public void onResponse(
            final long correlationId,
            final int outcome,
            final long logIndex,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            if (OK == outcome)
            {
                probe.onCommitted(client.leaderId(), System.nanoTime());
            }
        }

        public int leaderFollowed()
        {
            if (null != loadFailure)
            {
                throw new IllegalStateException("the Raftline client failed", loadFailure);
            }
            final int leader = probe.leader();
            return leader >= 0 && cluster.leaderId() == leader && probe.commitsOfLeader() >= 100 ? leader : -1;
        }

        public boolean isSteady()
        {
            int leaders = 0;
            long term = -1;
            for (int i = 0; i < cluster.size(); i++)
            {
                final long role = cluster.counter(i, "role");
                final long memberTerm = cluster.counter(i, "term");
                if (!cluster.isRunning(i) || (term >= 0 && memberTerm != term) ||
                    (RaftRole.LEADER.code() != role && RaftRole.FOLLOWER.code() != role))
                {
                    return false;
                }
                term = memberTerm;
                leaders += RaftRole.LEADER.code() == role ? 1 : 0;
            }
            return 1 == leaders;
        }

        public long pid(final int memberId)
        {
            return cluster.pid(memberId);
        }

        public void onKilled(final int memberId)
        {
            cluster.kill(memberId);
        }

        public void restart(final int memberId)
        {
            cluster.start(memberId);
            final long deadlineNs = System.nanoTime() + CATCH_UP_TIMEOUT_NS;
            long target = -1;
            while (System.nanoTime() < deadlineNs)
            {
                final int leader = cluster.leaderId();
                if (target < 0 && leader >= 0 && leader != memberId)
                {
                    target = cluster.counter(leader, "commit-index");
                }
                if (target >= 0 && cluster.counter(memberId, "applied-index") >= target)
                {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            throw new IllegalStateException("restarted member " + memberId + " did not catch up within 120 s:" +
                cluster.describe());
        }

        public void close()
        {
            isRunning = false;
            if (null != loadThread)
            {
                try
                {
                    loadThread.join(TimeUnit.SECONDS.toMillis(10));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            CloseHelper.quietClose(client);
            cluster.close();
            CloseHelper.quietClose(aeron);
            IoUtil.delete(dir.toFile(), true);
            if (cluster.driverDirectoryBase().exists())
            {
                throw new IllegalStateException("Raftline failovers left " + cluster.driverDirectoryBase() +
                    " behind");
            }
        }
    }
}
