package io.raftline.samples;

import io.aeron.Aeron;
import io.raftline.engine.agent.RaftStat;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Members of the sample counter as real processes ({@code java -jar raftline-samples.jar node ...}) over UDP on
 * 127.0.0.1, for crash tests and benchmarks: kill -9, restart, and read each member's counters from its media
 * driver's CnC file. The jar is named by the {@code raftline.samples.jar} system property.
 */
public final class ProcessCluster implements AutoCloseable
{
    /**
     * System property with extra JVM options for every member process, separated by spaces
     * (e.g. {@code -Draftline.max.batch.entries=256}).
     */
    public static final String MEMBER_JVM_OPTIONS_PROP_NAME = "raftline.member.jvm.options";

    /**
     * The members' property for where their media drivers put their directories (MemberConfiguration's).
     */
    static final String DRIVER_DIR_BASE_PROP_NAME = "raftline.driver.dir.base";

    /**
     * Members a cluster can have over its life, joined ones included.
     */
    static final int MAX_MEMBERS = 8;

    private final int size;
    private final Path dir;
    private final String members;
    private final String[] endpoints = new String[MAX_MEMBERS];
    private final boolean[] isJoining = new boolean[MAX_MEMBERS];
    private final List<String> memberJvmOptions = new ArrayList<>();
    private final List<String> extraArgs;
    private final Process[] processes;
    private final String[] aeronDirs;
    private final Aeron[] readers;
    private final List<Path> logs = new ArrayList<>();
    private final Set<String> reportedAeronDirs = new LinkedHashSet<>();
    private final File driverDirBase;
    private String subcommand = "node";

    /**
     * @param size      members.
     * @param dir       for their data and output.
     * @param extraArgs for every member's {@code node} command.
     */
    public ProcessCluster(final int size, final Path dir, final String... extraArgs)
    {
        this.size = size;
        this.dir = dir;
        this.extraArgs = List.of(extraArgs);
        this.processes = new Process[MAX_MEMBERS];
        this.aeronDirs = new String[MAX_MEMBERS];
        this.readers = new Aeron[MAX_MEMBERS];
        this.driverDirBase = newDriverDirBase();
        final StringBuilder builder = new StringBuilder();
        for (int i = 0; i < size; i++)
        {
            endpoints[i] = "127.0.0.1:" + freeUdpPort();
            builder.append(0 == i ? "" : ",").append(i).append('@').append(endpoints[i]);
        }
        this.members = builder.toString();
    }

    /**
     * @param subcommand that runs one member, {@code node} unless set ({@code auction-node} for the auction).
     * @return this for a fluent API.
     */
    public ProcessCluster subcommand(final String subcommand)
    {
        this.subcommand = subcommand;
        return this;
    }

    /**
     * @param id of a member.
     * @return the output files of its starts so far, oldest first.
     */
    public List<Path> logsOf(final int id)
    {
        final List<Path> ofMember = new ArrayList<>();
        for (final Path log : logs)
        {
            if (log.getFileName().toString().startsWith("member-" + id + "-"))
            {
                ofMember.add(log);
            }
        }
        return ofMember;
    }

    /**
     * @return the sample jar's path.
     */
    public static String jar()
    {
        final String jar = System.getProperty("raftline.samples.jar");
        if (null == jar || !new File(jar).isFile())
        {
            throw new IllegalStateException("raftline.samples.jar must name the packaged sample jar, not " + jar);
        }
        return jar;
    }

