package io.raftline.samples;

import io.raftline.engine.client.ClientConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jepsen-style tests on a real network: every member a process in its own network namespace, joined to a bridge by a
 * veth pair, the client a process in another namespace (so its answers come back over the bridge to an address the
 * client picked from its routes), and the nemeses of {@link Nemesis}: cut links, partitions through nftables, packet
 * loss, SIGSTOP, kill -9, a stalled disk and an operator's leadership transfer. Each test is one seeded schedule
 * over a bounded run followed by the checks of {@link NemesisRun}.
 * <p>
 * Needs root, iproute2 and nftables; without them every test is skipped with one line saying why. Properties:
 * {@code -Draftline.nemesis.seconds=N} (each run; default 4, the combined one 12), {@code -Draftline.nemesis.seed=S},
 * {@code -Draftline.nemesis=L,...} (the schedule of {@link #chosen()}).
 * A failing run prints its seed and the command that replays it.
 */
@Timeout(600)
class NamespaceNemesisIT
{
    private static final String SECONDS_PROP_NAME = "raftline.nemesis.seconds";
    private static final String SEED_PROP_NAME = "raftline.nemesis.seed";
    private static final String SCHEDULE_PROP_NAME = "raftline.nemesis";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private NetNamespaces net;
    private NamespaceCluster cluster;
    private String testName;

    private static String unavailableReason;

    @BeforeAll
    static void probeNamespaces()
    {
        unavailableReason = NetNamespaces.unavailableReason();
        if (null != unavailableReason)
        {
            System.out.println("NamespaceNemesisIT skipped: " + unavailableReason);
        }
    }

    @BeforeEach
    void network(final TestInfo info)
    {
        // Per test, not in @BeforeAll: an aborted @BeforeAll reports no tests at all rather than skipped ones.
        Assumptions.assumeTrue(null == unavailableReason, unavailableReason);
        testName = info.getTestMethod().orElseThrow().getName();
        net = new NetNamespaces();
    }

    @AfterEach
    void cleanUp()
    {
        if (null != cluster)
        {
            cluster.close();
        }
        if (null != net)
        {
            net.close();
        }
    }

    @Test
    void aClientInAnotherNamespaceGetsItsAnswersWithoutSettingItsAddress() throws Exception
    {
        cluster = cluster(3);
        cluster.startAll();
        final String output = client(NamespaceCluster.CLIENT, "--ops", "200", "--concurrency", "4");

        assertTrue(output.contains("acknowledged=201 failed=0 unknown=0 final=200"), output);
    }

    @Test
    void aClientWithAnExplicitEgressAddressAndPort() throws Exception
    {
        cluster = cluster(3);
        cluster.startAll();
        final String output = client(NamespaceCluster.CLIENT, "--ops", "100",
            "--egress", net.address(NamespaceCluster.CLIENT) + ":40400");

        assertTrue(output.contains("acknowledged=101 failed=0 unknown=0 final=100"), output);
    }

    @Test
    void aClientWithItsEgressChannelFromTheProperty() throws Exception
    {
        cluster = cluster(3);
        cluster.startAll();
        final String output = run(NamespaceCluster.CLIENT, javaWithEgressProperty(net.address(NamespaceCluster.CLIENT) +
            ":40500"), "--ops", "50");

        assertTrue(output.contains("acknowledged=51 failed=0 unknown=0 final=50"), output);

        // The property wins over the address picked from the routes: pointed at the members' own loopback, the
        // answers never come back.
        final String wrong = run(NamespaceCluster.CLIENT, javaWithEgressProperty("127.0.0.1:40500"), "--ops", "1");

        assertTrue(wrong.contains("no leader answered"), wrong);
    }

    private static List<String> javaWithEgressProperty(final String endpoint)
    {
        final List<String> command = new ArrayList<>(NamespaceCluster.javaCommand(Main.class.getName()));
        // A JVM option: before the main class.
        command.add(command.size() - 1, "-D" + ClientConfiguration.EGRESS_CHANNEL_PROP_NAME + "=aeron:udp?endpoint=" +
            endpoint);
        return command;
    }

    @Test
    void aClientWithNoRouteToTheMembersIsToldWhatToSet() throws Exception
    {
        cluster = cluster(3);
        net.addIsolatedNode("x");
        final String output = client("x", "--ops", "1");

        assertTrue(output.contains("cannot pick the client's egress address: member 0 at 10.77.0.10:20000"), output);
        assertTrue(output.contains("-Draftline.client.egress.channel=") && output.contains("--egress"), output);
    }

    @Test
    void whatADeadRunLeftIsRemovedWhenTheNextStarts() throws Exception
    {
        net.close();
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final long deadPid = gone.pid();
        final String leftover = NetNamespaces.PREFIX + deadPid + "-m0";
        assertEquals(0, NetNamespaces.exec(List.of("ip", "netns", "add", leftover)).exitCode);
        final Path driverDir = Files.createDirectories(Path.of("/dev/shm", "raftline-nemesis-leftover-" + deadPid));
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), NetNamespaces.PREFIX + deadPid +
            "-cleanup.txt"), driverDir + "\n", StandardCharsets.UTF_8);

        net = new NetNamespaces();

        assertFalse(NetNamespaces.exec(List.of("ip", "netns", "list")).output.contains(leftover));
        assertFalse(Files.exists(driverDir));
    }

    @Test
    void isolate()
    {
        nemeses(3, 4, Nemesis.ISOLATE);
    }

    @Test
    void majorityMinority()
    {
        nemeses(5, 4, Nemesis.MAJORITY_MINORITY);
    }

    @Test
    void partial()
    {
        nemeses(3, 4, Nemesis.PARTIAL);
    }

    @Test
    void bridge()
    {
        nemeses(5, 4, Nemesis.BRIDGE);
    }

    @Test
    void flap()
    {
        nemeses(3, 4, Nemesis.FLAP);
    }

    @Test
    void oneWay()
    {
        nemeses(3, 4, Nemesis.ONE_WAY);
    }

    @Test
    void loss()
    {
        nemeses(3, 4, Nemesis.LOSS);
    }

    @Test
    void pauseLeader()
    {
        nemeses(3, 4, Nemesis.PAUSE_LEADER);
    }

    @Test
    void pauseFollower()
    {
        nemeses(3, 4, Nemesis.PAUSE_FOLLOWER);
    }

    @Test
    void kill()
    {
        nemeses(3, 4, Nemesis.KILL);
    }

    @Test
    void stallDisk()
    {
        nemeses(3, 4, Nemesis.STALL_DISK);
    }

    @Test
    void transfer()
    {
        nemeses(3, 4, Nemesis.TRANSFER);
    }

    @Test
    void combined()
    {
        nemeses(5, 12, Nemesis.values());
    }

    /**
     * A schedule of one's choice, {@code -Draftline.nemesis=transfer,kill,isolate} (labels as in the README), on 5
     * members for 12 s; skipped without the property.
     */
    @Test
    void chosen()
    {
        final String labels = System.getProperty(SCHEDULE_PROP_NAME);
        Assumptions.assumeTrue(null != labels, "no -D" + SCHEDULE_PROP_NAME + "=... schedule given");
        nemeses(5, 12, Arrays.stream(labels.split(",")).map(String::strip).map(Nemesis::of).toArray(Nemesis[]::new));
    }

    private NamespaceCluster cluster(final int size)
    {
        return new NamespaceCluster(net, size, dir, "--lease-reads", "--storage", "file", "--durability", "none",
            "--idle", "backoff",
            "--election-timeout-ms", Long.toString(NemesisRun.ELECTION_TIMEOUT_MIN_MS));
    }

    private void nemeses(final int size, final long defaultSeconds, final Nemesis... schedule)
    {
        final long seconds = Long.getLong(SECONDS_PROP_NAME, defaultSeconds);
        final long seed = Long.getLong(SEED_PROP_NAME, System.nanoTime());
        final String names = String.join(",", Arrays.stream(schedule).map(Nemesis::label).toList());
        final String replay = "mvn -B -pl samples -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false " +
            "-Dit.test='NamespaceNemesisIT#" + testName + "' -D" + SEED_PROP_NAME + "=" + seed + " -D" +
            SECONDS_PROP_NAME + "=" + seconds +
            ("chosen".equals(testName) ? " -D" + SCHEDULE_PROP_NAME + "=" + names : "");
        System.out.printf("nemesis %s: %d members, %d s, seed %d%n", names, size, seconds, seed);
        cluster = cluster(size);
        final List<String> report;
        try
        {
            report = new NemesisRun(cluster, List.of(schedule), seconds, seed, dir).run();
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError("nemesis " + names + " failed with seed " + seed + "; replay: " + replay +
                System.lineSeparator() + ex.getMessage(), ex);
        }
        final List<String> lines = new ArrayList<>();
        lines.add(String.format("nemesis %s: %d members, %d s, seed %d (%s)", names, size, seconds, seed, replay));
        lines.addAll(report);
        lines.forEach(System.out::println);
        NemesisRun.append(Path.of(ProcessCluster.jar()).resolveSibling("nemesis-report.txt"), lines);
    }

    private String client(final String node, final String... args) throws IOException, InterruptedException
    {
        return run(node, NamespaceCluster.javaCommand(Main.class.getName()), args);
    }

    private String run(final String node, final List<String> java, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(java);
        command.addAll(List.of("client", "--members", cluster.members(), "--timeout", "5s"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(net.inNamespace(node, command)).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the client finished");
        final String text = new String(output, StandardCharsets.UTF_8);
        // The command line's convention (Main): 0 done, 1 failed (no leader answered, no route to the members),
        // 2 a wrong argument; never anything else, never a stack trace.
        if (0 != process.exitValue())
        {
            assertEquals(Main.FAILED, process.exitValue(), "a client that cannot reach the cluster exits with " +
                Main.FAILED + ": " + text);
            assertFalse(text.contains("\tat "), "one line, no stack trace: " + text);
        }
        return text;
    }
}
