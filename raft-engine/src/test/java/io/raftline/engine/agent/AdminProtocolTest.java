package io.raftline.engine.agent;

import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftAdmin;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import io.raftline.engine.core.RaftRole;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin protocol on a 3-member IPC cluster: describe, snapshot, step-down and leadership transfer, with clients
 * that follow the new leader without a failed command, and a leader that hands over before it stops.
 */
@Timeout(120)
class AdminProtocolTest
{
    private final CounterService[] services = new CounterService[3];
    private LocalCluster cluster;
    private RaftAdmin admin;
    private RaftClient client;
    private final long[] outcomes = new long[5];

    @BeforeEach
    void start()
    {
        cluster = LocalCluster.start(3, LocalClusterIpcTest.template(), (id) ->
        {
            services[id] = new CounterService();
            return services[id];
        });
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
        admin = RaftAdmin.connect(context().commandTimeoutNs(5_000_000_000L));
    }

    @AfterEach
    void close()
    {
        if (null != client)
        {
            client.close();
        }
        if (null != admin)
        {
            admin.close();
        }
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private ClientContext context()
    {
        return new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString());
    }

    // Counts of the members stopped so far: a restarted member's counters start again at 0.
    private long stoppedTimeoutElections;
    private long stoppedTransferElections;

    private long timeoutElections()
    {
        long sum = stoppedTimeoutElections;
        for (final RaftMember member : cluster.members())
        {
            sum += null == member ? 0 : member.counters().timeoutElections.get();
        }
        return sum;
    }

    private long transferElections()
    {
        long sum = stoppedTransferElections;
        for (final RaftMember member : cluster.members())
        {
            sum += null == member ? 0 : member.counters().transferElections.get();
        }
        return sum;
    }

    @Test
    void describeAnswersForEveryMember()
    {
        final int leader = cluster.leaderId();
        final List<RaftAdmin.Status> statuses = admin.describe();
        assertEquals(3, statuses.size(), statuses::toString);
        int leaders = 0;
        for (final RaftAdmin.Status status : statuses)
        {
            assertEquals(leader, status.leaderId(), status::toString);
            assertEquals(statuses.get(0).term(), status.term(), status::toString);
            assertTrue(status.configuration().contains("voters=[0, 1, 2]"), status::configuration);
            assertTrue(status.commitIndex() > 0 && status.appliedIndex() <= status.commitIndex(), status::toString);
            leaders += "LEADER".equals(status.role()) ? 1 : 0;
        }
        assertEquals(1, leaders, statuses::toString);
        assertEquals("LEADER", statuses.get(leader).role());
    }

    @Test
    void transferLeadershipMovesTheLeaderWithoutATimeoutElection()
    {
        final int leader = cluster.leaderId();
        final int target = (leader + 1) % 3;
        final long timeoutElectionsBefore = timeoutElections();
        final long transferElectionsBefore = transferElections();

        final RaftAdmin.Result result = admin.transferLeadership(target);

        assertTrue(result.isOk(), result::toString);
        assertTrue(result.detail().startsWith("member " + target + " leads"), result::toString);
        Await.until("member " + target + " leads", 5_000, () -> cluster.leaderId() == target);
        assertEquals(timeoutElectionsBefore, timeoutElections(), "no member's election timer fired");
        assertEquals(transferElectionsBefore + 1, transferElections(), "one campaign, started by TimeoutNow");
    }

    /**
     * An admin request goes to one member, once (when no NOT_LEADER answer sends it on). A transfer's answer comes
     * from the old leader once another member leads, at about the moment the admin's client learns of the new leader;
     * the admin used to send the request again to that new leader whenever its client learnt of it first (a second
     * transfer request for every such race), and took whichever answer came first.
     */
    @Test
    void everyTransferRequestIsSentOnce()
    {
        final int transfers = 10;
        final long requestsBefore = adminRequests();
        for (int i = 0; i < transfers; i++)
        {
            // The admin's client follows the leader first, so that no request needs a NOT_LEADER redirect.
            final int leader = cluster.leaderId();
            Await.until("the admin's client follows member " + leader, 5_000, () ->
            {
                admin.client().poll();
                return admin.client().leaderId() == leader;
            });
            final int target = (leader + 1) % 3;
            final RaftAdmin.Result result = admin.transferLeadership(target);
            assertTrue(result.isOk(), result::toString);
            Await.until("member " + target + " leads", 5_000, () -> cluster.leaderId() == target);
        }
        assertEquals(requestsBefore + transfers, adminRequests(), "admin requests the members received");
    }

    private long adminRequests()
    {
        long sum = 0;
        for (final RaftMember member : cluster.members())
        {
            sum += member.counters().adminRequests.get();
        }
        return sum;
    }

    @Test
    void stepDownHandsOverToAnotherVoter()
    {
        final int leader = cluster.leaderId();
        final RaftAdmin.Result result = admin.stepDown();
        assertTrue(result.isOk(), result::toString);
        Await.until("another member leads", 5_000, () -> cluster.leaderId() >= 0 && cluster.leaderId() != leader);
        assertEquals(RaftRole.FOLLOWER, cluster.member(leader).role());
    }

    @Test
    void refusedTransfersSayWhy()
    {
        final int leader = cluster.leaderId();
        final RaftAdmin.Result unknown = admin.transferLeadership(7);
        assertFalse(unknown.isOk());
        assertEquals("REFUSED", unknown.code());
        assertTrue(unknown.detail().startsWith("unknown member 7"), unknown::toString);

        final RaftAdmin.Result self = admin.transferLeadership(leader);
        assertTrue(self.isOk(), self::toString);
        assertEquals("member " + leader + " already leads term " + cluster.member(leader).term(), self.detail());
        assertEquals(leader, cluster.leaderId());
    }

