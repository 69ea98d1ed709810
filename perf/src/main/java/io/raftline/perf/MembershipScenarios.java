package io.raftline.perf;

import io.raftline.engine.RaftService;
import io.raftline.engine.agent.IdleStrategies;
import io.raftline.engine.agent.LocalCluster;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.RaftMember;
import io.raftline.engine.agent.StorageType;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftAdmin;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import io.raftline.log.Durability;
import io.raftline.samples.CounterService;
import io.raftline.samples.LoadGenerator;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * Operating a cluster, measured (issue 11), on 3 members over IPC in this JVM (files, no sync):
 * <ul>
 *     <li>catch-up: from adding a learner (an empty member that joined) to its applying the leader's commit index,
 *     from a log of {@code entries} entries (no snapshot) and from a {@code stateMb} MB snapshot;</li>
 *     <li>leadership transfer: from the request to the first command the new leader commits, over {@code transfers}
 *     transfers, beside failover after the leader crashes (found by election timeout) in the same run;</li>
 *     <li>commit latency with one command outstanding while configuration changes run back to back (a learner
 *     added, then removed) against the same cluster without.</li>
 * </ul>
 */
final class MembershipScenarios
{
    private final long durationNs;
    private final long entries;
    private final long stateMb;
    private final int transfers;
    private final List<PerfSuite.Row> rows = new ArrayList<>();
    private final StringBuilder notes = new StringBuilder();

    MembershipScenarios(final long durationNs, final long entries, final long stateMb, final int transfers)
    {
        this.durationNs = durationNs;
        this.entries = entries;
        this.stateMb = stateMb;
        this.transfers = transfers;
    }

    List<PerfSuite.Row> rows()
    {
        return rows;
    }

    String notes()
    {
        return notes.toString();
    }

    MembershipScenarios run()
    {
        catchUpFromEntries();
        catchUpFromSnapshot();
        transfersAndFailover();
        commitsDuringChanges();
        return this;
    }

    private void catchUpFromEntries()
    {
        // No snapshot and no compaction: the learner gets every entry.
        withCluster((id) -> new CounterService(), Long.MAX_VALUE, Long.MAX_VALUE, (cluster, admin) ->
        {
            try (LoadGenerator load = load(cluster, 1000))
            {
                final long startNs = System.nanoTime();
                while (cluster.member(cluster.leaderId()).commitIndex() < entries)
                {
                    load.throughput(1000, 32, 1_000_000_000L);
                }
                notes.append(String.format(Locale.ROOT, "membership: %,d entries written in %.1f s%n",
                    cluster.member(cluster.leaderId()).commitIndex(), (System.nanoTime() - startNs) / 1e9));
            }
            final long seconds = catchUp(cluster, admin, 3);
            notes.append(String.format(Locale.ROOT,
                "membership: catch-up of a new learner from %,d entries (no snapshot): %.2f s%n", entries,
                seconds / 1e9));
        });
    }

    private void catchUpFromSnapshot()
    {
        withCluster((id) -> new LargeStateService(stateMb * 1024 * 1024), Long.MAX_VALUE, 100, (cluster, admin) ->
        {
            try (LoadGenerator load = load(cluster, 1000))
            {
                load.throughput(1000, 32, 1_000_000_000L);
            }
            final RaftAdmin.Result snapshot = admin.snapshot(-1);
            if (!snapshot.isOk())
            {
                throw new IllegalStateException("snapshot: " + snapshot);
            }
            final long seconds = catchUp(cluster, admin, 3);
            notes.append(String.format(Locale.ROOT,
                "membership: catch-up of a new learner from a %d MB snapshot (log compacted to 100 entries): %.2f s%n",
                stateMb, seconds / 1e9));
        });
    }

