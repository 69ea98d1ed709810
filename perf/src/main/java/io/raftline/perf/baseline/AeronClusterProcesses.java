package io.raftline.perf.baseline;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.raftline.perf.baseline.CounterClusteredService.BYTE_ORDER;
import static io.raftline.perf.baseline.CounterClusteredService.CORRELATION_ID_OFFSET;
import static io.raftline.perf.baseline.CounterClusteredService.DELTA_OFFSET;

/**
 * Aeron Cluster as three member processes ({@link AeronClusterNode}) over UDP on 127.0.0.1, with a client in this
 * JVM (its own embedded media driver, UDP ingress to every member, so that it follows a new leader) driving an open
 * loop on a thread of its own: the Aeron side of the failover scenario ({@link Failovers}).
 * <p>
 * A killed member is started again with empty directories (the member's settings delete them on start) and catches
 * up by replicating the log from the leader's archive; restarting from its own files after a SIGKILL would need
 * the archive's and the cluster's crash recovery, which this baseline does not script. Driver directories live
 * under one directory in shared memory and archives and cluster files under one on disk; {@link #close} deletes
 * both, whatever the killed members left there.
 */
public final class AeronClusterProcesses implements Failovers.Target, AutoCloseable
{
    private static final int MEMBERS = 3;
    private static final long JOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);
    private static final int COMMAND_LENGTH = 32;

    /**
     * System property naming a directory to keep the member processes' output in (with the election states they
     * passed through); by default it goes with the members' storage and is deleted on close.
     */
    public static final String LOG_DIR_PROP_NAME = "raftline.perf.failover.logs";

    private final ScratchDirectory drivers;
    private final ScratchDirectory storage;
    private final String clusterMembers;
    private final AeronClusterMember.Endpoints[] endpoints = new AeronClusterMember.Endpoints[MEMBERS];
    private final Process[] processes = new Process[MEMBERS];
    private final java.nio.file.Path[] logs = new java.nio.file.Path[MEMBERS];
    private final java.nio.file.Path logDir;
    private final String[] electionStates = new String[MEMBERS];
    private final List<String> jvmOptions;
    private final Failovers.Probe probe = new Failovers.Probe();
    private final AeronErrors clientErrors = new AeronErrors();
    private final double ratePerSecond;
    private String settings = "";
    private MediaDriver clientDriver;
    private AeronCluster client;
    private Thread loadThread;
    private volatile boolean isRunning = true;
    private volatile Throwable loadFailure;
    private int starts;

    /**
     * Start the members, connect the client and start the load.
     *
     * @param jvmOptions    of each member process besides the class path, e.g. Aeron's election settings as
     *                      {@code -Daeron.cluster.leader.heartbeat.timeout=100000000}.
     * @param ratePerSecond of the open loop.
     */
    public AeronClusterProcesses(final List<String> jvmOptions, final double ratePerSecond)
    {
        this.jvmOptions = jvmOptions;
        this.ratePerSecond = ratePerSecond;
        drivers = ScratchDirectory.inSharedMemory("raftline-failover-aeron");
        storage = ScratchDirectory.onDisk("raftline-failover-aeron");
        final int[] ports = freePorts(MEMBERS * AeronClusterMember.Endpoints.PORT_COUNT);
        final StringBuilder members = new StringBuilder();
        final StringBuilder ingress = new StringBuilder();
        for (int i = 0, p = 0; i < MEMBERS; i++, p += AeronClusterMember.Endpoints.PORT_COUNT)
        {
            endpoints[i] = new AeronClusterMember.Endpoints(
                ports[p], ports[p + 1], ports[p + 2], ports[p + 3], ports[p + 4]);
            members.append(0 == i ? "" : "|").append(endpoints[i].membersEntry(i));
            ingress.append(0 == i ? "" : ",").append(i).append("=127.0.0.1:").append(ports[p]);
        }
        clusterMembers = members.toString();
        try
        {
            logDir = null == System.getProperty(LOG_DIR_PROP_NAME) ? storage.dir().toPath() :
                Files.createDirectories(java.nio.file.Path.of(System.getProperty(LOG_DIR_PROP_NAME)));
        }
        catch (final IOException ex)
        {
            close();
            throw new UncheckedIOException(ex);
        }
        try
        {
            final BufferedReader[] outputs = new BufferedReader[MEMBERS];
            for (int i = 0; i < MEMBERS; i++)
            {
                outputs[i] = launch(i);
            }
            for (int i = 0; i < MEMBERS; i++)
            {
                awaitLine(i, outputs[i], "JOINED ");
            }
            clientDriver = AeronClusterMember.launchDriver(drivers.path("client-driver"), clientErrors);
            final Load load = new Load();
            client = AeronCluster.connect(new AeronCluster.Context()
                .aeronDirectoryName(clientDriver.aeronDirectoryName())
                .ingressChannel("aeron:udp")
                .ingressEndpoints(ingress.toString())
                .egressChannel("aeron:udp?endpoint=127.0.0.1:0")
                .egressListener(load)
                .newLeaderTimeoutNs(TimeUnit.SECONDS.toNanos(30))
                .idleStrategy(new YieldingIdleStrategy())
                .errorHandler(clientErrors));
            loadThread = new Thread(load, "aeron-failover-load");
            loadThread.start();
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private static int[] freePorts(final int count)
    {
        final int[] ports = new int[count];
        final DatagramSocket[] sockets = new DatagramSocket[count];
        try
        {
            for (int i = 0; i < count; i++)
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
        return ports;
    }

    /**
     * The options of this JVM a member needs too: the module exports and opens of the build's JVM flags.
     *
     * @return the options.
     */
    public static List<String> inheritedJvmOptions()
    {
        final List<String> options = new ArrayList<>();
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("--sun-misc") ||
                argument.startsWith("--enable-native"))
            {
                options.add(argument);
            }
        }
        return options;
    }

    private BufferedReader launch(final int memberId)
    {
        final AeronClusterMember.Endpoints e = endpoints[memberId];
        final List<String> command = new ArrayList<>(List.of(
            new File(System.getProperty("java.home"), "bin/java").getPath(), "-Xmx256m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AeronClusterNode.class.getName(),
            Integer.toString(memberId), clusterMembers, Integer.toString(e.ingressPort()),
            Integer.toString(e.consensusPort()), Integer.toString(e.logPort()), Integer.toString(e.catchupPort()),
            Integer.toString(e.archivePort()), drivers.path("member-" + memberId + "-driver"),
            new File(storage.dir(), "member-" + memberId).getPath()));
        try
        {
            logs[memberId] = logDir.resolve("member-" + memberId + "-" + starts++ + ".log");
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            processes[memberId] = process;
            final BufferedReader output = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            final String launched = awaitLine(memberId, output, "LAUNCHED ");
            if (settings.isEmpty())
            {
                settings = launched.substring(launched.indexOf(' ', "LAUNCHED ".length()) + 1);
            }
            return output;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private String awaitLine(final int memberId, final BufferedReader output, final String prefix)
    {
        final java.nio.file.Path log = logs[memberId];
        final long deadlineNs = System.nanoTime() + JOIN_TIMEOUT_NS;
        try
        {
            String line;
            while (null != (line = output.readLine()))
            {
                Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (line.startsWith(prefix))
                {
                    if (prefix.startsWith("JOINED"))
                    {
                        drain(memberId, output, log);
                    }
                    return line;
                }
                if (System.nanoTime() > deadlineNs)
                {
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        throw new IllegalStateException("Aeron Cluster member " + memberId + " did not print " + prefix.trim() +
            "; its output:" + System.lineSeparator() + tail(log));
    }

    private static String tail(final java.nio.file.Path log)
    {
        try
        {
            final String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            return text.substring(Math.max(0, text.length() - 4000));
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    private void drain(final int memberId, final BufferedReader output, final java.nio.file.Path log)
    {
        final Thread drain = new Thread(() ->
        {
            try
            {
                String line;
                while (null != (line = output.readLine()))
                {
                    if (line.startsWith("ELECTION "))
                    {
                        // "ELECTION <epoch ms> <election state> <role>"
                        final String[] fields = line.split(" ");
                        electionStates[memberId] = fields.length > 3 ? fields[2] + " " + fields[3] : line;
                    }
                    Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            }
            catch (final IOException ignore)
            {
                // the process died; its output ends here
            }
        }, "drain-aeron-member-" + memberId);
        drain.setDaemon(true);
        drain.start();
    }

    /**
     * @return the consensus module's election and heartbeat settings as the first member reported them.
     */
    public String settings()
    {
        return settings;
    }

    /**
     * @return the load thread's view of the client.
     */
    public Failovers.Probe probe()
    {
        return probe;
    }

    /**
     * {@inheritDoc}
     */
    public int leaderFollowed()
    {
        if (null != loadFailure)
        {
            throw new IllegalStateException("the Aeron Cluster client failed", loadFailure);
        }
        final int leader = probe.leader();
        return leader >= 0 && null != processes[leader] && processes[leader].isAlive() &&
            probe.commitsOfLeader() >= 100 ? leader : -1;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isSteady()
    {
        int leaders = 0;
        for (int i = 0; i < MEMBERS; i++)
        {
            final String state = electionStates[i];
            if (null == processes[i] || !processes[i].isAlive() || null == state || !state.startsWith("CLOSED "))
            {
                return false;
            }
            leaders += state.endsWith(" LEADER") ? 1 : 0;
        }
        return 1 == leaders;
    }

    /**
     * {@inheritDoc}
     */
    public long pid(final int memberId)
    {
        return processes[memberId].pid();
    }

    /**
     * {@inheritDoc}
     */
    public void onKilled(final int memberId)
    {
        electionStates[memberId] = null;
        final Process process = processes[memberId];
        process.destroyForcibly();
        try
        {
            process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        processes[memberId] = null;
    }

    /**
     * {@inheritDoc}
     */
    public void restart(final int memberId)
    {
        awaitLine(memberId, launch(memberId), "JOINED ");
    }

    /**
     * Stop the load and the client, stop every member (SIGTERM, SIGKILL after 20 s) and delete every directory.
     */
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
        clientErrors.closing();
        CloseHelper.quietClose(client);
        for (final Process process : processes)
        {
            if (null != process)
            {
                process.destroy();
            }
        }
        for (final Process process : processes)
        {
            if (null != process)
            {
                try
                {
                    if (!process.waitFor(20, TimeUnit.SECONDS))
                    {
                        process.destroyForcibly();
                        process.waitFor(30, TimeUnit.SECONDS);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
        CloseHelper.quietClose(clientDriver);
        CloseHelper.closeAll(drivers, storage);
    }

    /**
     * @return the directories this owns (member and client drivers in shared memory, archives and clusters on disk).
     */
    public File[] directories()
    {
        return new File[]{ drivers.dir(), storage.dir() };
    }

    /**
     * @return errors the client and its driver reported before closing.
     */
    public long clientErrors()
    {
        return clientErrors.count();
    }

    /**
     * The open loop, on its own thread: a command when due (a command the client cannot send is skipped, the
     * schedule goes on), the egress polled in between.
     */
    private final class Load implements Runnable, EgressListener
    {
        private final UnsafeBuffer command = new UnsafeBuffer(ByteBuffer.allocateDirect(COMMAND_LENGTH));
        private final YieldingIdleStrategy idle = new YieldingIdleStrategy();
        private long correlationId;

        public void run()
        {
            try
            {
                command.putLong(DELTA_OFFSET, 1L, BYTE_ORDER);
                final double intervalNs = 1e9 / ratePerSecond;
                final long startNs = System.nanoTime();
                long scheduled = 0;
                while (isRunning)
                {
                    final long nowNs = System.nanoTime();
                    int work = 0;
                    if (nowNs >= startNs + (long)(scheduled * intervalNs))
                    {
                        command.putLong(CORRELATION_ID_OFFSET, ++correlationId, BYTE_ORDER);
                        final long result = client.offer(command, 0, COMMAND_LENGTH);
                        if (Publication.MAX_POSITION_EXCEEDED == result)
                        {
                            throw new IllegalStateException("cluster ingress unusable: " +
                                Publication.errorString(result));
                        }
                        scheduled++;
                        work++;
                    }
                    work += client.pollEgress();
                    probe.onLeader(client.leaderMemberId(), nowNs);
                    idle.idle(work);
                }
            }
            catch (final Throwable t)
            {
                loadFailure = t;
            }
        }

        public void onMessage(
            final long clusterSessionId,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header header)
        {
            probe.onCommitted(client.leaderMemberId(), System.nanoTime());
        }

        public void onNewLeader(
            final long clusterSessionId,
            final long leadershipTermId,
            final int leaderMemberId,
            final String ingressEndpoints)
        {
            probe.onLeader(leaderMemberId, System.nanoTime());
        }
    }
}