    @Test
    void snapshotNowOnTheLeaderAndOnAFollower()
    {
        runCommands(200);
        final int leader = cluster.leaderId();
        final long applied = cluster.member(leader).appliedIndex();
        final RaftAdmin.Result onLeader = admin.snapshot(-1);
        assertTrue(onLeader.isOk(), onLeader::toString);
        assertEquals(leader, onLeader.responderId());
        assertTrue(onLeader.logIndex() >= applied, onLeader::toString);

        final int follower = (leader + 1) % 3;
        final RaftAdmin.Result onFollower = admin.snapshot(follower);
        assertTrue(onFollower.isOk(), onFollower::toString);
        assertEquals(follower, onFollower.responderId());
        assertTrue(onFollower.logIndex() > 0, onFollower::toString);

        // Nothing new applied since (unless the closing load session's entry landed): no new snapshot is needed.
        final RaftAdmin.Result again = admin.snapshot(follower);
        assertTrue(again.isOk(), again::toString);
        assertTrue(again.detail().contains("already covers") || again.logIndex() > onFollower.logIndex(),
            again::toString);
        assertTrue(admin.describe().get(follower).snapshotIndex() >= onFollower.logIndex());
    }

    @Test
    void clientsFollowATransferUnderLoadWithoutAFailedCommand()
    {
        client = RaftClient.connect(context()
            .maxInflight(16)
            .leaderTimeoutNs(300_000_000L)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) -> outcomes[outcome]++));
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 1);
        final long timeoutElectionsBefore = timeoutElections();
        long sent = 0;
        int transfers = 0;
        int lastLeader = cluster.leaderId();
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        while (transfers < 4)
        {
            assertTrue(System.nanoTime() < deadlineNs, () -> "4 transfers within 60 s; outcomes " +
                java.util.Arrays.toString(outcomes));
            if (client.offer(command, 0, 8) > 0)
            {
                sent++;
            }
            client.poll();
            if (sent >= (transfers + 1) * 2_000L)
            {
                // The admin client blocks while it waits; this client's commands stay outstanding meanwhile.
                final int target = (cluster.leaderId() + 1) % 3;
                final RaftAdmin.Result result = admin.transferLeadership(target);
                assertTrue(result.isOk(), result::toString);
                transfers++;
                assertNotEquals(lastLeader, target);
                lastLeader = target;
            }
        }
        while (client.inflight() > 0)
        {
            assertTrue(System.nanoTime() < deadlineNs, "every command answered");
            client.poll();
        }
        assertEquals(0, outcomes[ResponseListener.REJECTED] + outcomes[ResponseListener.ERROR] +
            outcomes[ResponseListener.TIMED_OUT], "no command failed");
        assertEquals(sent, outcomes[ResponseListener.OK] + outcomes[ResponseListener.DUPLICATE]);
        assertTrue(client.leaderChanges() >= 4, "the client followed every new leader");
        assertEquals(timeoutElectionsBefore, timeoutElections(), "no election timeout");
        final long value = sent;
        Await.until("every member applied every command", 10_000, () ->
            services[0].value() == value && services[1].value() == value && services[2].value() == value);
    }

    @Test
    void aLeaderThatStopsHandsOverFirst()
    {
        runCommands(100);
        final long timeoutElectionsBefore = timeoutElections();
        for (int round = 0; round < 3; round++)
        {
            final int leader = cluster.leaderId();
            final RaftMember stopping = cluster.member(leader);
            // What LocalCluster.stop does, with the stopping member's counters read before they close.
            final boolean isHandedOver = stopping.handOverLeadership(stopping.handoverTimeoutNs());
            stoppedTimeoutElections += stopping.counters().timeoutElections.get();
            stoppedTransferElections += stopping.counters().transferElections.get();
            cluster.crash(leader);
            assertTrue(isHandedOver, "member " + leader + " handed over before it stopped");
            assertTrue(cluster.leaderId() >= 0 && cluster.leaderId() != leader, "another member leads at once");
            cluster.restart(leader);
            runCommands(100);
        }
        assertEquals(timeoutElectionsBefore, timeoutElections(), "a rolling restart without an election timeout");
    }

    @Test
    void stopOfTheLeaderHandsOver()
    {
        final int leader = cluster.leaderId();
        assertTrue(cluster.stop(leader));
        assertTrue(cluster.leaderId() >= 0 && cluster.leaderId() != leader, "another member leads at once");
        final int follower = (cluster.leaderId() + 1) % 3 == leader ? (cluster.leaderId() + 2) % 3 :
            (cluster.leaderId() + 1) % 3;
        assertTrue(cluster.stop(follower), "a follower has nothing to hand over");
    }

    private void runCommands(final int count)
    {
        try (RaftClient load = RaftClient.connect(context().maxInflight(16)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) -> outcomes[outcome]++)))
        {
            final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
            command.putLong(0, 1);
            int sent = 0;
            final long deadlineNs = System.nanoTime() + 30_000_000_000L;
            while (sent < count || load.inflight() > 0)
            {
                assertTrue(System.nanoTime() < deadlineNs, "commands answered within 30 s");
                if (sent < count && load.offer(command, 0, 8) > 0)
                {
                    sent++;
                }
                load.poll();
            }
        }
        assertEquals(0, outcomes[ResponseListener.REJECTED] + outcomes[ResponseListener.ERROR] +
            outcomes[ResponseListener.TIMED_OUT]);
    }
}