    /**
     * @return nanoseconds from the add-learner request to the learner applying the leader's commit index then.
     */
    private static long catchUp(final LocalCluster cluster, final RaftAdmin admin, final int learnerId)
    {
        final RaftMember learner = cluster.join(learnerId);
        final long target = cluster.member(cluster.leaderId()).commitIndex();
        final long startNs = System.nanoTime();
        final RaftAdmin.Result added = admin.addLearner(learnerId, "");
        if (!added.isOk())
        {
            throw new IllegalStateException("add-learner: " + added);
        }
        while (learner.appliedIndex() < target)
        {
            if (System.nanoTime() - startNs > 600_000_000_000L)
            {
                throw new IllegalStateException("the learner did not catch up within 10 minutes");
            }
            Thread.onSpinWait();
        }
        return System.nanoTime() - startNs;
    }

    private void transfersAndFailover()
    {
        withCluster((id) -> new CounterService(), 1_000_000L, 100_000L, (cluster, admin) ->
        {
            final Histogram transfer = new Histogram(3);
            final Histogram failover = new Histogram(3);
            try (Committer committer = new Committer(cluster))
            {
                committer.commitOne();
                for (int i = 0; i < transfers; i++)
                {
                    final int target = (cluster.leaderId() + 1) % 3;
                    final long startNs = System.nanoTime();
                    final RaftAdmin.Result result = admin.transferLeadership(target);
                    if (!result.isOk())
                    {
                        throw new IllegalStateException("transfer: " + result);
                    }
                    committer.commitOne();
                    transfer.recordValue(System.nanoTime() - startNs);
                    // The next transfer starts from a settled leader: the old one may still think it leads for a
                    // moment, and a target computed from it could be the new leader itself.
                    awaitLeader(cluster, target);
                }
                for (int i = 0; i < Math.max(3, transfers / 4); i++)
                {
                    final int leader = cluster.leaderId();
                    final long startNs = System.nanoTime();
                    cluster.crash(leader);
                    committer.commitOne();
                    failover.recordValue(System.nanoTime() - startNs);
                    cluster.restart(leader);
                    committer.awaitCaughtUp(leader);
                }
            }
            rows.add(new PerfSuite.Row("leadership transfer, request to the new leader's first commit (" +
                transfer.getTotalCount() + ")", transfer, 0, String.format(Locale.ROOT, "p50 %.1f ms, max %.1f ms",
                transfer.getValueAtPercentile(50) / 1e6, transfer.getMaxValue() / 1e6)));
            rows.add(new PerfSuite.Row("failover by election timeout, crash to the new leader's first commit (" +
                failover.getTotalCount() + ")", failover, 0, String.format(Locale.ROOT, "p50 %.1f ms, max %.1f ms",
                failover.getValueAtPercentile(50) / 1e6, failover.getMaxValue() / 1e6)));
        });
    }

