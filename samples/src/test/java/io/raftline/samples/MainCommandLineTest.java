package io.raftline.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample's command line: every subcommand has {@code --help}, and answers a wrong argument or a failure with one
 * line and a non-zero exit status, never a stack trace.
 */
@Timeout(60)
class MainCommandLineTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private String oneErrorLine()
    {
        final String text = err.toString().strip();
        assertFalse(text.isEmpty(), "nothing on stderr");
        assertFalse(text.contains("\n"), () -> "more than one line on stderr:\n" + text);
        assertFalse(text.contains("Exception"), () -> "an exception's name on stderr: " + text);
        return text;
    }

    @Test
    void everySubcommandHasHelp()
    {
        for (final String command : new String[]{"cluster", "node", "client", "stat"})
        {
            out.getBuffer().setLength(0);
            assertEquals(0, run(command, "--help"), command);
            assertTrue(out.toString().startsWith("Usage: java -jar raftline-samples.jar " + command),
                () -> command + " --help printed: " + out);
        }
        assertTrue(out.toString().contains("--watch"), out::toString);
    }

    @Test
    void helpShowsTheDefaults()
    {
        assertEquals(0, run("node", "--help"));
        assertTrue(out.toString().contains("--election-timeout-ms=MS"), out::toString);
        assertTrue(out.toString().contains("(default: 150)"), out::toString);
        assertTrue(out.toString().contains("(default: raftline-data)"), out::toString);
    }

    @Test
    void noSubcommandListsThemAsAUsageError()
    {
        assertEquals(Main.USAGE_ERROR, run());
        final String usage = err.toString();
        for (final String command : new String[]{"cluster", "node", "client", "stat"})
        {
            assertTrue(usage.contains("  " + command), () -> command + " missing from:\n" + usage);
        }
    }

    @Test
    void unknownSubcommand()
    {
        assertEquals(Main.USAGE_ERROR, run("nodes"));
        assertTrue(oneErrorLine().contains("Unmatched argument at index 0: 'nodes'"), err::toString);
    }

    @Test
    void unknownOption()
    {
        assertEquals(Main.USAGE_ERROR, run("node", "--id", "0", "--members", "0@127.0.0.1:20000", "--bogus", "1"));
        final String line = oneErrorLine();
        assertTrue(line.startsWith("java -jar raftline-samples.jar node: Unknown option"), line);
        assertTrue(line.endsWith("(see java -jar raftline-samples.jar node --help)"), line);
    }

    @Test
    void missingRequiredOption()
    {
        assertEquals(Main.USAGE_ERROR, run("node", "--id", "0"));
        assertTrue(oneErrorLine().contains("Missing required option: '--members=ID@HOST:PORT,...'"), err::toString);
    }

    @Test
    void malformedValues()
    {
        assertEquals(Main.USAGE_ERROR, run("node", "--id", "x", "--members", "0@127.0.0.1:20000"));
        assertTrue(oneErrorLine().contains("'x' is not an int"), err::toString);

        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE_ERROR, run("node", "--id", "0", "--members", "0@127.0.0.1"));
        assertTrue(oneErrorLine().contains("endpoint '127.0.0.1' of member 0 must be host:port"), err::toString);

        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE_ERROR, run("cluster", "--duration", "soon"));
        assertTrue(oneErrorLine().contains("'soon' is not a duration"), err::toString);

        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE_ERROR, run("cluster", "--durability", "always"));
        assertTrue(oneErrorLine().contains("--durability"), err::toString);

        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE_ERROR, run("cluster", "--idle", "nap"));
        assertTrue(oneErrorLine().contains("unknown idle strategy 'nap'"), err::toString);

        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE_ERROR, run("client", "--members", "0@127.0.0.1:20000", "--egress", "host:x"));
        assertTrue(oneErrorLine().contains("--egress must be host[:port], not 'host:x'"), err::toString);

        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE_ERROR, run("client", "--members", "0@127.0.0.1:20000", "--read-level", "strong"));
        assertTrue(oneErrorLine().contains("--read-level must be linearizable, lease, follower or mixed, not " +
            "'strong'"), err::toString);
    }

    /**
     * The defect that picocli's move fixed: {@code stat} on a directory where no member runs died with Aeron's
     * DriverTimeoutException and its stack trace.
     */
    @Test
    void statWithoutARunningMember() throws IOException
    {
        assertEquals(Main.FAILED, run("stat", dir.toString()));
        assertTrue(oneErrorLine().contains("no media driver at " + dir + " (no cnc.dat)"), err::toString);

        err.getBuffer().setLength(0);
        final Path missing = dir.resolve("missing");
        assertEquals(Main.FAILED, run("stat", missing.toString()));
        assertEquals("java -jar raftline-samples.jar stat: no such directory " + missing, oneErrorLine());

        // What a member killed with -9 leaves behind: a CnC file whose driver no longer beats.
        err.getBuffer().setLength(0);
        final Path stale = Files.createDirectory(dir.resolve("stale"));
        Files.write(stale.resolve("cnc.dat"), new byte[4096]);
        assertEquals(Main.FAILED, run("stat", stale.toString()));
        assertTrue(oneErrorLine().contains("is not running"), err::toString);
    }

    @Test
    void statNeedsADirectory()
    {
        assertEquals(Main.USAGE_ERROR, run("stat"));
        assertTrue(oneErrorLine().contains("Missing required parameter: 'AERON_DIR'"), err::toString);
    }

    @Test
    void clientOfAnUnreachableCluster() throws IOException
    {
        final int port;
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            port = socket.getLocalPort();
        }
        assertEquals(Main.FAILED, run("client", "--members", "0@127.0.0.1:" + port, "--ops", "1",
            "--connect-timeout", "1s", "--driver-dir-base", dir.toString()));
        final String line = oneErrorLine();
        assertTrue(line.startsWith(
            "java -jar raftline-samples.jar client: could not connect to the cluster 0@127.0.0.1:" + port), line);
    }
}
