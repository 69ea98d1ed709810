package io.raftline.engine.agent;

import io.raftline.engine.core.EntryBatch;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A follower that receives a burst of a session's commands answers with one redirect per duty cycle, not one per
 * command: each redirect used to make the client resend everything outstanding.
 */
@Timeout(60)
class SessionRedirectTest
{
    private static final long SESSION_ID = HandDrivenSessions.SESSION_ID;

    private HandDrivenSessions fixture;
    private MemberCounters counters;
    private SessionStateMachine table;
    private SessionIngress sessions;
    private RaftNode node;
    private final long nowNs = 1_000_000_000L;

    @BeforeEach
    void start()
    {
        fixture = new HandDrivenSessions("raftline-redirect-test", "0,1,2", 1, 42_001, nowNs);
        counters = fixture.counters;
        table = fixture.table;
        sessions = fixture.sessions;
        node = fixture.node;
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(fixture);
    }

    @Test
    void aBurstOfCommandsToAFollowerGetsOneRedirectPerCycle()
    {
        // Member 1 leads term 1 and tells this member that the session's opening is committed.
        node.onAppendEntries(1, 1, SESSION_ID, 1, SESSION_ID, new EmptyBatch(), nowNs);
        node.applyCommitted();
        assertEquals(RaftRole.FOLLOWER, node.role());
        assertEquals(1, node.leaderId());
        assertEquals(1, table.sessionCount());

        final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
        sessions.nowNs(nowNs);
        for (long correlationId = 1; correlationId <= 100; correlationId++)
        {
            sessions.onClientRequest(frame, 0, frame.capacity(), SESSION_ID, correlationId, nowNs);
        }
        assertEquals(1, counters.redirects.get(), "one redirect for the cycle's burst");

        sessions.nowNs(nowNs + 1);
        sessions.onClientRequest(frame, 0, frame.capacity(), SESSION_ID, 101, nowNs + 1);
        assertEquals(2, counters.redirects.get(), "the next cycle redirects again");
    }

    private static final class EmptyBatch implements EntryBatch
    {
        public int count()
        {
            return 0;
        }

        public boolean next()
        {
            return false;
        }

        public long term()
        {
            return 0;
        }

        public DirectBuffer buffer()
        {
            return null;
        }

        public int offset()
        {
            return 0;
        }

        public int length()
        {
            return 0;
        }
    }
}
