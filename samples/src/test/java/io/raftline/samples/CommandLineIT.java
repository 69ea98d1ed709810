package io.raftline.samples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar's command line as an operator meets it: {@code --help} works from the shaded jar, and a wrong
 * argument, a directory without a member, a killed member and an unreachable cluster each get one line on stderr
 * and a non-zero exit status, never a stack trace.
 */
@Timeout(120)
class CommandLineIT
{
    @TempDir
    Path dir;

    private ProcessCluster cluster;

    @AfterEach
    void stop()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    /**
     * The outcome of one run of the jar.
     */
    private record Run(int status, String out, String err)
    {
        String oneErrorLine()
        {
            final String text = err.strip();
            assertFalse(text.isEmpty(), "nothing on stderr");
            assertFalse(text.contains("\n"), () -> "more than one line on stderr:\n" + text);
            assertFalse(text.contains("Exception") || text.contains("\tat "), () -> "a stack trace: " + text);
            return text;
        }
    }

    private Run jar(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            new File(System.getProperty("java.home"), "bin/java").getPath(), "-Xmx128m", "-jar", ProcessCluster.jar()));
        command.addAll(List.of(args));
        final File out = dir.resolve("out-" + System.nanoTime()).toFile();
        final File err = dir.resolve("err-" + System.nanoTime()).toFile();
        final Process process = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), () -> "still running: " + command);
        return new Run(process.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8),
            java.nio.file.Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    @Test
    void helpFromTheShadedJar() throws Exception
    {
        final Run run = jar("node", "--help");
        assertEquals(0, run.status(), run::err);
        assertTrue(run.out().startsWith("Usage: java -jar raftline-samples.jar node"), run::out);
        final Run none = jar();
        assertEquals(Main.USAGE_ERROR, none.status());
        assertTrue(none.err().contains("stat"), none::err);
    }

    @Test
    void wrongArgument() throws Exception
    {
        final Run run = jar("node", "--id", "0", "--members", "0@127.0.0.1");
        assertEquals(Main.USAGE_ERROR, run.status());
        assertTrue(run.oneErrorLine().contains("endpoint '127.0.0.1' of member 0 must be host:port"), run::err);
    }

    /**
     * Before the move to picocli, {@code stat} on a directory where no member runs waited for Aeron's driver
     * timeout and died with DriverTimeoutException and its stack trace.
     */
    @Test
    void statOfADirectoryWithoutAMember() throws Exception
    {
        final Run run = jar("stat", dir.toString());
        assertEquals(Main.FAILED, run.status());
        assertTrue(run.oneErrorLine().contains("no media driver at " + dir), run::err);
    }

    @Test
    void statOfARunningThenKilledMember() throws Exception
    {
        cluster = new ProcessCluster(1, dir, "--storage", "memory");
        cluster.startAll();
        final String aeronDir = cluster.aeronDirectoryName(0);
        final Run running = jar("stat", aeronDir);
        assertEquals(0, running.status(), running::err);
        assertTrue(running.out().contains("raftline member=0 role"), running::out);

        cluster.kill(0);
        // The killed driver's CnC file stays; stat tells it from a live one by the age of the driver's heartbeat,
        // so until that is older than stat's driver timeout it may still print the last counters.
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Run killed;
        do
        {
            killed = jar("stat", aeronDir);
            if (0 == killed.status())
            {
                assertTrue(killed.out().contains("raftline member=0 role"), killed::out);
            }
        }
        while (0 == killed.status() && System.nanoTime() < deadlineNs);
        assertEquals(Main.FAILED, killed.status(), killed::out);
        assertTrue(killed.oneErrorLine().contains("is not running"), killed::err);
    }

    @Test
    void clientOfAnUnreachableCluster() throws Exception
    {
        final int port;
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            port = socket.getLocalPort();
        }
        final Run run = jar("client", "--members", "0@127.0.0.1:" + port, "--ops", "1", "--connect-timeout", "1s",
            "--driver-dir-base", dir.toString());
        assertEquals(Main.FAILED, run.status(), run::out);
        assertTrue(run.oneErrorLine().contains("could not connect to the cluster 0@127.0.0.1:" + port), run::err);
    }
}