    /**
     * The members' media drivers put their directories here rather than straight under /dev/shm, so that a test can
     * count exactly the directories of its own cluster and {@link #close()} can remove what its killed members left
     * behind without touching anything else on the host.
     */
    private static File newDriverDirBase()
    {
        final File shm = new File("/dev/shm");
        final File parent = shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
        try
        {
            return Files.createTempDirectory(parent.toPath(), "raftline-cluster-").toFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param options JVM options for every member process started from now on (e.g. {@code -Dname=value}).
     * @return this for a fluent API.
     */
    public ProcessCluster memberJvmOptions(final String... options)
    {
        memberJvmOptions.addAll(List.of(options));
        return this;
    }

    /**
     * Name a new member that joins the running cluster (empty directory, a new port): {@link #start(int)} then runs
     * {@code node --join <the first members> --endpoint <its own>}, and so does every restart of it.
     *
     * @param id a new id.
     * @return its endpoint, {@code 127.0.0.1:<port>}.
     */
    public String addJoiningMember(final int id)
    {
        if (null != endpoints[id])
        {
            throw new IllegalArgumentException("member " + id + " exists");
        }
        endpoints[id] = "127.0.0.1:" + freeUdpPort();
        isJoining[id] = true;
        return endpoints[id];
    }

    /**
     * @param id of a member.
     * @return its endpoint.
     */
    public String endpoint(final int id)
    {
        return endpoints[id];
    }

    /**
     * @return the members string for clients.
     */
    public String members()
    {
        return members;
    }

    /**
     * @return the number of members.
     */
    public int size()
    {
        return size;
    }

    /**
     * Start every member.
     */
    public void startAll()
    {
        for (int i = 0; i < size; i++)
        {
            start(i);
        }
    }

    /**
     * SIGTERM the member's process and wait until it exits: a graceful stop (a leader hands over first).
     *
     * @param id of the member.
     * @return its exit status.
     */
    public int stop(final int id)
    {
        final Process process = processes[id];
        CloseHelper.quietClose(readers[id]);
        readers[id] = null;
        process.destroy();
        try
        {
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                throw new IllegalStateException("member " + id + " did not stop within 60 s of SIGTERM");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        processes[id] = null;
        return process.exitValue();
    }

    /**
     * Start one member and wait until it runs.
     *
     * @param id of the member.
     */
    public void start(final int id)
    {
        final List<String> command = new ArrayList<>(List.of(
            new File(System.getProperty("java.home"), "bin/java").getPath(), "-Xmx256m",
            "-D" + DRIVER_DIR_BASE_PROP_NAME + "=" + driverDirBase.getPath()));
        final String jvmOptions = System.getProperty(MEMBER_JVM_OPTIONS_PROP_NAME, "").trim();
        if (!jvmOptions.isEmpty())
        {
            command.addAll(List.of(jvmOptions.split("\\s+")));
        }
        command.addAll(memberJvmOptions);
        command.addAll(List.of("-jar", jar(), subcommand, "--id", Integer.toString(id)));
        command.addAll(isJoining[id] ? List.of("--join", members, "--endpoint", endpoints[id]) :
            List.of("--members", members));
        command.addAll(List.of("--dir", dir.resolve("data").toString()));
        command.addAll(extraArgs);
        try
        {
            final Path log = dir.resolve("member-" + id + "-" + logs.size() + ".log");
            logs.add(log);
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            processes[id] = process;
            final BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            // Log lines (e.g. Chronicle recovering a lock held by a killed process) may precede READY.
            String ready;
            while (null != (ready = reader.readLine()) && !ready.startsWith("READY "))
            {
                Files.writeString(log, ready + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
            if (null == ready)
            {
                throw new IllegalStateException("member " + id + " exited before it was ready; output in " + log);
            }
            aeronDirs[id] = ready.substring(ready.indexOf("aeron=") + 6).trim();
            reportedAeronDirs.add(aeronDirs[id]);
            final Thread drain = new Thread(() -> copy(reader, log), "drain-member-" + id);
            drain.setDaemon(true);
            drain.start();
            readers[id] = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirs[id])
                .clientName("process-cluster-reader"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void copy(final BufferedReader reader, final Path log)
    {
        try
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
        }
        catch (final IOException ignore)
        {
            // The process died; its output ends here.
        }
    }

    /**
     * @param id of a running member.
     * @return its process id (to signal it at a precise moment; {@link #kill} still does the bookkeeping).
     */
    public long pid(final int id)
    {
        return processes[id].pid();
    }

    /**
     * SIGKILL the member's process: no shutdown hook runs, nothing is flushed.
     *
     * @param id of the member.
     */
    public void kill(final int id)
    {
        final Process process = processes[id];
        CloseHelper.quietClose(readers[id]);
        readers[id] = null;
        process.destroyForcibly();
        try
        {
            process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        processes[id] = null;
        // The killed driver's directory stays: the member reclaims it when it restarts.
    }

    /**
     * SIGSTOP or SIGCONT a member's process: it stops running (its clock does not; CLOCK_MONOTONIC goes on), or
     * runs again.
     *
     * @param id       of the member.
     * @param isPaused true to stop it, false to let it continue.
     */
    public void pause(final int id, final boolean isPaused)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", isPaused ? "-STOP" : "-CONT",
                Long.toString(processes[id].pid())).redirectErrorStream(true).start();
            if (0 != kill.waitFor())
            {
                throw new IllegalStateException("kill " + (isPaused ? "-STOP" : "-CONT") + " of member " + id +
                    " failed: " + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @param id of a member.
     * @return the media driver directory its last start reported.
     */
    public String aeronDirectoryName(final int id)
    {
        return aeronDirs[id];
    }

    /**
     * @return every media driver directory the members reported since the cluster was made, in order.
     */
    public Set<String> reportedAeronDirectoryNames()
    {
        return new LinkedHashSet<>(reportedAeronDirs);
    }

    /**
     * @return the directory under which the members' media drivers make their directories.
     */
    public File driverDirectoryBase()
    {
        return driverDirBase;
    }

    /**
     * @param id of a member.
     * @return whether its process runs.
     */
    public boolean isRunning(final int id)
    {
        return null != processes[id] && processes[id].isAlive();
    }

    /**
     * @param id   of a member.
     * @param name of one of its counters, e.g. "applied-index".
     * @return the value, or Long.MIN_VALUE if the member is down.
     */
    public long counter(final int id, final String name)
    {
        if (null == readers[id])
        {
            return Long.MIN_VALUE;
        }
        return RaftStat.value(readers[id].countersReader(), "raftline member=" + id + " " + name);
    }

    /**
     * @return the member that leads in the highest term, or -1.
     */
    public int leaderId()
    {
        int leader = -1;
        long leaderTerm = -1;
        for (int i = 0; i < MAX_MEMBERS; i++)
        {
            if (isRunning(i) && RaftRole.LEADER.code() == counter(i, "role") && counter(i, "term") > leaderTerm)
            {
                leader = i;
                leaderTerm = counter(i, "term");
            }
        }
        return leader;
    }

    /**
     * @return every member's role, term and indices, for failure messages.
     */
    public String describe()
    {
        final StringBuilder builder = new StringBuilder();
        for (int i = 0; i < MAX_MEMBERS; i++)
        {
            if (null == endpoints[i])
            {
                continue;
            }
            builder.append(System.lineSeparator()).append("  member ").append(i).append(isRunning(i) ?
                " role=" + counter(i, "role") + " term=" + counter(i, "term") + " commit=" +
                counter(i, "commit-index") + " applied=" + counter(i, "applied-index") : " down");
        }
        return builder.append(System.lineSeparator()).append("  logs in ").append(dir).toString();
    }

    /**
     * Stop every member (SIGTERM, then SIGKILL after 20 s).
     */
    public void close()
    {
        for (int i = 0; i < MAX_MEMBERS; i++)
        {
            if (null != processes[i])
            {
                CloseHelper.quietClose(readers[i]);
                processes[i].destroy();
            }
        }
        for (int i = 0; i < MAX_MEMBERS; i++)
        {
            if (null != processes[i])
            {
                try
                {
                    if (!processes[i].waitFor(20, TimeUnit.SECONDS))
                    {
                        processes[i].destroyForcibly();
                        processes[i].waitFor(30, TimeUnit.SECONDS);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
        // Every member is down: what is left under the base are directories of this cluster's dead drivers.
        IoUtil.delete(driverDirBase, true);
    }
}
