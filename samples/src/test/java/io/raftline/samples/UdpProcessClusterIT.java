package io.raftline.samples;

import io.raftline.engine.agent.EmbeddedAeron;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import org.agrona.CloseHelper;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three member processes over UDP on 127.0.0.1, from the packaged jar, with a client in this JVM.
 */
@Timeout(300)
class UdpProcessClusterIT
{
    @TempDir
    Path dir;

    private EmbeddedAeron driver;
    private ProcessCluster cluster;
    private RaftClient client;
    private final LongHashSet ackedValues = new LongHashSet();
    private final long[] outcomes = new long[5];
    private long lastValue;

    @AfterEach
    void stop()
    {
        if (null != client)
        {
            client.close();
        }
        // The client's driver lives under the cluster's driver directory base, which closing the cluster removes.
        CloseHelper.quietClose(driver);
        final long t0 = System.nanoTime();
        if (null != cluster)
        {
            cluster.close();
        }
        System.out.printf("close %.1f ms%n", (System.nanoTime() - t0) / 1e6);
    }

    private RaftClient connect()
    {
        driver = EmbeddedAeron.threaded(
            cluster.driverDirectoryBase(), "raftline-it-client", new YieldingIdleStrategy());
        return RaftClient.connect(new ClientContext()
            .aeron(driver.aeron())
            .members(cluster.members())
            .maxInflight(16)
            .leaderTimeoutNs(300_000_000L)
            .commandTimeoutNs(20_000_000_000L)
            .connectTimeoutNs(30_000_000_000L)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
            {
                outcomes[outcome]++;
                if ((ResponseListener.OK == outcome || ResponseListener.DUPLICATE == outcome) && 8 == length)
                {
                    final long value = buffer.getLong(offset);
                    assertTrue(ackedValues.add(value), "each add answers a distinct value, saw " + value + " twice");
                    lastValue = Math.max(lastValue, value);
                }
            }));
    }

    private long acked()
    {
        return outcomes[ResponseListener.OK] + outcomes[ResponseListener.DUPLICATE];
    }

    private void sendUntil(final BooleanSupplier done, final long timeoutMs)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 1);
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out; acked " + acked() + cluster.describe());
            }
            client.offer(command, 0, 8);
            if (0 == client.poll())
            {
                Thread.yield();
            }
        }
    }

    /**
     * kill -9 of the leader process under load: a new leader takes over, no acknowledged command is lost or applied
     * twice, and the killed member, restarted from its files, catches up.
     */
    @Test
    void leaderKilledUnderLoadLosesNothingAndCatchesUp()
    {
        cluster = new ProcessCluster(3, dir, "--storage", "file", "--durability", "none");
        cluster.startAll();
        client = connect();
        sendUntil(() -> acked() >= 3_000, 60_000);
        final int leader = cluster.leaderId();
        assertTrue(leader >= 0, "a leader" + cluster.describe());
        cluster.kill(leader);
        final long ackedAtKill = acked();
        sendUntil(() -> acked() >= ackedAtKill + 3_000, 60_000);
        final int newLeader = cluster.leaderId();
        assertTrue(newLeader >= 0 && newLeader != leader, "a new leader" + cluster.describe());
        cluster.start(leader);
        sendUntil(() -> acked() >= ackedAtKill + 6_000, 60_000);
        assertEquals(0, outcomes[ResponseListener.REJECTED] + outcomes[ResponseListener.ERROR]);
        assertTrue(lastValue >= acked(), "every acknowledged add applied: counter " + lastValue + " acked " + acked());
        final long target = cluster.counter(cluster.leaderId(), "applied-index");
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (cluster.counter(leader, "applied-index") < target)
        {
            assertTrue(System.nanoTime() < deadline, "the restarted member caught up" + cluster.describe());
            Thread.yield();
        }
    }

    @Test
    void threeProcessesOverUdpServeAClient()
    {
        final long t0 = System.nanoTime();
        cluster = new ProcessCluster(3, dir, "--storage", "memory");
        cluster.startAll();
        final long t1 = System.nanoTime();
        client = connect();
        System.out.printf("start %.1f ms, connect %.1f ms%n", (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
        final long startNs = System.nanoTime();
        sendUntil(() -> acked() >= 20_000, 120_000);
        System.out.printf("20,000 commands over UDP in %.1f ms%n", (System.nanoTime() - startNs) / 1e6);
        assertEquals(0, outcomes[ResponseListener.REJECTED] + outcomes[ResponseListener.ERROR] +
            outcomes[ResponseListener.TIMED_OUT]);
        assertEquals(acked(), lastValue, "with no failures every add was acknowledged once, in order");
    }
}
