package io.raftline.engine.agent;

import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots over the real transport: members snapshot and compact as they go; a member that was down while the
 * leader compacted past it catches up by InstallSnapshot, and a member restarts from its snapshot plus log tail.
 */
@Timeout(120)
class LocalClusterSnapshotTest
{
    private final CounterService[] services = new CounterService[3];
    private LocalCluster cluster;
    private RaftClient client;
    private final long[] acked = new long[1];

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

    private void send(final int commands)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 1);
        final long target = acked[0] + commands;
        long sent = 0;
        while (acked[0] < target)
        {
            if (sent < commands && client.offer(command, 0, 8) > 0)
            {
                sent++;
            }
            client.poll();
        }
    }

    @Test
    void laggingMemberCatchesUpByInstallSnapshotAndRestartsFromItsSnapshot()
    {
        cluster = LocalCluster.start(3, LocalClusterIpcTest.template()
            .snapshotInterval(1_000, 0)
            .compactionRetainEntries(100), (id) ->
            {
                services[id] = new CounterService();
                return services[id];
            });
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
        client = RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxInflight(64)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
            {
                assertEquals(ResponseListener.OK, outcome);
                acked[0]++;
            }));

        final int lagging = (cluster.leaderId() + 1) % 3;
        send(500);
        cluster.crash(lagging);
        send(10_000);
        final RaftMember leader = cluster.member(cluster.leaderId());
        Await.until("the leader compacted past the lagging member", 10_000,
            () -> leader.raftAgent().node().log().baseIndex() > 600);

        cluster.restart(lagging);
        Await.until("the lagging member caught up", 20_000, () -> services[lagging].value() == acked[0]);
        assertTrue(services[lagging].snapshotsLoaded() >= 1, "it caught up through a snapshot");

        send(2_500);
        cluster.crash(lagging);
        cluster.restart(lagging);
        Await.until("the restarted member caught up", 20_000, () -> services[lagging].value() == acked[0]);
        assertTrue(services[lagging].snapshotsLoaded() >= 1, "it restarted from its own snapshot");
        for (int i = 0; i < 3; i++)
        {
            final int id = i;
            Await.until("member " + id + " has every command", 20_000, () -> services[id].value() == acked[0]);
        }
    }
}
