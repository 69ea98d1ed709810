package io.raftline.engine.agent;

import io.raftline.engine.ForwardingRaftLog;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.core.RaftRole;
import io.raftline.engine.ClusterRole;
import io.raftline.engine.RaftService;
import io.raftline.log.RaftLog;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, defect 5: a leader's own slow cycles are not pauses. The members' clock is a test clock that a slow
 * sync moves on by more than the pause threshold (as a sync that takes that long would), so no test step sleeps.
 * The leader is cut off from its peers and keeps taking one proposal per cycle, each followed by a slow sync. Time
 * it spent inside its cycles is time it ran and heard nobody: check-quorum must depose it within two election
 * timeouts of its clock. Discounting the cycles as pauses would move its quorum-check deadline on with every sync.
 * <p>
 * The step-down is timed on the member's thread, where its service hears of it: the test thread notices later, by
 * as long as it waited for a core, and that wall time is on the members' clock too.
 */
@Timeout(60)
class SlowSyncCheckQuorumTest
{
    private static final long ELECTION_MAX_NS = 200_000_000L;
    // Above the agent's pause threshold (a quarter of the minimum election timeout, 25 ms).
    private static final long SYNC_NS = 40_000_000L;

    private final AtomicLong clockOffsetNs = new AtomicLong();
    private final AtomicLongArray syncs = new AtomicLongArray(3);
    private volatile int slowMemberId = -1;
    private final AtomicLongArray steppedDownAtNs = new AtomicLongArray(3);

    private long nowNs()
    {
        return System.nanoTime() + clockOffsetNs.get();
    }

    private final Partition partition = new Partition();

    @Test
    void cutOffLeaderWithSlowSyncsStepsDownWithinTwoElectionTimeouts()
    {
        try (LocalCluster cluster = LocalCluster.start(3, LocalClusterIpcTest.template()
            .nanoClock(this::nowNs)
            .storageFactory((ctx) ->
            {
                final MemberStorage storage = MemberContext.inMemoryStorage(ctx);
                return new MemberStorage(new SlowSyncLog(storage.log(), ctx.memberId()), storage.metadata(),
                    storage.snapshots());
            }), StepDownClock::new, partition.publishers()))
        {
            Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
            final int leader = cluster.leaderId();
            try (RaftClient client = RaftClient.connect(new ClientContext()
                .aeronDirectoryName(cluster.aeronDirectoryName())
                .members(cluster.membersString())
                .maxInflight(100_000)
                .leaderTimeoutNs(30_000_000_000L)
                .commandTimeoutNs(60_000_000_000L)
                .listener((correlationId, outcome, logIndex, buffer, offset, length) -> {})))
            {
                final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
                slowMemberId = leader;
                steppedDownAtNs.set(leader, 0);
                partition.cut(leader);
                final long cutOffNs = nowNs();
                final long giveUpNs = cutOffNs + 10 * ELECTION_MAX_NS;
                while (RaftRole.LEADER == cluster.member(leader).role() && nowNs() < giveUpNs)
                {
                    // One proposal, then wait for the leader's sync of it: one slow cycle per proposal.
                    final long syncsBefore = syncs.get(leader);
                    Await.until("the command is offered", 10_000, () ->
                    {
                        client.poll();
                        return client.offer(command, 0, 8) > 0;
                    });
                    Await.until("the leader synced", 10_000, () ->
                    {
                        client.poll();
                        return syncs.get(leader) > syncsBefore || RaftRole.LEADER != cluster.member(leader).role();
                    });
                }
                assertNotEquals(RaftRole.LEADER, cluster.member(leader).role(),
                    "the cut-off leader still leads after " + (nowNs() - cutOffNs) / 1_000_000 + " ms of its clock");
                // The role is published before the service hears of the change, on the agent thread.
                Await.until("the leader's service heard it step down", 10_000, () -> 0 != steppedDownAtNs.get(leader));
                final long steppedDownNs = steppedDownAtNs.get(leader);
                final long elapsedNs = steppedDownNs - cutOffNs;
                // The window open at the cut may still count the peers; the next one cannot. One sync may be
                // under way when the role is read.
                assertTrue(elapsedNs <= 2 * ELECTION_MAX_NS + SYNC_NS,
                    "stepped down after " + elapsedNs / 1_000_000 + " ms of its clock");
            }
        }
    }

    /**
     * The counter, and the members' clock read on the agent thread when this member stops leading: no earlier than
     * the cycle in which the core stepped down read it, so never less than the time it took.
     */
    private final class StepDownClock implements RaftService
    {
        private final int memberId;
        private final CounterService counter = new CounterService();
        private boolean isLeader;

        StepDownClock(final int memberId)
        {
            this.memberId = memberId;
        }

        public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
            final int length, final MutableDirectBuffer response)
        {
            return counter.onApply(index, term, command, offset, length, response);
        }

        public void onRoleChange(final ClusterRole role)
        {
            if (ClusterRole.LEADER == role)
            {
                isLeader = true;
            }
            else if (isLeader)
            {
                isLeader = false;
                steppedDownAtNs.compareAndSet(memberId, 0, nowNs());
            }
        }
    }

    /**
     * A log whose sync takes {@link #SYNC_NS} of the test clock on the slow member.
     */
    private final class SlowSyncLog extends ForwardingRaftLog<RaftLog>
    {
        private final int memberId;

        SlowSyncLog(final RaftLog delegate, final int memberId)
        {
            super(delegate);
            this.memberId = memberId;
        }

        public void sync()
        {
            super.sync();
            if (memberId == slowMemberId)
            {
                clockOffsetNs.addAndGet(SYNC_NS);
                syncs.incrementAndGet(memberId);
            }
        }
    }
}
