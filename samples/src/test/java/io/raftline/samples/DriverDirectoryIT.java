package io.raftline.samples;

import io.aeron.CommonContext;
import io.raftline.engine.agent.DriverDirectory;
import io.raftline.engine.agent.EmbeddedAeron;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member in a crash loop must not leak its media driver's directory (term buffers on tmpfs, which is memory):
 * kill -9 and restart members 20 times, then the driver directories on the host are exactly those of the live
 * members, and every restarted member reused its own.
 */
@Timeout(600)
class DriverDirectoryIT
{
    private static final int RESTARTS = 20;

    @TempDir
    Path dir;

    private ProcessCluster cluster;
    private final List<EmbeddedAeron> clients = new ArrayList<>();
    private Process clientProcess;

    @AfterEach
    void stop() throws InterruptedException
    {
        if (null != clientProcess)
        {
            clientProcess.destroyForcibly();
            clientProcess.waitFor(30, TimeUnit.SECONDS);
        }
        clients.forEach(CloseHelper::quietClose);
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void killedAndRestartedMembersLeaveOnlyTheLiveMembersDirectories() throws IOException, InterruptedException
    {
        cluster = new ProcessCluster(3, dir, "--storage", "file", "--durability", "none");
        cluster.startAll();
        final File base = cluster.driverDirectoryBase();
        // Two live clients in this process: one slot each. Their drivers run on threads of their own, so that their
        // heartbeats stay fresh while this thread kills and restarts.
        clients.add(EmbeddedAeron.threaded(base, "raftline-client", new SleepingIdleStrategy(1_000_000L)));
        clients.add(EmbeddedAeron.threaded(base, "raftline-client", new SleepingIdleStrategy(1_000_000L)));
        final String[] firstDirs = new String[cluster.size()];
        for (int i = 0; i < cluster.size(); i++)
        {
            firstDirs[i] = cluster.aeronDirectoryName(i);
        }

        final List<String> moved = new ArrayList<>();
        for (int restart = 0; restart < RESTARTS; restart++)
        {
            final int victim = restart % cluster.size();
            cluster.kill(victim);
            cluster.start(victim);
            if (!firstDirs[victim].equals(cluster.aeronDirectoryName(victim)))
            {
                moved.add("member " + victim + ": " + firstDirs[victim] + " -> " + cluster.aeronDirectoryName(victim));
            }
            if (0 == restart % 4)
            {
                // A client process in a crash loop of its own: it takes the first slot no live client holds.
                if (null != clientProcess)
                {
                    clientProcess.destroyForcibly();
                    assertTrue(clientProcess.waitFor(30, TimeUnit.SECONDS));
                }
                clientProcess = startClientProcess(base);
            }
        }

        final Set<String> live = new TreeSet<>();
        for (int i = 0; i < cluster.size(); i++)
        {
            live.add(cluster.aeronDirectoryName(i));
        }
        final Set<String> liveMembersAndClients = new TreeSet<>(live);
        for (final EmbeddedAeron client : clients)
        {
            liveMembersAndClients.add(client.aeronDirectoryName());
        }
        liveMembersAndClients.add(new File(base, "raftline-client-2").getAbsolutePath());
        final Set<String> existing = new TreeSet<>();
        for (final String reported : cluster.reportedAeronDirectoryNames())
        {
            if (new File(reported).exists())
            {
                existing.add(reported);
            }
        }
        assertEquals(live, existing, "driver directories left after " + RESTARTS + " kill -9 restarts: " +
            existing.size() + " for " + live.size() + " live members");
        assertEquals(List.of(), moved, "a restarted member reuses its driver directory");

        final Set<String> underBase = new TreeSet<>();
        final File[] files = base.listFiles(File::isDirectory);
        for (final File file : null == files ? new File[0] : files)
        {
            underBase.add(file.getAbsolutePath());
        }
        assertEquals(liveMembersAndClients, underBase, "the driver directories under " + base + " are those of the " +
            "live members and clients");
        for (final String name : liveMembersAndClients)
        {
            assertTrue(DriverDirectory.isLive(new File(name), CommonContext.DRIVER_TIMEOUT_MS), name + " is live");
        }

        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (cluster.leaderId() < 0)
        {
            assertTrue(System.nanoTime() < deadline, "the restarted cluster elects a leader" + cluster.describe());
            Thread.yield();
        }
    }

    /**
     * A counter client process that runs until killed, once its media driver is up (in slot 2: the two clients of
     * this process hold 0 and 1, and the slot of a killed predecessor is free again).
     */
    private Process startClientProcess(final File base) throws IOException
    {
        final File slot = new File(base, "raftline-client-2");
        final File log = dir.resolve("client-" + System.nanoTime() + ".log").toFile();
        final Process process = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(),
            // With the stack trace: the client's output is in the failure message if it dies.
            "-Xmx128m", "-Draftline.samples.trace=true",
            "-D" + ProcessCluster.DRIVER_DIR_BASE_PROP_NAME + "=" + base.getPath(), "-jar",
            ProcessCluster.jar(), "client", "--members", cluster.members(), "--ops", "100000000", "--rate", "20")
            .redirectErrorStream(true).redirectOutput(log)
            .start();
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!DriverDirectory.isLive(slot, CommonContext.DRIVER_TIMEOUT_MS) ||
            DriverDirectory.pid(slot) != process.pid())
        {
            // The temporary directory goes with the test: the client's own words go into the message.
            assertTrue(process.isAlive(), () -> "the client process runs; it exited with " + process.exitValue() +
                ", saying: " + tail(log) + "; its slot holds " + listing(slot));
            assertTrue(System.nanoTime() < deadline, "the client process started its driver in " + slot);
            Thread.yield();
        }
        return process;
    }

    private static String listing(final File dir)
    {
        try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(dir.toPath()))
        {
            final StringBuilder builder = new StringBuilder();
            paths.forEach((path) -> builder.append(path).append(' ').append(path.toFile().lastModified()).append("; "));
            return builder.toString();
        }
        catch (final IOException | java.io.UncheckedIOException ex)
        {
            return "(" + ex + ")";
        }
    }

    private static String tail(final File log)
    {
        try
        {
            final String text = java.nio.file.Files.readString(log.toPath());
            return text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text;
        }
        catch (final IOException ex)
        {
            return "(no output: " + ex + ")";
        }
    }
}
