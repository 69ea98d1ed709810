package io.raftline.samples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operating a cluster of real processes over UDP, under client load, with the admin tool as an operator runs it:
 * kill -9 one member for good; start a fresh member (empty directory, new port) with {@code node --join}; add it as
 * a learner; it catches up by snapshot; replace the dead member with it; then restart every member in turn with
 * SIGTERM (transfer-before-shutdown). The clients' history is linearizable, every member ends with the same state,
 * and no election was started by a timeout during the rolling restart (the members' {@code elections-timeout}
 * counters, summed over every life of every member).
 */
@Timeout(600)
class MembershipProcessIT
{
    // Kept when the test fails: the members' logs are in it.
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
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

    @Test
    void replaceADeadHostThenRollingRestartWithoutElectionTimeout() throws Exception
    {
        cluster = new ProcessCluster(3, dir, "--storage", "file", "--durability", "none",
            "--election-timeout-ms", "300", "--heartbeat-ms", "20")
            // Small snapshots and compaction, so that the new member cannot catch up from entries alone.
            .memberJvmOptions("-Draftline.snapshot.interval.entries=2000", "-Draftline.compaction.retain.entries=100");
        cluster.startAll();
        awaitLeader();

        final Path history = dir.resolve("history.jsonl");
        final ClientStop stop = startClients(history);
        awaitApplied(0, 1_000);

        // A host dies for good.
        final int dead = 2;
        cluster.kill(dead);
        awaitLeader();
        awaitApplied(cluster.leaderId(), cluster.counter(cluster.leaderId(), "commit-index") + 2_500);

        // A fresh member on a new port, from an empty directory, knowing only itself and the members' endpoints.
        final int fresh = 3;
        final String endpoint = cluster.addJoiningMember(fresh);
        cluster.start(fresh);
        assertEquals(0, cluster.counter(fresh, "applied-index"), "a fresh member knows nothing yet");
        admin("ok: member " + fresh + " (" + endpoint + ") is a learner", "add-learner", fresh + "@" + endpoint);
        final long target = cluster.counter(cluster.leaderId(), "commit-index");
        await("the learner caught up", 60, () -> cluster.counter(fresh, "applied-index") >= target);
        assertTrue(cluster.counter(fresh, "snapshots-loaded") >= 1, "the learner caught up by snapshot");
        assertEquals(0, cluster.counter(fresh, "elections-timeout"), "a learner never campaigns");

        admin("ok: member " + fresh + " replaced member " + dead, "replace", Integer.toString(dead),
            fresh + "@" + endpoint);

        // Rolling restart, the leader included: each stops on SIGTERM (a leader hands over first) and comes back.
        final int[] members = {0, 1, fresh};
        final RollingRestart restart = rollingRestart(members);
        stop.stop();
        assertNull(stop.failure);
        final CounterClient.Summary[] summary = {stop.summary};
        System.out.printf("membership: clients %s; %s%n", summary[0], restart);
        assertEquals(0, restart.timeoutElections(), "no election timeout during the rolling restart" +
            cluster.describe());
        assertTrue(restart.leadersRestarted() >= 1, "the rolling restart included the leader");
        assertTrue(restart.transferElections() >= restart.leadersRestarted(),
            "each leader that stopped handed over by TimeoutNow");
        assertEquals(restart.transferElections(), restart.termAfter() - restart.termBefore(),
            "every new term of the rolling restart came from a hand-over");

        final List<CounterLinearizability.Op> ops = CounterLinearizability.read(history);
        final CounterLinearizability.Result result = CounterLinearizability.check(ops, 0);
        assertTrue(result.isLinearizable(), result.message() + "; history in " + history);
        assertTrue(summary[0].acknowledged > 0, "some commands were acknowledged");

        // Every member of the configuration ends with the same state, and the dead one's id is retired.
        awaitAllCaughtUp(members);
        final Set<Long> applied = new HashSet<>();
        for (final int id : members)
        {
            applied.add(cluster.counter(id, "applied-index"));
        }
        assertEquals(1, applied.size(), "every member applied the same" + cluster.describe());
        final String description = adminOutput("describe");
        assertTrue(description.contains("retired=[" + dead + "]"), description);
        // The summary counts the final read (an add of 0) among the acknowledged: every acknowledged add is counted.
        assertTrue(summary[0].finalValue >= summary[0].acknowledged - 1, "no acknowledged add lost: " + summary[0]);
    }

    /**
     * What the rolling restart counted, over every life of every member (a member's counters start again at 0).
     */
    private record RollingRestart(
        long timeoutElections, long transferElections, long timeoutPreVotes, int leadersRestarted, long termBefore,
        long termAfter)
    {
        public String toString()
        {
            return "leaders restarted " + leadersRestarted + ", elections by TimeoutNow " + transferElections +
                ", by timeout " + timeoutElections + " (pre-votes by timeout " + timeoutPreVotes +
                ": the refused start-up probe of a restarted member), terms " + termBefore + " -> " + termAfter;
        }
    }

