package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member whose own thread stalls (a GC, a long cycle, the members it shares a thread with) has heard nobody for
 * the length of the stall; that is not the leader's fault. Each member here runs on its own thread with its own
 * clock; the followers' clocks jump ahead by several election timeouts at once, exactly what a stall of their
 * threads looks like to them, while the leader goes on. Without discounting the pause the followers time out and
 * elect a new leader in a new term; with it, leader and term stay.
 */
@Timeout(60)
class MemberPauseTest
{
    private static final long STALL_NS = 2_000_000_000L;

    private final AtomicLong[] offsets = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private final AtomicLong[] pendingStalls = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private final RaftMember[] members = new RaftMember[3];
    private MediaDriver driver;
    private Aeron aeron;

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(members);
        CloseHelper.quietCloseAll(aeron, driver);
    }

    @Test
    void followersDoNotBlameTheLeaderForTheirOwnStall()
    {
        driver = RaftMember.launchEmbeddedDriver("raftline-pause-test");
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        for (int i = 0; i < 3; i++)
        {
            final AtomicLong offset = offsets[i];
            members[i] = RaftMember.launch(LocalClusterIpcTest.template()
                .memberId(i)
                .members("0,1,2")
                .aeron(aeron)
                .nanoClock(() -> System.nanoTime() + offset.get())
                .idleStrategy(new StallBetweenCycles(pendingStalls[i], offset))
                .service(new CounterService()));
        }
        Await.until("a leader", 10_000, () -> leaderId() >= 0);
        final int leader = leaderId();
        final long term = members[leader].term();
        Await.until("every member follows the leader's term", 10_000, () ->
            members[0].term() == term && members[1].term() == term && members[2].term() == term);
        final long commitBefore = members[leader].commitIndex();

        for (int i = 0; i < 3; i++)
        {
            if (i != leader)
            {
                pendingStalls[i].set(STALL_NS);
            }
        }
        for (int i = 0; i < 3; i++)
        {
            final int id = i;
            if (id != leader)
            {
                Await.until("member " + id + " counted its pause", 10_000,
                    () -> members[id].raftAgent().pausesDiscounted() >= 1);
            }
        }
        // A command committed after the stall: a follower acknowledged an AppendEntries after its pause, past the
        // cycle in which it would have timed out.
        final long[] answered = new long[1];
        try (RaftClient client = RaftClient.connect(new ClientContext()
            .aeron(aeron)
            .members("0,1,2")
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
            {
                assertEquals(ResponseListener.OK, outcome);
                answered[0]++;
            })))
        {
            final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
            command.putLong(0, 1);
            Await.until("the command is offered", 10_000, () -> client.offer(command, 0, 8) > 0);
            Await.until("the command is answered", 10_000, () ->
            {
                client.poll();
                return answered[0] > 0;
            });
        }

        assertEquals(leader, leaderId(), "the leader kept its role");
        for (int i = 0; i < 3; i++)
        {
            assertEquals(term, members[i].term(), "member " + i + " is still in term " + term);
        }
        assertTrue(members[leader].commitIndex() > commitBefore, "the cluster committed after the stall");
    }

    /**
     * A stall of the member's thread between two duty cycles, which is what the agent discounts: the clock jumps on
     * the agent's own thread, in the idle step after a cycle. Jumping it from the test's thread could land inside a
     * cycle that did work (between the agent's two clock reads), which the agent counts as a long cycle of its own,
     * not as a pause; the test then failed now and then ("member 2 counted its pause" timed out in a verify run).
     */
    private static final class StallBetweenCycles implements IdleStrategy
    {
        private final IdleStrategy delegate = new YieldingIdleStrategy();
        private final AtomicLong pending;
        private final AtomicLong offset;

        StallBetweenCycles(final AtomicLong pending, final AtomicLong offset)
        {
            this.pending = pending;
            this.offset = offset;
        }

        public void idle(final int workCount)
        {
            stallIfAsked();
            delegate.idle(workCount);
        }

        public void idle()
        {
            stallIfAsked();
            delegate.idle();
        }

        public void reset()
        {
            delegate.reset();
        }

        private void stallIfAsked()
        {
            final long stallNs = pending.getAndSet(0);
            if (0 != stallNs)
            {
                offset.addAndGet(stallNs);
            }
        }
    }

    private int leaderId()
    {
        for (final RaftMember member : members)
        {
            if (null != member && RaftRole.LEADER == member.role())
            {
                return member.context().memberId();
            }
        }
        return -1;
    }
}