    private static void awaitLeader(final LocalCluster cluster, final int memberId)
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (cluster.leaderId() != memberId)
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("member " + memberId + " does not lead 10 s after the transfer to it " +
                    "committed; the leader is " + cluster.leaderId());
            }
            Thread.yield();
        }
    }

    private void commitsDuringChanges()
    {
        withCluster((id) -> new CounterService(), 1_000_000L, 100_000L, (cluster, admin) ->
        {
            try (LoadGenerator load = load(cluster, 16))
            {
                load.closedLoop(32, 0, Math.min(durationNs, 2_000_000_000L));
                final LoadGenerator.Result quiet = load.closedLoop(32, 0, durationNs);
                rows.add(new PerfSuite.Row("commit, 1 outstanding, no configuration change", quiet.histogram(),
                    quiet.ratePerSecond(), ""));
                final AtomicBoolean isDone = new AtomicBoolean();
                final long[] changes = new long[1];
                final Thread changer = new Thread(() ->
                {
                    // Learners added and removed back to back: always a change in progress or just committed.
                    int id = 10;
                    while (!isDone.get())
                    {
                        if (admin.addLearner(id, "").isOk() && admin.remove(id).isOk())
                        {
                            changes[0] += 2;
                        }
                        id++;
                    }
                }, "membership-changes");
                changer.start();
                final LoadGenerator.Result busy = load.closedLoop(32, 0, durationNs);
                isDone.set(true);
                join(changer);
                rows.add(new PerfSuite.Row("commit, 1 outstanding, configuration changes back to back (" +
                    changes[0] + ")", busy.histogram(), busy.ratePerSecond(), String.format(Locale.ROOT,
                    "p50 %.2fx, p99 %.2fx the quiet run", (double)busy.histogram().getValueAtPercentile(50) /
                    Math.max(1, quiet.histogram().getValueAtPercentile(50)),
                    (double)busy.histogram().getValueAtPercentile(99) /
                    Math.max(1, quiet.histogram().getValueAtPercentile(99)))));
            }
        });
    }

    private static void join(final Thread thread)
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

    @FunctionalInterface
    private interface ClusterRun
    {
        void run(LocalCluster cluster, RaftAdmin admin);
    }

    private static void withCluster(
        final IntFunction<RaftService> services,
        final long snapshotIntervalEntries,
        final long retainEntries,
        final ClusterRun run)
    {
        final File dir;
        try
        {
            dir = Files.createTempDirectory("raftline-perf-membership").toFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final String idle = System.getProperty(RaftlineScenarios.IPC_IDLE_PROP_NAME, "busy");
        try (LocalCluster cluster = LocalCluster.start(3, new MemberContext()
            .dir(dir.getPath())
            .storage(StorageType.FILE)
            .durability(Durability.NONE)
            .idleStrategy(IdleStrategies.type(idle), IdleStrategies.sleepNs(idle))
            .electionTimeoutNs(100_000_000L, 200_000_000L)
            .heartbeatIntervalNs(10_000_000L)
            .snapshotInterval(snapshotIntervalEntries, Long.MAX_VALUE)
            .compactionRetainEntries(retainEntries), services))
        {
            while (cluster.leaderId() < 0)
            {
                Thread.onSpinWait();
            }
            // The admin client waits asleep: on a small host a third spinning thread would take a core from the
            // members or the load and measure the scheduler rather than the change.
            try (RaftAdmin admin = RaftAdmin.connect(new ClientContext()
                .aeronDirectoryName(cluster.aeronDirectoryName())
                .members(cluster.membersString())
                .idleStrategy(new SleepingIdleStrategy(100_000L))
                .commandTimeoutNs(600_000_000_000L)))
            {
                run.run(cluster, admin);
            }
        }
        finally
        {
            IoUtil.delete(dir, true);
        }
    }

    private static LoadGenerator load(final LocalCluster cluster, final int maxInflight)
    {
        return new LoadGenerator(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxInflight(maxInflight));
    }

    /**
     * One command at a time, answered: the first command a new leader commits.
     */
    private static final class Committer implements AutoCloseable
    {
        private final LocalCluster cluster;
        private final RaftClient client;
        private final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        private int lastOutcome = -1;

        Committer(final LocalCluster cluster)
        {
            this.cluster = cluster;
            this.client = RaftClient.connect(new ClientContext()
                .aeronDirectoryName(cluster.aeronDirectoryName())
                .members(cluster.membersString())
                .maxInflight(1)
                .leaderTimeoutNs(50_000_000L)
                .listener((correlationId, outcome, logIndex, buffer, offset, length) -> lastOutcome = outcome));
            command.putLong(0, 1);
        }

        void commitOne()
        {
            lastOutcome = -1;
            while (client.offer(command, 0, 8) < 0)
            {
                client.poll();
            }
            while (lastOutcome < 0)
            {
                client.poll();
            }
            if (ResponseListener.OK != lastOutcome && ResponseListener.DUPLICATE != lastOutcome)
            {
                throw new IllegalStateException("a command failed: outcome " + lastOutcome);
            }
        }

        void awaitCaughtUp(final int memberId)
        {
            final long target = cluster.member(cluster.leaderId()).commitIndex();
            while (null == cluster.member(memberId) || cluster.member(memberId).appliedIndex() < target)
            {
                client.poll();
            }
        }

        public void close()
        {
            client.close();
        }
    }
}
