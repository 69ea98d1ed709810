package io.raftline.perf;

import io.raftline.engine.agent.DriverDirectory;
import io.raftline.engine.agent.EmbeddedAeron;
import io.raftline.engine.agent.IdleStrategies;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.RaftMember;
import io.raftline.engine.agent.StorageType;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.core.RaftRole;
import io.raftline.log.Durability;
import io.raftline.samples.CounterService;
import io.raftline.samples.LoadGenerator;
import io.raftline.samples.NodeOptions;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Raftline's members in this JVM over UDP on 127.0.0.1, the layout of the Aeron Cluster baseline
 * ({@code AeronClusterBaseline}): each member has its own embedded media driver in its own directory, so members talk
 * through the kernel's loopback as they would across hosts, but no process boundary separates them. Otherwise each
 * member is set up as a member process of {@link RaftlineScenarios.UdpProcesses} is (the sample's {@code node}
 * command): driver and client conductor in invoker mode on the member's own thread, file storage, the same election
 * and heartbeat settings, the given idle strategy. The client is the process rows' too: its own invoker-mode driver
 * on the load thread, sending over UDP.
 * <p>
 * Beside the process rows, the one-JVM rows separate what Raftline costs from what four JVMs on a small host cost
 * (more runnable threads than cores, each JVM's own safepoints, compiler and GC threads).
 */
public final class UdpOneJvmCluster implements AutoCloseable
{
    // A member process's defaults (the sample's NodeOptions), so that only the layout differs from the process rows.
    private static final long ELECTION_TIMEOUT_MIN_NS =
        TimeUnit.MILLISECONDS.toNanos(NodeOptions.ELECTION_TIMEOUT_MS_DEFAULT);
    private static final long ELECTION_TIMEOUT_MAX_NS = 2 * ELECTION_TIMEOUT_MIN_NS;
    private static final long HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(NodeOptions.HEARTBEAT_MS_DEFAULT);
    private static final long STARTUP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final Path dataDir;
    private final File driverBase;
    private final RaftMember[] members;
    private final AgentRunner[] runners;
    private final String membersString;
    private EmbeddedAeron clientAeron;
    private LoadGenerator load;
    private double electionMs;

    /**
     * Start the members, wait for a leader and connect the load generator.
     *
     * @param memberCount in the cluster.
     * @param maxInflight of the client.
     * @param idle        idle strategy of each member's thread (the process rows' {@code udpIdle}).
     * @param durability  of the members' file storage: none, batch or each.
     */
    public UdpOneJvmCluster(final int memberCount, final int maxInflight, final String idle, final String durability)
    {
        members = new RaftMember[memberCount];
        runners = new AgentRunner[memberCount];
        try
        {
            // Under the drivers' usual base (/dev/shm), but a directory of this cluster's own: close() deletes it
            // whole, whatever a failed start left in it.
            driverBase = Files.createTempDirectory(DriverDirectory.defaultBase().toPath(), "raftline-perf-udp-jvm-")
                .toFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        try
        {
            dataDir = Files.createTempDirectory("raftline-perf-udp-jvm");
        }
        catch (final IOException ex)
        {
            IoUtil.delete(driverBase, true);
            throw new UncheckedIOException(ex);
        }
        membersString = membersString(memberCount);
        try
        {
            start(maxInflight, idle, durability);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly();
            throw ex;
        }
    }

    private void start(final int maxInflight, final String idle, final String durability)
    {
        final long startNs = System.nanoTime();
        for (int i = 0; i < members.length; i++)
        {
            final MemberContext ctx = new MemberContext()
                .memberId(i)
                .members(membersString)
                .dir(dataDir.resolve("data").toString())
                .driverDir(new File(driverBase, "member-" + i).getPath())
                .storage(StorageType.FILE)
                .durability(Durability.parse(durability))
                .idleStrategy(IdleStrategies.type(idle), IdleStrategies.sleepNs(idle))
                .electionTimeoutNs(ELECTION_TIMEOUT_MIN_NS, ELECTION_TIMEOUT_MAX_NS)
                .heartbeatIntervalNs(HEARTBEAT_INTERVAL_NS)
                .service(new CounterService());
            members[i] = RaftMember.create(ctx);
            // A runner of our own rather than RaftMember.launch: close() stops every member at once, where launch's
            // close hands leadership over first and the last member waits out transfers to peers already gone.
            runners[i] = new AgentRunner(
                members[i].context().idleStrategy(), members[i].context().errorHandler(), null, members[i].agent());
            AgentRunner.startOnThread(runners[i]);
        }
        awaitLeader(startNs + STARTUP_TIMEOUT_NS);
        electionMs = (System.nanoTime() - startNs) / 1e6;
        clientAeron = EmbeddedAeron.invoker("raftline-perf-client");
        load = new LoadGenerator(new ClientContext()
            .aeron(clientAeron.aeron())
            .members(membersString)
            .maxInflight(maxInflight)
            .connectTimeoutNs(STARTUP_TIMEOUT_NS), new YieldingIdleStrategy());
    }

    private void awaitLeader(final long deadlineNs)
    {
        while (true)
        {
            for (final RaftMember member : members)
            {
                if (member.isFailed())
                {
                    throw new IllegalStateException("member " + member.context().memberId() + " failed at start");
                }
                if (RaftRole.LEADER == member.role())
                {
                    return;
                }
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("no leader among the one-JVM UDP members within 30 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Free UDP ports on the loopback, all bound at once so that they differ; the drivers bind them a moment later.
     */
    private static String membersString(final int memberCount)
    {
        final DatagramSocket[] sockets = new DatagramSocket[memberCount];
        final StringBuilder builder = new StringBuilder();
        try
        {
            for (int i = 0; i < memberCount; i++)
            {
                sockets[i] = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                builder.append(0 == i ? "" : ",").append(i).append("@127.0.0.1:").append(sockets[i].getLocalPort());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            CloseHelper.quietCloseAll(sockets);
        }
        return builder.toString();
    }

    /**
     * @return the load generator.
     */
    public LoadGenerator load()
    {
        return load;
    }

    /**
     * @return milliseconds from creating the members to an elected leader.
     */
    public double electionMs()
    {
        return electionMs;
    }

    /**
     * @return the members string clients use, {@code 0@127.0.0.1:port,...}.
     */
    public String members()
    {
        return membersString;
    }

    /**
     * Stop everything and delete the data and the drivers' directories.
     *
     * @throws IllegalStateException if a member stopped on an error during the run (its numbers are not results).
     */
    public void close()
    {
        final StringBuilder failed = new StringBuilder();
        for (final RaftMember member : members)
        {
            if (null != member && member.isFailed())
            {
                failed.append(failed.length() == 0 ? "" : ", ").append(member.context().memberId());
            }
        }
        closeQuietly();
        if (failed.length() > 0)
        {
            throw new IllegalStateException("one-JVM UDP members failed during the run: " + failed);
        }
    }

    private void closeQuietly()
    {
        CloseHelper.quietClose(load);
        // Every member's thread stops before any member closes, so no member sees its peers go one by one.
        CloseHelper.quietCloseAll(runners);
        CloseHelper.quietCloseAll(members);
        CloseHelper.quietClose(clientAeron);
        IoUtil.delete(driverBase, true);
        IoUtil.delete(dataDir.toFile(), true);
    }
}
