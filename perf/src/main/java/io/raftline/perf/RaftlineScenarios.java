package io.raftline.perf;

import io.raftline.engine.agent.LocalCluster;
import io.raftline.engine.agent.EmbeddedAeron;
import io.raftline.engine.agent.IdleStrategies;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.StorageType;
import io.raftline.engine.client.ClientContext;
import io.raftline.log.Durability;
import io.raftline.samples.CounterService;
import io.raftline.samples.LoadGenerator;
import io.raftline.samples.ProcessCluster;
import org.agrona.IoUtil;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Raftline under load, the scenarios the performance report measures: a cluster in one JVM over IPC (the sample's
 * arrangement: one driver, every member on one thread), and member processes over UDP on 127.0.0.1.
 */
public final class RaftlineScenarios
{
    /**
     * Idle strategy of the IPC cluster's shared member thread (default busy).
     */
    public static final String IPC_IDLE_PROP_NAME = "raftline.perf.ipc.idle";

    /**
     * Idle strategy of the IPC cluster's load generator between polls (default noop: spin).
     */
    public static final String CLIENT_IDLE_PROP_NAME = "raftline.perf.client.idle";

    /**
     * Milliseconds from launch to a leader of every IPC cluster started in this JVM, in order (the first pays for
     * loading the classes of Chronicle Queue, the media driver and Raftline).
     */
    public static final java.util.List<Double> ELECTIONS_MS = new java.util.concurrent.CopyOnWriteArrayList<>();

    private RaftlineScenarios()
    {
    }

    /**
     * A cluster in this JVM with a load generator attached.
     */
    public static final class IpcCluster implements AutoCloseable
    {
        private final LocalCluster cluster;
        private final LoadGenerator load;
        private final File dir;
        private final double electionMs;

        /**
         * @param members     in the cluster.
         * @param storage     file or memory.
         * @param durability  none, batch or each.
         * @param maxInflight of the client.
         */
        public IpcCluster(final int members, final String storage, final String durability, final int maxInflight)
        {
            this(members, storage, durability, maxInflight, false);
        }

        /**
         * @param members     in the cluster.
         * @param storage     file or memory.
         * @param durability  none, batch or each.
         * @param maxInflight of the client.
         * @param leaseReads  whether the leader answers lease reads from its lease.
         */
        public IpcCluster(
            final int members,
            final String storage,
            final String durability,
            final int maxInflight,
            final boolean leaseReads)
        {
            try
            {
                dir = Files.createTempDirectory("raftline-perf").toFile();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            final long startNs = System.nanoTime();
            final String idle = System.getProperty(IPC_IDLE_PROP_NAME, "busy");
            final MemberContext template = new MemberContext()
                .dir(dir.getPath())
                .storage(StorageType.parse(storage))
                .durability(Durability.parse(durability))
                .idleStrategy(IdleStrategies.type(idle), IdleStrategies.sleepNs(idle))
                .electionTimeoutNs(100_000_000L, 200_000_000L)
                .heartbeatIntervalNs(10_000_000L);
            template.raft().leaseReads(leaseReads);
            cluster = LocalCluster.start(members, template, (id) -> new CounterService());
            while (cluster.leaderId() < 0)
            {
                Thread.onSpinWait();
            }
            electionMs = (System.nanoTime() - startNs) / 1e6;
            ELECTIONS_MS.add(electionMs);
            load = new LoadGenerator(new ClientContext()
                .aeronDirectoryName(cluster.aeronDirectoryName())
                .members(cluster.membersString())
                .maxInflight(maxInflight), IdleStrategies.parse(
                    System.getProperty(CLIENT_IDLE_PROP_NAME, "noop")));
        }

        /**
         * @return milliseconds from launching the members to an elected leader.
         */
        public double electionMs()
        {
            return electionMs;
        }

        /**
         * @return the load generator.
         */
        public LoadGenerator load()
        {
            return load;
        }

        /**
         * @return the members, for tools that watch them (the leader's commit index, the agent thread).
         */
        public LocalCluster localCluster()
        {
            return cluster;
        }

        /**
         * @return the directory of the cluster's media driver, whose CnC file holds the members' counters.
         */
        public String aeronDirectoryName()
        {
            return cluster.aeronDirectoryName();
        }

        /**
         * Stop everything and delete the data.
         */
        public void close()
        {
            load.close();
            cluster.close();
            IoUtil.delete(dir, true);
        }
    }

    /**
     * Member processes over UDP on 127.0.0.1, with a load generator in this JVM.
     */
    public static final class UdpProcesses implements AutoCloseable
    {
        private final ProcessCluster cluster;
        private final EmbeddedAeron aeron;
        private final LoadGenerator load;
        private final Path dir;

        /**
         * @param members     processes.
         * @param maxInflight of the client.
         * @param idle        idle strategy of the members.
         */
        public UdpProcesses(final int members, final int maxInflight, final String idle)
        {
            this(members, maxInflight, idle, "none");
        }

        /**
         * @param members     processes.
         * @param maxInflight of the client.
         * @param idle        idle strategy of the members.
         * @param durability  of the members' file storage: none, batch or each.
         */
        public UdpProcesses(final int members, final int maxInflight, final String idle, final String durability)
        {
            try
            {
                dir = Files.createTempDirectory("raftline-perf-udp");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            cluster = new ProcessCluster(members, dir, "--storage", "file", "--durability", durability, "--idle", idle);
            cluster.startAll();
            // The client's driver and conductor run on the load thread: one thread for the whole client process.
            aeron = EmbeddedAeron.invoker("raftline-perf-client");
            load = new LoadGenerator(new ClientContext()
                .aeron(aeron.aeron())
                .members(cluster.members())
                .maxInflight(maxInflight)
                .connectTimeoutNs(30_000_000_000L), new YieldingIdleStrategy());
        }

        /**
         * @return the load generator.
         */
        public LoadGenerator load()
        {
            return load;
        }

        /**
         * Stop everything and delete the data.
         */
        public void close()
        {
            load.close();
            cluster.close();
            aeron.close();
            IoUtil.delete(dir.toFile(), true);
        }
    }

    /**
     * Run something against a fresh IPC cluster and close it.
     *
     * @param members     in the cluster.
     * @param maxInflight of the client.
     * @param run         what to measure.
     * @param <T>         what it returns.
     * @return what it returned.
     */
    public static <T> T withIpcCluster(final int members, final int maxInflight, final Function<IpcCluster, T> run)
    {
        try (IpcCluster cluster = new IpcCluster(members, "file", "none", maxInflight))
        {
            return run.apply(cluster);
        }
    }
}
