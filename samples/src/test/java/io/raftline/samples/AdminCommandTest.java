package io.raftline.samples;

import io.raftline.engine.agent.IdleStrategyType;
import io.raftline.engine.agent.LocalCluster;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.StorageType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code admin} against a running 3-member cluster (IPC, in this JVM): what an operator sees, and the one line
 * and exit status of every refusal.
 */
@Timeout(120)
class AdminCommandTest
{
    private static LocalCluster cluster;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void startCluster()
    {
        cluster = LocalCluster.start(3, new MemberContext()
            .storage(StorageType.MEMORY)
            .electionTimeoutNs(100_000_000L, 200_000_000L)
            .heartbeatIntervalNs(10_000_000L)
            .idleStrategy(IdleStrategyType.YIELD), (id) -> new CounterService());
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (cluster.leaderId() < 0)
        {
            assertTrue(System.nanoTime() < deadline, "a leader within 10 s");
            Thread.yield();
        }
    }

    @AfterAll
    static void stopCluster()
    {
        cluster.close();
    }

    @BeforeEach
    void clear()
    {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
    }

    private int admin(final String... args)
    {
        final String[] command = new String[args.length + 5];
        command[0] = "admin";
        System.arraycopy(args, 0, command, 1, args.length);
        command[args.length + 1] = "--members";
        command[args.length + 2] = cluster.membersString();
        command[args.length + 3] = "--aeron-dir";
        command[args.length + 4] = cluster.aeronDirectoryName();
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), command);
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
    void everyAdminSubcommandHasHelp()
    {
        for (final String command : new String[]{"describe", "add-learner", "promote", "remove", "replace",
            "transfer-leadership", "snapshot", "step-down"})
        {
            out.getBuffer().setLength(0);
            assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "admin", command,
                "--help"), command);
            assertTrue(out.toString().startsWith("Usage: java -jar raftline-samples.jar admin " + command),
                () -> command + " --help printed: " + out);
            assertTrue(out.toString().contains("--members"), out::toString);
        }
    }

    @Test
    void describeShowsEveryMemberAndTheConfiguration()
    {
        assertEquals(0, admin("describe"), err::toString);
        final String text = out.toString();
        assertTrue(text.startsWith("member role"), text);
        assertEquals(1, text.split("LEADER", -1).length - 1, text);
        assertEquals(2, text.split("FOLLOWER", -1).length - 1, text);
        assertTrue(text.contains("configuration: Membership{index=0, voters=[0, 1, 2]"), text);
    }

    @Test
    void transferLeadershipAndStepDown()
    {
        final int leader = cluster.leaderId();
        final int target = (leader + 1) % 3;
        assertEquals(0, admin("transfer-leadership", Integer.toString(target)), err::toString);
        assertTrue(out.toString().startsWith("ok: member " + target + " leads"), out::toString);
        assertEquals(target, cluster.leaderId());

        out.getBuffer().setLength(0);
        assertEquals(0, admin("step-down"), err::toString);
        assertTrue(out.toString().startsWith("ok: "), out::toString);
        assertTrue(cluster.leaderId() != target, "member " + target + " stepped down");
    }

    @Test
    void snapshot()
    {
        assertEquals(0, admin("snapshot"), err::toString);
        assertTrue(out.toString().startsWith("ok: "), out::toString);
    }

    @Test
    void refusalsAreOneLineAndExitOne()
    {
        assertEquals(Main.FAILED, admin("transfer-leadership", "9"));
        assertTrue(oneErrorLine().startsWith("java -jar raftline-samples.jar admin transfer-leadership: " +
            "refused: unknown member 9"), err::toString);
    }

    @Test
    void malformedEndpointsAreUsageErrors()
    {
        assertEquals(Main.USAGE_ERROR, admin("add-learner", "5@host"));
        assertTrue(oneErrorLine().contains("malformed endpoint 'host': expected host:port"), err::toString);

        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE_ERROR, admin("replace", "2", "5@host:70000"));
        assertTrue(oneErrorLine().contains("malformed endpoint 'host:70000': the port must be 1 to 65535"),
            err::toString);

        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE_ERROR, admin("add-learner", "x@host:1"));
        assertTrue(oneErrorLine().contains("member id 'x' is not a number"), err::toString);

        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE_ERROR, admin("promote"));
        assertTrue(oneErrorLine().contains("Missing required parameter: 'ID'"), err::toString);
    }

    @Test
    void unreachableCluster() throws IOException
    {
        final int port;
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            port = socket.getLocalPort();
        }
        assertEquals(Main.FAILED, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "admin",
            "describe", "--members", "0@127.0.0.1:" + port, "--connect-timeout", "1s", "--driver-dir-base",
            dir.toString()));
        assertTrue(oneErrorLine().startsWith("java -jar raftline-samples.jar admin describe: could not reach the " +
            "cluster 0@127.0.0.1:" + port), err::toString);
    }
}
