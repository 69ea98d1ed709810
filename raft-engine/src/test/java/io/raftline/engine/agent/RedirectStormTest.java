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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Measures one failover with 1000 outstanding commands: the client, which has not yet heard of the new leader,
 * sends all of them to the old leader, now a follower, which redirects them. The client must resend each command
 * at most once for the one change of leader, and the new leader must append (and discard at apply) no storm of
 * duplicates. Before the fix every redirect (one per command) resent every outstanding command.
 */
@Timeout(120)
class RedirectStormTest
{
    private static final int OUTSTANDING = 1000;

    private final CounterService[] services = new CounterService[3];
    private final Partition partition = new Partition();
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

    @Test
    void oneResendPerOutstandingCommandPerLeaderChange()
    {
        cluster = LocalCluster.start(3, LocalClusterIpcTest.template(), (id) ->
        {
            services[id] = new CounterService();
            return services[id];
        }, partition.publishers());
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
        final long[] outcomes = new long[5];
        client = RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxInflight(OUTSTANDING + 1)
            .leaderTimeoutNs(2_000_000_000L)
            .commandTimeoutNs(60_000_000_000L)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) -> outcomes[outcome]++));
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 1);

        // One command through the first leader, so that every member has applied the session.
        while (client.offer(command, 0, 8) < 0)
        {
            client.poll();
        }
        while (outcomes[ResponseListener.OK] < 1)
        {
            client.poll();
        }
        final int oldLeader = client.leaderId();
        Await.until("every member applied the session", 10_000, () -> cluster.members().stream()
            .allMatch((m) -> m.appliedIndex() >= cluster.member(oldLeader).appliedIndex()));

        // The client stops polling: it does not hear of the new leader until it has sent everything to the old one.
        partition.cut(oldLeader);
        Await.until("a new leader", 10_000, () -> newLeader(oldLeader) >= 0);
        final int newLeader = newLeader(oldLeader);
        partition.heal();
        final RaftMember old = cluster.member(oldLeader);
        Await.until("the old leader follows the new one", 10_000, () -> RaftRole.FOLLOWER == old.role() &&
            old.counters().leaderId.get() == newLeader && old.term() == cluster.member(newLeader).term());

        final long resendsBefore = client.resends();
        final long changesBefore = client.leaderChanges();
        final long duplicatesBefore = cluster.member(newLeader).counters().duplicateCommands.get();
        final long redirectsBefore = old.counters().redirects.get();
        int sent = 0;
        while (sent < OUTSTANDING)
        {
            final long result = client.offer(command, 0, 8);
            if (result > 0)
            {
                sent++;
            }
            else
            {
                assertEquals(RaftClient.BACK_PRESSURED, result, "the old leader's ingress is only back-pressured");
                Thread.yield();
            }
        }
        assertEquals(OUTSTANDING, client.inflight());

        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        while (outcomes[ResponseListener.OK] + outcomes[ResponseListener.DUPLICATE] < 1 + OUTSTANDING &&
            0 == outcomes[ResponseListener.TIMED_OUT] && System.nanoTime() < deadlineNs)
        {
            client.poll();
        }
        final RaftMember leader = cluster.member(newLeader);
        Await.until("the new leader applied everything", 10_000,
            () -> leader.appliedIndex() >= leader.commitIndex() && leader.commitIndex() > 0);
        final long resent = client.resends() - resendsBefore;
        final long leaderChanges = client.leaderChanges() - changesBefore;
        final long duplicates = leader.counters().duplicateCommands.get() - duplicatesBefore;
        final long redirects = old.counters().redirects.get() - redirectsBefore;
        System.out.printf("failover with %d outstanding: %d frames resent by the client, %d duplicate entries " +
            "discarded at apply by the new leader, %d redirects sent by the old leader, %d leader changes%n",
            OUTSTANDING, resent, duplicates, redirects, leaderChanges);

        assertEquals(0, outcomes[ResponseListener.TIMED_OUT], "no command timed out");
        assertEquals(1 + OUTSTANDING, outcomes[ResponseListener.OK] + outcomes[ResponseListener.DUPLICATE],
            "every command answered");
        assertEquals(1, leaderChanges, "one change of leader");
        assertTrue(resent <= OUTSTANDING * leaderChanges,
            "at most one resend per outstanding command per leader change, resent " + resent);
        assertTrue(duplicates <= OUTSTANDING, "no storm of duplicates in the log, " + duplicates);
    }

    private int newLeader(final int oldLeader)
    {
        for (final RaftMember member : cluster.members())
        {
            if (member.context().memberId() != oldLeader && RaftRole.LEADER == member.role())
            {
                return member.context().memberId();
            }
        }
        return -1;
    }
}
