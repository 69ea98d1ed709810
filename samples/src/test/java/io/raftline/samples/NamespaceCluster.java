package io.raftline.samples;

import io.aeron.Aeron;
import io.raftline.engine.ForwardingRaftLog;
import io.raftline.engine.agent.RaftStat;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Member processes of the sample counter ({@link NemesisNode}), each in its own network namespace of a
 * {@link NetNamespaces}, over UDP on {@code 10.77.0.<10 + id>:20000}, and a client namespace at 10.77.0.100.
 * The test's thread reads each member's counters from its media driver's CnC file (shared memory works across
 * network namespaces). Everything runs on the caller's thread except the readers of the processes' output: a member
 * started with {@link #start} becomes readable once {@link #poll} has seen its READY line, so a restart does not
 * block the caller's sampling.
 */
final class NamespaceCluster implements AutoCloseable
{
    static final String CLIENT = "c";
    private static final int PORT = 20000;

    private final int size;
    private final Path dir;
    private final NetNamespaces net;
    private final List<String> extraArgs;
    private final String members;
    private final Member[] processes;
    private final List<String> finals = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    private static final class Member
    {
        Process process;
        volatile String aeronDir;
        volatile boolean hasExited;
        volatile boolean hasFailed;
        Aeron reader;
        boolean isPaused;
        int starts;
    }

    /**
     * @param net       the namespaces to make the members' in.
     * @param size      members.
     * @param dir       for their data and output.
     * @param extraArgs for every member's command.
     */
    NamespaceCluster(final NetNamespaces net, final int size, final Path dir, final String... extraArgs)
    {
        this.net = net;
        this.size = size;
        this.dir = dir;
        this.extraArgs = List.of(extraArgs);
        this.processes = new Member[size];
        final StringBuilder builder = new StringBuilder();
        for (int i = 0; i < size; i++)
        {
            processes[i] = new Member();
            final String address = net.addNode(node(i), 10 + i);
            builder.append(0 == i ? "" : ",").append(i).append('@').append(address).append(':').append(PORT);
        }
        net.addNode(CLIENT, 100);
        this.members = builder.toString();
    }

    static String node(final int id)
    {
        return "m" + id;
    }

    String members()
    {
        return members;
    }

    int size()
    {
        return size;
    }

    NetNamespaces net()
    {
        return net;
    }

    /**
     * @return the JVM command that runs a class of this module's tests with the sample jar, in a namespace.
     */
    private static String codeSource(final Class<?> type) throws URISyntaxException
    {
        return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }

    static List<String> javaCommand(final String mainClass)
    {
        final List<String> command = new ArrayList<>(List.of(
            // Small and light: up to six of these JVMs share two cores with the test and other builds.
            new File(System.getProperty("java.home"), "bin/java").getPath(), "-Xmx192m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1"));
        // The same module flags this JVM got (an executable jar gets them from its manifest, -cp does not).
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("-Dchronicle"))
            {
                command.add(arg);
            }
        }
        try
        {
            // This module's test classes (the test members) and raft-engine's (the log decorator they extend).
            final String testClasses = codeSource(NamespaceCluster.class) + File.pathSeparator +
                codeSource(ForwardingRaftLog.class);
            command.addAll(List.of("-cp", ProcessCluster.jar() + File.pathSeparator + testClasses, mainClass));
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
        return command;
    }

    void startAll()
    {
        for (int i = 0; i < size; i++)
        {
            start(i);
        }
        final long deadlineNs = System.nanoTime() + 120_000_000_000L;
        while (!isReadable())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("members did not start in 120 s" + describe());
            }
            poll();
            sleepMs(20);
        }
    }

    private boolean isReadable()
    {
        for (int i = 0; i < size; i++)
        {
            if (null == processes[i].reader)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Launch a member in its namespace; it becomes readable in {@link #poll} once it runs.
     */
    void start(final int id)
    {
        final Member member = processes[id];
        if (null != member.process)
        {
            return;
        }
        final List<String> command = javaCommand(NemesisNode.class.getName());
        command.addAll(List.of("--id", Integer.toString(id), "--members", members,
            "--dir", dir.resolve("data").toString(), "--stall-file", stallFile(id).toString()));
        command.addAll(extraArgs);
        final Path log = dir.resolve("member-" + id + "-" + member.starts++ + ".log");
        try
        {
            member.aeronDir = null;
            member.hasExited = false;
            member.hasFailed = false;
            member.isPaused = false;
            member.process = new ProcessBuilder(net.inNamespace(node(id), command)).redirectErrorStream(true).start();
            final Process process = member.process;
            final Thread drain = new Thread(() -> drain(member, process, log, id), "drain-member-" + id);
            drain.setDaemon(true);
            drain.start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private Path stallFile(final int id)
    {
        return dir.resolve("stall-member-" + id);
    }

    private void drain(final Member member, final Process process, final Path log, final int id)
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (line.startsWith("READY ") && member.process == process)
                {
                    final String aeronDir = line.substring(line.indexOf("aeron=") + 6).trim();
                    net.deleteOnCleanup(new File(aeronDir));
                    member.aeronDir = aeronDir;
                }
                else if (line.startsWith("LEADER ") || line.startsWith("STALLED "))
                {
                    synchronized (events)
                    {
                        events.add(id + " " + line);
                    }
                }
                else if (line.startsWith("FAILED "))
                {
                    member.hasFailed = true;
                }
                else if (line.startsWith("FINAL "))
                {
                    synchronized (finals)
                    {
                        finals.add(line);
                    }
                }
                Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
        catch (final IOException ignore)
        {
            // The process died; its output ends here.
        }
        if (member.process == process)
        {
            member.hasExited = true;
        }
    }

    /**
     * Connect the readers of members that have become ready; fail on a member that died by itself.
     */
    void poll()
    {
        for (int i = 0; i < size; i++)
        {
            final Member member = processes[i];
            if (null != member.process && null == member.reader && null != member.aeronDir)
            {
                member.reader = Aeron.connect(new Aeron.Context().aeronDirectoryName(member.aeronDir)
                    .clientName("nemesis-reader")
                    // A paused member's driver sends no heartbeats; the reader must outlive the pause.
                    .driverTimeoutMs(120_000)
                    .errorHandler((ignore) -> {}));
            }
            if (null != member.process && member.hasExited)
            {
                throw new IllegalStateException("member " + i + " exited by itself" + describe());
            }
            if (member.hasFailed)
            {
                throw new IllegalStateException("member " + i + " stopped on an error" + describe());
            }
        }
    }

    /**
     * SIGKILL a member: nothing runs, nothing is flushed. Its driver's directory is removed.
     */
    void kill(final int id)
    {
        final Member member = processes[id];
        if (null == member.process)
        {
            return;
        }
        final Process process = member.process;
        member.process = null;
        CloseHelper.quietClose(member.reader);
        member.reader = null;
        process.destroyForcibly();
        waitFor(process);
        member.isPaused = false;
        if (null != member.aeronDir)
        {
            IoUtil.delete(new File(member.aeronDir), true);
        }
    }

    /**
     * SIGSTOP or SIGCONT a member's process.
     */
    void pause(final int id, final boolean isPaused)
    {
        final Member member = processes[id];
        if (null == member.process || member.isPaused == isPaused)
        {
            return;
        }
        final NetNamespaces.Result result = NetNamespaces.exec(List.of("kill", isPaused ? "-STOP" : "-CONT",
            Long.toString(member.process.pid())));
        if (0 != result.exitCode)
        {
            throw new IllegalStateException("kill " + (isPaused ? "-STOP" : "-CONT") + " " + member.process.pid() +
                " failed: " + result.output);
        }
        member.isPaused = isPaused;
    }

    boolean isPaused(final int id)
    {
        return processes[id].isPaused;
    }

    boolean isRunning(final int id)
    {
        return null != processes[id].process;
    }

    /**
     * Make the member's log sync block for a while, from its next sync on.
     */
    void stallDisk(final int id, final long ms)
    {
        try
        {
            final Path tmp = dir.resolve("stall-" + id + ".tmp");
            Files.writeString(tmp, Long.toString(ms), StandardCharsets.UTF_8);
            Files.move(tmp, stallFile(id), StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the value of a member's counter, or Long.MIN_VALUE if it is not readable.
     */
    long counter(final int id, final String name)
    {
        final Aeron reader = processes[id].reader;
        if (null == reader)
        {
            return Long.MIN_VALUE;
        }
        return RaftStat.value(reader.countersReader(), "raftline member=" + id + " " + name);
    }

    /**
     * @param id of a member.
     * @return whether every member runs unpaused, is in the leader's term and has applied all but the last few
     * entries the leader committed (member {@code id} among them): a moment at which nothing is wrong with the
     * cluster (no member restarting or catching up, no election under way).
     */
    boolean isHealthy(final int id)
    {
        final int leader = leaderId();
        if (leader < 0 || id < 0 || id >= size)
        {
            return false;
        }
        final long term = counter(leader, "term");
        final long commit = counter(leader, "commit-index");
        for (int i = 0; i < size; i++)
        {
            if (processes[i].isPaused || !isRunning(i) || null == processes[i].reader || counter(i, "term") != term ||
                counter(i, "applied-index") < commit - 100)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Start {@code admin <args> --members ...} from the client's namespace, as an operator would run it.
     *
     * @param args the subcommand and its arguments.
     * @return the running command.
     */
    Admin admin(final String... args)
    {
        final List<String> command = new ArrayList<>(javaCommand(Main.class.getName()));
        command.add("admin");
        command.addAll(List.of(args));
        command.addAll(List.of("--members", members, "--timeout", "3s", "--connect-timeout", "5s",
            "--driver-dir-base", dir.resolve("admin-drivers").toString()));
        final Path output = dir.resolve("admin-" + System.nanoTime() + ".out");
        try
        {
            return new Admin(new ProcessBuilder(net.inNamespace(CLIENT, command)).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start(), output);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * An admin command under way.
     */
    record Admin(Process process, Path output)
    {
        /**
         * @return its exit code and output, once it ended (killed after 60 s: exit code -1).
         */
        AdminOutcome await()
        {
            try
            {
                final boolean hasEnded = process.waitFor(60, TimeUnit.SECONDS);
                if (!hasEnded)
                {
                    process.destroyForcibly().waitFor();
                }
                return new AdminOutcome(hasEnded ? process.exitValue() : -1,
                    Files.readString(output, StandardCharsets.UTF_8).strip());
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
    }

    /**
     * What an admin command answered.
     *
     * @param exitCode its exit code.
     * @param output   everything it printed.
     */
    record AdminOutcome(int exitCode, String output)
    {
    }

    /**
     * @return the running, unpaused member that leads in the highest term, or -1.
     */
    int leaderId()
    {
        int leader = -1;
        long leaderTerm = -1;
        for (int i = 0; i < size; i++)
        {
            if (!processes[i].isPaused && RaftRole.LEADER.code() == counter(i, "role") &&
                counter(i, "term") > leaderTerm)
            {
                leader = i;
                leaderTerm = counter(i, "term");
            }
        }
        return leader;
    }

    /**
     * @return the highest commit index any readable member knows.
     */
    long maxCommitIndex()
    {
        long max = Long.MIN_VALUE;
        for (int i = 0; i < size; i++)
        {
            max = Math.max(max, counter(i, "commit-index"));
        }
        return max;
    }

    /**
     * @return whether every member runs and has applied the same index, which a leader has committed.
     */
    boolean isConverged()
    {
        final int leader = leaderId();
        if (leader < 0)
        {
            return false;
        }
        final long commit = counter(leader, "commit-index");
        for (int i = 0; i < size; i++)
        {
            if (processes[i].isPaused || counter(i, "applied-index") != commit)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Stop every member with SIGTERM and collect the {@code FINAL} lines they print.
     *
     * @return one line per member that stopped cleanly.
     */
    List<String> stopAll()
    {
        for (int i = 0; i < size; i++)
        {
            final Member member = processes[i];
            if (null != member.process)
            {
                pause(i, false);
                CloseHelper.quietClose(member.reader);
                member.reader = null;
                // SIGTERM through the handle: Process.destroy() would also close the output the FINAL line is on.
                member.process.toHandle().destroy();
            }
        }
        for (int i = 0; i < size; i++)
        {
            final Member member = processes[i];
            if (null != member.process)
            {
                final Process process = member.process;
                try
                {
                    if (!process.waitFor(30, TimeUnit.SECONDS))
                    {
                        process.destroyForcibly();
                        waitFor(process);
                        IoUtil.delete(new File(member.aeronDir), true);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                member.process = null;
                // A driver that was stopped removes its directory; one that could not finish leaves it.
                if (null != member.aeronDir && !process.isAlive())
                {
                    IoUtil.delete(new File(member.aeronDir), true);
                }
            }
        }
        // The drains read the last lines a moment after the exit.
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadlineNs)
        {
            synchronized (finals)
            {
                if (finals.size() >= size)
                {
                    break;
                }
            }
            sleepMs(10);
        }
        synchronized (finals)
        {
            return new ArrayList<>(finals);
        }
    }

    /**
     * @param id        of a member whose log sync was stalled while it led in {@code term}.
     * @param term      it led in.
     * @param sinceNs   when the stall was asked for.
     * @return how long after its first stalled sync another member became leader in a later term (on the members'
     * clock), or -1 if that has not happened (yet).
     */
    long failoverAfterStallNs(final int id, final long term, final long sinceNs)
    {
        long stalledNs = -1;
        long leaderNs = -1;
        synchronized (events)
        {
            for (final String event : events)
            {
                final String[] parts = event.split(" ");
                final int member = Integer.parseInt(parts[0]);
                final long ns = Long.parseLong(parts[parts.length - 1].substring(3));
                if (ns < sinceNs)
                {
                    continue;
                }
                if ("STALLED".equals(parts[1]) && member == id && stalledNs < 0)
                {
                    stalledNs = ns;
                }
                else if ("LEADER".equals(parts[1]) && member != id && Long.parseLong(parts[2].substring(5)) > term &&
                    leaderNs < 0)
                {
                    leaderNs = ns;
                }
            }
        }
        return stalledNs < 0 || leaderNs < 0 ? -1 : leaderNs - stalledNs;
    }

    String describe()
    {
        final StringBuilder builder = new StringBuilder();
        for (int i = 0; i < size; i++)
        {
            builder.append(System.lineSeparator()).append("  member ").append(i).append(' ')
                .append(net.address(node(i))).append(null == processes[i].process ? " down" :
                (processes[i].isPaused ? " paused" : "") + " role=" + counter(i, "role") + " term=" +
                counter(i, "term") + " commit=" + counter(i, "commit-index") + " applied=" +
                counter(i, "applied-index"));
        }
        return builder.append(System.lineSeparator()).append("  rules ").append(net.describeRules())
            .append(System.lineSeparator()).append("  logs in ").append(dir).toString();
    }

    public void close()
    {
        for (int i = 0; i < size; i++)
        {
            if (null != processes[i].process)
            {
                kill(i);
            }
        }
    }

    private static void waitFor(final Process process)
    {
        try
        {
            process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
