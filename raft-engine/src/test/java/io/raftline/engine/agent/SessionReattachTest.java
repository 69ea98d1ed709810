package io.raftline.engine.agent;

import io.aeron.Subscription;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.SessionEventCode;
import io.raftline.codecs.SessionEventDecoder;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2ObjectHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client reattaches its session to a new leader that has the session's open entry in its log but has not applied
 * it yet. The leader must not answer from its stale session table ("unknown session", which makes the client fail
 * every pending command and open a new session while the old one's commands still apply): it holds the reattach
 * until it has applied an entry of its own term, then answers from the table, which is then complete.
 */
@Timeout(60)
class SessionReattachTest
{
    private static final int EGRESS_STREAM = 42_000;
    private static final long SESSION_ID = HandDrivenSessions.SESSION_ID;
    private static final long OPEN_CORRELATION_ID = 5;
    private static final long REATTACH_CORRELATION_ID = 6;

    private final Long2ObjectHashMap<SessionEventCode> events = new Long2ObjectHashMap<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SessionEventDecoder eventDecoder = new SessionEventDecoder();
    private HandDrivenSessions fixture;
    private Subscription egress;
    private SessionStateMachine table;
    private SessionIngress sessions;
    private RaftNode node;
    private long nowNs = 1_000_000_000L;

    @BeforeEach
    void start()
    {
        // The session was opened (and committed) in term 1, under the previous leader.
        fixture = new HandDrivenSessions("raftline-reattach-test", "0", OPEN_CORRELATION_ID, EGRESS_STREAM, nowNs);
        egress = fixture.aeron.addSubscription("aeron:ipc", EGRESS_STREAM);
        table = fixture.table;
        sessions = fixture.sessions;
        node = fixture.node;
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(egress, fixture);
    }

    @Test
    void aNewLeaderHoldsAReattachUntilItHasAppliedAnEntryOfItsTerm()
    {
        becomeLeaderWithoutApplying();
        assertTrue(node.lastApplied() < SESSION_ID, "the session's open entry is not applied yet");

        sessions.nowNs(nowNs);
        sessions.onSessionConnect(REATTACH_CORRELATION_ID, SESSION_ID, EGRESS_STREAM, "aeron:ipc", new byte[0], nowNs);
        sessions.doWork(nowNs);

        // The noop of the new term commits and applies: the session table now holds the session.
        node.onPersisted();
        node.applyCommitted();
        assertTrue(node.lastApplied() > SESSION_ID);
        pumpUntilAnswered(REATTACH_CORRELATION_ID);
        assertEquals(SessionEventCode.OPEN, events.get(REATTACH_CORRELATION_ID),
            "the reattach of a live session is answered OPEN, not closed as unknown");
        assertEquals(1, table.sessionCount());
    }

    @Test
    void aLeaderThatHasAppliedItsTermStillClosesAnUnknownSession()
    {
        becomeLeaderWithoutApplying();
        node.onPersisted();
        node.applyCommitted();

        sessions.nowNs(nowNs);
        sessions.onSessionConnect(REATTACH_CORRELATION_ID, 99, EGRESS_STREAM, "aeron:ipc", new byte[0], nowNs);
        pumpUntilAnswered(REATTACH_CORRELATION_ID);
        assertEquals(SessionEventCode.CLOSED, events.get(REATTACH_CORRELATION_ID));
    }

    private void becomeLeaderWithoutApplying()
    {
        // A one-member cluster elects itself at its first timeout, leads once the driver reports its term and vote
        // synced, and appends the noop of term 2; nothing commits until the driver reports the log synced again.
        final long deadlineNs = nowNs + 10_000_000_000L;
        while (RaftRole.LEADER != node.role() && nowNs < deadlineNs)
        {
            nowNs += 10_000_000L;
            node.doWork(nowNs);
            if (RaftRole.CANDIDATE == node.role())
            {
                node.onPersisted();
            }
        }
        assertEquals(RaftRole.LEADER, node.role());
        assertEquals(2, node.currentTerm());
        assertFalse(node.lastApplied() >= node.log().lastIndex());
    }

    private void pumpUntilAnswered(final long correlationId)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!events.containsKey(correlationId))
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no answer to correlation id " + correlationId + "; events " + events);
            }
            sessions.nowNs(nowNs);
            sessions.doWork(nowNs);
            egress.poll((buffer, offset, length, header) ->
            {
                headerDecoder.wrap(buffer, offset);
                if (SessionEventDecoder.TEMPLATE_ID == headerDecoder.templateId())
                {
                    eventDecoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH,
                        headerDecoder.blockLength(), headerDecoder.version());
                    events.put(eventDecoder.correlationId(), eventDecoder.code());
                }
            }, 10);
            Thread.yield();
        }
    }
}
