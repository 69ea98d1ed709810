package io.raftline.engine.agent;

import io.raftline.engine.ForwardingRaftLog;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.core.RaftRole;
import io.raftline.log.RaftLog;
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
            }), (id) -> new CounterService(), partition.publishers()))
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
                final long elapsedNs = nowNs() - cutOffNs;
                assertNotEquals(RaftRole.LEADER, cluster.member(leader).role(),
                    "the cut-off leader still leads after " + elapsedNs / 1_000_000 + " ms of its clock");
                // The window open at the cut may still count the peers; the next one cannot. One sync may be
                // under way when the role is read.
                assertTrue(elapsedNs <= 2 * ELECTION_MAX_NS + SYNC_NS,
                    "stepped down after " + elapsedNs / 1_000_000 + " ms of its clock");
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
