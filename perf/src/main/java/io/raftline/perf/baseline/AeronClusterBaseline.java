package io.raftline.perf.baseline;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.service.Cluster;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Aeron Cluster running the same replicated counter as Raftline, for the report to compare against: members in
 * this JVM, each with its own media driver, archive, consensus module and service container (see
 * {@link AeronClusterMember}), UDP on 127.0.0.1 between members, and a client attached over IPC to the leader's
 * driver (Aeron's best case for a client, as in the reference measurement), or, with {@link #launchUdpClient}, a
 * client with its own media driver sending over UDP to every member's ingress endpoint, as Raftline's UDP client does
 * (the like-for-like comparison of a client on another host).
 * <p>
 * {@link #launch} starts the members, waits for a leader and connects the client; the load methods match Raftline's
 * {@code LoadGenerator}: {@link #closedLoop}, {@link #openLoop} and {@link #throughput}. {@link #close} stops the
 * cluster through its control toggle (ABORT, so every member terminates as planned rather than losing its peers),
 * closes every component and deletes every directory: drivers', archives' and clusters'.
 * <p>
 * The client cannot follow a change of leader (its ingress is the old leader's IPC), so a load method fails loudly
 * if the leader is lost mid-run; with the default 10 s leader heartbeat timeout that has not been seen here.
 */
public final class AeronClusterBaseline implements AutoCloseable
{
    /**
     * Members the baseline runs by default.
     */
    public static final int DEFAULT_MEMBER_COUNT = 3;

    /**
     * Length of a command by default: correlation id, delta and padding, as the reference measured.
     */
    public static final int DEFAULT_COMMAND_LENGTH = 32;

    private static final long STARTUP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long TERMINATION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final ScratchDirectory drivers;
    private final ScratchDirectory storage;
    private final AeronErrors errors = new AeronErrors();
    private final AeronClusterMember[] members;
    private final AeronClusterLoad load = new AeronClusterLoad();
    private AeronCluster client;
    private MediaDriver clientDriver;
    private boolean isUdpClient;
    private AeronClusterMember leader;
    private long membersLaunchedNs;
    private long leaderElectedNs;
    private long clientConnectedNs;
    private boolean isClosed;

    private AeronClusterBaseline(final int memberCount)
    {
        members = new AeronClusterMember[memberCount];
        drivers = ScratchDirectory.inSharedMemory("raftline-aeron-cluster");
        ScratchDirectory disk = null;
        try
        {
            disk = ScratchDirectory.onDisk("raftline-aeron-cluster");
        }
        finally
        {
            if (null == disk)
            {
                drivers.close();
            }
        }
        storage = disk;
    }

    /**
     * Launch {@link #DEFAULT_MEMBER_COUNT} members and connect a client to the leader.
     *
     * @return the running cluster.
     */
    public static AeronClusterBaseline launch()
    {
        return launch(DEFAULT_MEMBER_COUNT);
    }

    /**
     * Launch the members one after the other, wait for a leader and connect a client to it.
     *
     * @param memberCount of the cluster.
     * @return the running cluster.
     */
    public static AeronClusterBaseline launch(final int memberCount)
    {
        return launch(memberCount, false);
    }

    /**
     * Launch {@link #DEFAULT_MEMBER_COUNT} members and connect a client over UDP: its own media driver (shared
     * thread, yielding), ingress to every member's UDP endpoint, egress to an ephemeral UDP port on 127.0.0.1.
     *
     * @return the running cluster.
     */
    public static AeronClusterBaseline launchUdpClient()
    {
        return launch(DEFAULT_MEMBER_COUNT, true);
    }

    private static AeronClusterBaseline launch(final int memberCount, final boolean isUdpClient)
    {
        if (memberCount < 1)
        {
            throw new IllegalArgumentException("memberCount=" + memberCount);
        }
        final AeronClusterBaseline baseline = new AeronClusterBaseline(memberCount);
        baseline.isUdpClient = isUdpClient;
        try
        {
            baseline.start();
            return baseline;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(baseline);
            throw ex;
        }
    }

    private void start()
    {
        final long startNs = System.nanoTime();
        final AeronClusterMember.Endpoints[] endpoints = allocateEndpoints(members.length);
        final StringBuilder clusterMembers = new StringBuilder();
        for (int i = 0; i < members.length; i++)
        {
            clusterMembers.append(0 == i ? "" : "|").append(endpoints[i].membersEntry(i));
        }
        for (int i = 0; i < members.length; i++)
        {
            members[i] = AeronClusterMember.launch(i, clusterMembers.toString(), endpoints[i],
                drivers.path("member-" + i + "-driver"), new File(storage.dir(), "member-" + i), errors);
        }
        membersLaunchedNs = System.nanoTime() - startNs;

        final long deadlineNs = startNs + STARTUP_TIMEOUT_NS;
        RuntimeException lastFailure = null;
        while (null == client)
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("no leader with a client session within 60 s", lastFailure);
            }
            leader = awaitLeader(deadlineNs);
            if (0 == leaderElectedNs)
            {
                leaderElectedNs = System.nanoTime() - startNs;
            }
            try
            {
                client = AeronCluster.connect(isUdpClient ? udpClientContext(endpoints) : new AeronCluster.Context()
                    .aeronDirectoryName(leader.aeronDirectoryName())
                    .ingressChannel("aeron:ipc")
                    .egressChannel("aeron:ipc")
                    .egressListener(load)
                    .idleStrategy(new YieldingIdleStrategy())
                    .errorHandler(errors));
            }
            catch (final RuntimeException ex)
            {
                lastFailure = ex; // the leader may not accept sessions yet, or lost its leadership: look again
            }
        }
        load.client(client);
        clientConnectedNs = System.nanoTime() - startNs;
    }

    private AeronCluster.Context udpClientContext(final AeronClusterMember.Endpoints[] endpoints)
    {
        if (null == clientDriver)
        {
            clientDriver = AeronClusterMember.launchDriver(drivers.path("client-driver"), errors);
        }
        final StringBuilder ingress = new StringBuilder();
        for (int i = 0; i < endpoints.length; i++)
        {
            ingress.append(0 == i ? "" : ",").append(i).append("=127.0.0.1:").append(endpoints[i].ingressPort());
        }
        return new AeronCluster.Context()
            .aeronDirectoryName(clientDriver.aeronDirectoryName())
            .ingressChannel("aeron:udp")
            .ingressEndpoints(ingress.toString())
            .egressChannel("aeron:udp?endpoint=127.0.0.1:0")
            .egressListener(load)
            .idleStrategy(new YieldingIdleStrategy())
            .errorHandler(errors);
    }

    private AeronClusterMember awaitLeader(final long deadlineNs)
    {
        while (System.nanoTime() < deadlineNs)
        {
            for (final AeronClusterMember member : members)
            {
                if (Cluster.Role.LEADER == member.role())
                {
                    return member;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        throw new IllegalStateException("no leader elected within 60 s");
    }

    private static AeronClusterMember.Endpoints[] allocateEndpoints(final int memberCount)
    {
        // Ask the OS for free ports, all bound at once so they differ; Aeron binds them a moment later.
        final int[] ports = new int[memberCount * AeronClusterMember.Endpoints.PORT_COUNT];
        final DatagramSocket[] sockets = new DatagramSocket[ports.length];
        try
        {
            for (int i = 0; i < ports.length; i++)
            {
                sockets[i] = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = sockets[i].getLocalPort();
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
        final AeronClusterMember.Endpoints[] endpoints = new AeronClusterMember.Endpoints[memberCount];
        for (int i = 0, p = 0; i < memberCount; i++, p += AeronClusterMember.Endpoints.PORT_COUNT)
        {
            endpoints[i] = new AeronClusterMember.Endpoints(
                ports[p], ports[p + 1], ports[p + 2], ports[p + 3], ports[p + 4]);
        }
        return endpoints;
    }

    /**
     * One command outstanding at a time.
     *
     * @param commandLength of each command (correlation id, delta, padding; at least 16).
     * @param warmupOps     commands sent before measuring.
     * @param durationNs    of the measured phase.
     * @return round trips in nanoseconds.
     */
    public BaselineResult closedLoop(final int commandLength, final long warmupOps, final long durationNs)
    {
        return load.closedLoop(commandLength, warmupOps, durationNs);
    }

    /**
     * Commands at a fixed rate; latency counts from when each command was due.
     *
     * @param ratePerSecond of commands.
     * @param commandLength of each command.
     * @param durationNs    of the run.
     * @return latencies from due time in nanoseconds.
     */
    public BaselineResult openLoop(final double ratePerSecond, final int commandLength, final long durationNs)
    {
        return load.openLoop(ratePerSecond, commandLength, durationNs);
    }

    /**
     * As many commands as {@code window} outstanding allows.
     *
     * @param window        commands outstanding.
     * @param commandLength of each command.
     * @param durationNs    of the run.
     * @return latencies from send in nanoseconds; the rate is the throughput.
     */
    public BaselineResult throughput(final int window, final int commandLength, final long durationNs)
    {
        return load.throughput(window, commandLength, durationNs);
    }

    /**
     * @return nanoseconds from launching the first member until every member was launched.
     */
    public long membersLaunchedAfterNs()
    {
        return membersLaunchedNs;
    }

    /**
     * @return nanoseconds from launching the first member until a consensus module reported the leader role.
     */
    public long leaderElectedAfterNs()
    {
        return leaderElectedNs;
    }

    /**
     * @return nanoseconds from launching the first member until the client's session was open at the leader.
     */
    public long clientConnectedAfterNs()
    {
        return clientConnectedNs;
    }

    /**
     * @return id of the member the client is attached to.
     */
    public int leaderMemberId()
    {
        return leader.memberId();
    }

    /**
     * @return the counter as the client last saw it.
     */
    public long lastValue()
    {
        return load.lastValue();
    }

    /**
     * @param memberId of a member.
     * @return the counter as that member last applied it.
     */
    public long counterValue(final int memberId)
    {
        return members[memberId].service().value();
    }

    /**
     * @return the errors the Aeron components reported.
     */
    public AeronErrors errors()
    {
        return errors;
    }

    /**
     * @return the directories this baseline owns (drivers in shared memory, archives and clusters on disk).
     */
    public File[] directories()
    {
        return new File[]{ drivers.dir(), storage.dir() };
    }

    /**
     * Stop the cluster, close every component and delete every directory. Never hangs: members that do not
     * terminate within 10 s are closed by hand.
     */
    public void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;
        // From here on members report their own termination ("expected termination") and lost peers: teardown.
        errors.closing();
        try
        {
            CloseHelper.quietClose(client);
            CloseHelper.quietClose(clientDriver);
            terminateMembers();
            for (int i = members.length - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(members[i]);
            }
        }
        finally
        {
            CloseHelper.closeAll(drivers, storage);
        }
    }

    private void terminateMembers()
    {
        if (null == leader || !leader.requestAbort())
        {
            return;
        }
        final long deadlineNs = System.nanoTime() + TERMINATION_TIMEOUT_NS;
        try
        {
            for (final AeronClusterMember member : members)
            {
                if (null != member)
                {
                    member.awaitTermination(Math.max(0, deadlineNs - System.nanoTime()));
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
