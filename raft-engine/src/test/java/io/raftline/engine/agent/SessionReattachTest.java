package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.SessionEventCode;
import io.raftline.codecs.SessionEventDecoder;
import io.raftline.codecs.SessionOpenEntryEncoder;
import io.raftline.engine.core.RaftEventListener;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

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
    private static final long SESSION_ID = 1;
    private static final long OPEN_CORRELATION_ID = 5;
    private static final long REATTACH_CORRELATION_ID = 6;

    private final Long2ObjectHashMap<SessionEventCode> events = new Long2ObjectHashMap<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SessionEventDecoder eventDecoder = new SessionEventDecoder();
    private MediaDriver driver;
    private Aeron aeron;
    private Subscription egress;
    private MemberCounters counters;
    private SnapshotTaker snapshotTaker;
    private SessionStateMachine table;
    private SessionIngress sessions;
    private RaftNode node;
    private long nowNs = 1_000_000_000L;

    @BeforeEach
    void start()
    {
        driver = RaftMember.launchEmbeddedDriver("raftline-reattach-test");
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        egress = aeron.addSubscription("aeron:ipc", EGRESS_STREAM);
        final MemberContext ctx = LocalClusterIpcTest.template()
            .memberId(0)
            .members("0")
            .service(new CounterService())
            .conclude();
        final MemberStorage storage = MemberContext.inMemoryStorage(ctx);
        // The session was opened (and committed) in term 1, under the previous leader.
        final ExpandableArrayBuffer entry = new ExpandableArrayBuffer(256);
        final SessionOpenEntryEncoder open = new SessionOpenEntryEncoder()
            .wrapAndApplyHeader(entry, 0, new MessageHeaderEncoder())
            .correlationId(OPEN_CORRELATION_ID)
            .responseStreamId(EGRESS_STREAM)
            .responseChannel("aeron:ipc");
        assertEquals(SESSION_ID, storage.log().append(1, entry, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + open.encodedLength()));
        storage.metadata().update(1, RaftNode.NO_MEMBER);

        counters = new MemberCounters(aeron, 0);
        snapshotTaker = new SnapshotTaker(storage.snapshots(), Throwable::printStackTrace, 0);
        final EgressPublisher egressPublisher = new EgressPublisher(aeron, counters);
        table = new SessionStateMachine(ctx, counters, egressPublisher, snapshotTaker);
        sessions = new SessionIngress(ctx, counters, egressPublisher, table);
        node = new RaftNode(ctx.raftConfig(), storage.log(), storage.metadata(), storage.snapshots(), new NoOutbox(),
            table, new SplittableRandom(1), RaftEventListener.NO_OP, sessions, nowNs);
        table.node(node);
        sessions.node(node);
    }

    @AfterEach
    void stop()
    {
        if (null != sessions)
        {
            sessions.close();
        }
        CloseHelper.quietClose(snapshotTaker);
        CloseHelper.quietCloseAll(counters, egress, aeron, driver);
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
        // A one-member cluster elects itself at its first timeout and appends the noop of term 2; nothing commits
        // until the driver reports the log synced.
        final long deadlineNs = nowNs + 10_000_000_000L;
        while (RaftRole.LEADER != node.role() && nowNs < deadlineNs)
        {
            nowNs += 10_000_000L;
            node.doWork(nowNs);
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
