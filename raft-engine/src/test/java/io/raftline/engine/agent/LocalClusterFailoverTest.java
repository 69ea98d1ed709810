package io.raftline.engine.agent;

import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader of a 3-member IPC cluster crashes under load: a new leader takes over, the client follows it and
 * resends what was unanswered, no acknowledged command is lost or applied twice, and the crashed member catches up
 * after it restarts.
 */
@Timeout(120)
class LocalClusterFailoverTest
{
    private final CounterService[] services = new CounterService[3];
    private LocalCluster cluster;
    private RaftClient client;

    @AfterEach
    void close()
    {
        if (null != client)
        {
            client.close();
        }
        if (null != cluster)
        {
            cluster.close();
        }
    }

    /**
     * With the driver on its own thread, and on the members' shared thread: there the caller's crash and restart make
     * blocking client calls (closing and adding publications) while the shared thread runs the driver, so the two
     * take turns on the client's lock.
     */
    @ParameterizedTest
    @ValueSource(strings = {LocalCluster.DRIVER_THREAD, LocalCluster.DRIVER_INVOKER})
    void clientFollowsNewLeaderWithoutLosingOrDuplicatingCommands(final String driver)
    {
        System.setProperty(LocalCluster.DRIVER_PROP_NAME, driver);
        try
        {
            cluster = LocalCluster.start(3, LocalClusterIpcTest.template(), (id) ->
            {
                services[id] = new CounterService();
                return services[id];
            });
        }
        finally
        {
            System.clearProperty(LocalCluster.DRIVER_PROP_NAME);
        }
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);

        final LongHashSet ackedValues = new LongHashSet();
        final long[] counts = new long[5];
        client = RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxInflight(32)
            .leaderTimeoutNs(300_000_000L)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
            {
                counts[outcome]++;
                if ((ResponseListener.OK == outcome || ResponseListener.DUPLICATE == outcome) && 8 == length)
                {
                    assertTrue(ackedValues.add(buffer.getLong(offset)), "each add answers a distinct value");
                }
            }));

        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 1);
        final int commands = 30_000;
        final int crashAt = 10_000;
        final int restartAt = 20_000;
        int sent = 0;
        int crashed = -1;
        while (counts[ResponseListener.OK] + counts[ResponseListener.DUPLICATE] +
            counts[ResponseListener.TIMED_OUT] < commands)
        {
            if (sent < commands && client.offer(command, 0, 8) > 0)
            {
                sent++;
                if (crashAt == sent)
                {
                    crashed = cluster.leaderId();
                    cluster.crash(crashed);
                }
                if (restartAt == sent)
                {
                    cluster.restart(crashed);
                }
            }
            client.poll();
        }

        final long acked = counts[ResponseListener.OK] + counts[ResponseListener.DUPLICATE];
        assertEquals(0, counts[ResponseListener.REJECTED] + counts[ResponseListener.ERROR]);
        assertTrue(client.leaderChanges() >= 1, "the client followed a new leader");
        final int survivor = cluster.leaderId();
        Await.until("every member applied the same commands", 20_000, () ->
            services[0].value() == services[survivor].value() && services[1].value() == services[survivor].value() &&
            services[2].value() == services[survivor].value());
        final long value = services[survivor].value();
        assertTrue(value >= acked, "every acknowledged command applied: value " + value + " acked " + acked);
        assertTrue(value <= commands, "nothing applied twice: value " + value + " commands " + commands);
        for (long v = 1; v <= value; v++)
        {
            if (!ackedValues.contains(v) && counts[ResponseListener.TIMED_OUT] == 0)
            {
                throw new AssertionError("value " + v + " was applied but never acknowledged");
            }
        }
    }
}
