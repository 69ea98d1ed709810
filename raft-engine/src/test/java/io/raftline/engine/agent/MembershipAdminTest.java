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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Membership changes through the admin protocol on an IPC cluster: a member that joins from nothing, learns the
 * configuration and the data, is promoted, replaces a dead member, and clients follow it when it leads.
 */
@Timeout(120)
class MembershipAdminTest
{
    private final CounterService[] services = new CounterService[8];
    private LocalCluster cluster;
    private RaftAdmin admin;
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
        admin = RaftAdmin.connect(context().commandTimeoutNs(10_000_000_000L));
    }

    @AfterEach
    void close()
    {
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

    @Test
    void aJoiningLearnerCatchesUpIsPromotedAndReplacesADeadMember()
    {
        runCommands(500);
        final RaftMember joiner = cluster.join(3);
        assertEquals(RaftRole.FOLLOWER, joiner.role());

        final RaftAdmin.Result added = admin.addLearner(3, "");
        assertTrue(added.isOk(), added::toString);
        Await.until("the learner caught up", 10_000, () -> services[3].value() == services[0].value() &&
            services[0].value() >= 500);

        final int dead = (cluster.leaderId() + 1) % 3;
        cluster.crash(dead);
        final RaftAdmin.Result replaced = admin.replace(dead, 3, "");
        assertTrue(replaced.isOk(), replaced::toString);
        assertTrue(replaced.detail().startsWith("member 3 replaced member " + dead), replaced::toString);

        final List<RaftAdmin.Status> statuses = admin.describe();
        final String configuration = statuses.get(0).configuration();
        assertFalse(configuration.contains("old="), configuration);
        assertTrue(configuration.contains("retired=[" + dead + "]"), configuration);

        // The new voter can lead, and a client started with the old members follows it there.
        final RaftAdmin.Result transfer = admin.transferLeadership(3);
        assertTrue(transfer.isOk(), transfer::toString);
        Await.until("member 3 leads", 5_000, () -> cluster.leaderId() == 3);
        runCommands(200);
        assertEquals(0, outcomes[ResponseListener.TIMED_OUT] + outcomes[ResponseListener.REJECTED] +
            outcomes[ResponseListener.ERROR]);
    }

    @Test
    void refusalsSayWhy()
    {
        final RaftAdmin.Result unknown = admin.promote(9, false);
        assertFalse(unknown.isOk());
        assertEquals("REFUSED", unknown.code(), unknown::toString);

        final RaftAdmin.Result added = admin.addLearner(4, "");
        assertTrue(added.isOk(), added::toString);
        final RaftAdmin.Result again = admin.addLearner(4, "");
        assertEquals("REFUSED", again.code(), again::toString);

        final RaftAdmin.Result notCaughtUp = admin.promote(4, false);
        assertEquals("REFUSED", notCaughtUp.code(), notCaughtUp::toString);

        final RaftAdmin.Result removed = admin.remove(4);
        assertTrue(removed.isOk(), removed::toString);
        final RaftAdmin.Result reused = admin.addLearner(4, "");
        assertEquals("REFUSED", reused.code(), reused::toString);
        System.out.println("refusals: " + unknown + " | " + again + " | " + notCaughtUp + " | " + reused);
    }

    @Test
    void publicationsFollowTheConfiguration()
    {
        final RaftMember leader = cluster.member(cluster.leaderId());
        final PeerPublications peers = leader.raftAgent().peers();
        assertEquals(2, peers.peerIds().length, java.util.Arrays.toString(peers.peerIds()));

        assertTrue(admin.addLearner(5, "").isOk());
        Await.until("a publication to member 5", 5_000, () -> null != peers.publication(5));
        assertEquals(3, peers.peerIds().length);

        assertTrue(admin.remove(5).isOk());
        Await.until("no publication to member 5", 5_000, () -> peers.slotOf(5) < 0);
        assertEquals(2, peers.peerIds().length, java.util.Arrays.toString(peers.peerIds()));
    }

    /**
     * A member removed while it was down comes back with a log that still names it a voter: it campaigns, and the
     * others reject its frames before their cores see them (counted), so it disturbs nobody.
     */
    @Test
    void framesOfAMemberRemovedWhileDownAreRejected()
    {
        final int leader = cluster.leaderId();
        final int removed = (leader + 1) % 3;
        final int other = (leader + 2) % 3;
        cluster.crash(removed);
        final RaftMember joiner = cluster.join(3);
        assertTrue(admin.addLearner(3, "").isOk());
        Await.until("the learner caught up", 10_000, () -> joiner.appliedIndex() >= cluster.member(leader)
            .commitIndex());
        final RaftAdmin.Result replaced = admin.replace(removed, 3, "");
        assertTrue(replaced.isOk(), replaced::toString);
        final long term = cluster.member(leader).term();

        cluster.restart(removed);
        Await.until("the removed member's frames rejected", 10_000, () ->
            cluster.member(leader).counters().removedMemberFrames.get() +
            cluster.member(other).counters().removedMemberFrames.get() > 0);
        runCommands(100);
        assertEquals(leader, cluster.leaderId(), "the leader leads on");
        assertEquals(term, cluster.member(leader).term(), "no new term");
        assertEquals(0, outcomes[ResponseListener.TIMED_OUT] + outcomes[ResponseListener.REJECTED] +
            outcomes[ResponseListener.ERROR]);
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
    }
}