    private RollingRestart rollingRestart(final int[] members) throws InterruptedException
    {
        long timeoutElections = 0;
        long transferElections = 0;
        long timeoutPreVotes = 0;
        for (final int id : members)
        {
            // Counted before the rolling restart: subtracted.
            timeoutElections -= cluster.counter(id, "elections-timeout");
            transferElections -= cluster.counter(id, "elections-transfer");
            timeoutPreVotes -= cluster.counter(id, "prevotes-timeout");
        }
        int leadersRestarted = 0;
        final long termBefore = cluster.counter(cluster.leaderId(), "term");
        for (final int id : members)
        {
            awaitAllCaughtUp(members);
            final boolean wasLeader = cluster.leaderId() == id;
            leadersRestarted += wasLeader ? 1 : 0;
            // The last values of this life: a member stopping on SIGTERM does not campaign.
            timeoutElections += cluster.counter(id, "elections-timeout");
            transferElections += cluster.counter(id, "elections-transfer");
            timeoutPreVotes += cluster.counter(id, "prevotes-timeout");
            final int status = cluster.stop(id);
            // 143 = 128 + SIGTERM: the JVM's status when a signal started its shutdown (the hooks ran).
            assertTrue(0 == status || 143 == status, "member " + id + " stopped on SIGTERM with status " + status);
            if (wasLeader)
            {
                await("another member leads at once", 5, () -> cluster.leaderId() >= 0);
            }
            cluster.start(id);
            if (id < 3)
            {
                // Started with --members 0,1,2: the log's configuration is used, and the difference said.
                assertTrue(lastLog(id).contains("differs from the bootstrap member list"), "member " + id +
                    " logged the mismatch with its command line");
            }
            awaitLeader();
        }
        awaitAllCaughtUp(members);
        for (final int id : members)
        {
            timeoutElections += cluster.counter(id, "elections-timeout");
            transferElections += cluster.counter(id, "elections-transfer");
            timeoutPreVotes += cluster.counter(id, "prevotes-timeout");
        }
        return new RollingRestart(timeoutElections, transferElections, timeoutPreVotes, leadersRestarted, termBefore,
            cluster.counter(cluster.leaderId(), "term"));
    }

    /**
     * Clients adding at a steady rate until the end, when the stop file appears.
     */
    private ClientStop startClients(final Path history)
    {
        final ClientStop stop = new ClientStop(dir.resolve("stop-clients"));
        stop.thread = new Thread(() ->
        {
            try
            {
                stop.summary = CounterClient.run(
                    "--members", cluster.members(), "--ops", "1000000", "--duration", "600s",
                    "--rate", "300", "--concurrency", "4", "--timeout", "3s",
                    "--history", history.toString(), "--stop-file", stop.file.toString(),
                    "--driver-dir-base", cluster.driverDirectoryBase().getPath());
            }
            catch (final Throwable t)
            {
                stop.failure = t;
            }
        }, "membership-clients");
        stop.thread.start();
        return stop;
    }

    private String lastLog(final int id)
    {
        try (java.util.stream.Stream<Path> files = Files.list(dir))
        {
            final Path log = files.filter((path) -> path.getFileName().toString().startsWith("member-" + id + "-"))
                .max(java.util.Comparator.comparingInt((path) -> Integer.parseInt(
                path.getFileName().toString().replaceAll("member-\\d+-(\\d+)\\.log", "$1"))))
                .orElseThrow();
            return Files.readString(log, StandardCharsets.UTF_8);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private void awaitLeader() throws InterruptedException
    {
        await("a leader", 30, () -> cluster.leaderId() >= 0);
    }

    private void awaitApplied(final int id, final long index) throws InterruptedException
    {
        await("member " + id + " applied " + index, 60, () -> cluster.counter(id, "applied-index") >= index);
    }

    private void awaitAllCaughtUp(final int[] members) throws InterruptedException
    {
        await("every member caught up", 60, () ->
        {
            final int leader = cluster.leaderId();
            if (leader < 0)
            {
                return false;
            }
            final long commit = cluster.counter(leader, "commit-index");
            for (final int id : members)
            {
                if (!cluster.isRunning(id) || cluster.counter(id, "applied-index") < commit - 50)
                {
                    return false;
                }
            }
            return true;
        });
    }

    private void await(final String what, final long seconds, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + cluster.describe());
            // Polling another process's counters: there is no event to wait on.
            Thread.sleep(20);
        }
    }

    /**
     * Run {@code admin <args>} from the jar, as an operator would, and check its one-line answer.
     */
    private void admin(final String expectedStart, final String... args) throws Exception
    {
        final String out = adminOutput(args).strip();
        assertTrue(out.startsWith(expectedStart), () -> "admin " + String.join(" ", args) + " printed: " + out);
    }

    private String adminOutput(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            new File(System.getProperty("java.home"), "bin/java").getPath(), "-Xmx128m", "-jar",
            ProcessCluster.jar(), "admin"));
        command.addAll(List.of(args));
        command.addAll(List.of("--members", cluster.members(), "--timeout", "30s",
            "--driver-dir-base", cluster.driverDirectoryBase().getPath()));
        final File out = dir.resolve("admin-" + System.nanoTime() + ".out").toFile();
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start();
        assertTrue(process.waitFor(90, TimeUnit.SECONDS), "admin " + String.join(" ", args) + " finished");
        final String text = Files.readString(out.toPath(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), () -> "admin " + String.join(" ", args) + ": " + text);
        return text;
    }

    /**
     * Ends the clients: they stop starting adds once the stop file exists.
     */
    private static final class ClientStop
    {
        final Path file;
        Thread thread;
        volatile CounterClient.Summary summary;
        volatile Throwable failure;

        ClientStop(final Path file)
        {
            this.file = file;
        }

        void stop() throws Exception
        {
            Files.createFile(file);
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!thread.isAlive(), "the clients stopped");
        }
    }
}
