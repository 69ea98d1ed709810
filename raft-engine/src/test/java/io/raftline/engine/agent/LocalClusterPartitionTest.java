package io.raftline.engine.agent;

import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import io.raftline.engine.core.RaftRole;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 5-member cluster is cut in two, the leader on the minority side: the minority never commits, the majority
 * elects a leader and goes on serving the client, and after the partition heals every member converges.
 */
@Timeout(120)
class LocalClusterPartitionTest
{
    private final CounterService[] services = new CounterService[5];
    private final Partition partition = new Partition();
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

    private void send(final long commands)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 1);
        final long target = acked[0] + commands;
        long sent = 0;
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (acked[0] < target)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("commands not acknowledged: " + acked[0] + " of " + target);
            }
            if (sent < commands && client.offer(command, 0, 8) > 0)
            {
                sent++;
            }
            client.poll();
        }
    }

    @Test
    void minorityNeverCommitsMajorityGoesOnAndEveryoneConverges()
    {
        cluster = LocalCluster.start(5, LocalClusterIpcTest.template(), (id) ->
        {
            services[id] = new CounterService();
            return services[id];
        }, partition.publishers());
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
        client = RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxInflight(16)
            .leaderTimeoutNs(300_000_000L)
            .commandTimeoutNs(30_000_000_000L)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
            {
                assertTrue(ResponseListener.OK == outcome || ResponseListener.DUPLICATE == outcome);
                acked[0]++;
            }));
        send(1_000);

        final int oldLeader = cluster.leaderId();
        final int follower = (oldLeader + 1) % 5;
        partition.cut(oldLeader, follower);
        // Let what was already in flight when the cut happened settle.
        Await.until("the old leader stepped down (check-quorum)", 10_000,
            () -> RaftRole.LEADER != cluster.member(oldLeader).role());
        final long minorityCommit = cluster.member(oldLeader).commitIndex();
        final long followerCommit = cluster.member(follower).commitIndex();

        send(5_000);
        final int newLeader = cluster.leaderId();
        assertNotEquals(oldLeader, newLeader);
        assertNotEquals(follower, newLeader);
        assertEquals(minorityCommit, cluster.member(oldLeader).commitIndex(), "the minority committed nothing");
        assertEquals(followerCommit, cluster.member(follower).commitIndex(), "the minority committed nothing");
        assertTrue(cluster.member(newLeader).commitIndex() >= minorityCommit + 5_000);

        partition.heal();
        send(1_000);
        for (int i = 0; i < 5; i++)
        {
            final int id = i;
            Await.until("member " + id + " converged", 20_000, () -> services[id].value() == acked[0]);
        }
        assertEquals(7_000, acked[0]);
    }
}
