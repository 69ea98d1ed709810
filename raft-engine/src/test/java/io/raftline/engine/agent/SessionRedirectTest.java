package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.SessionOpenEntryEncoder;
import io.raftline.engine.core.EntryBatch;
import io.raftline.engine.core.RaftEventListener;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A follower that receives a burst of a session's commands answers with one redirect per duty cycle, not one per
 * command: each redirect used to make the client resend everything outstanding.
 */
@Timeout(60)
class SessionRedirectTest
{
    private static final long SESSION_ID = 1;

    private MediaDriver driver;
    private Aeron aeron;
    private MemberCounters counters;
    private SnapshotTaker snapshotTaker;
    private SessionStateMachine table;
    private SessionIngress sessions;
    private RaftNode node;
    private final long nowNs = 1_000_000_000L;

    @BeforeEach
    void start()
    {
        driver = RaftMember.launchEmbeddedDriver("raftline-redirect-test");
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final MemberContext ctx = LocalClusterIpcTest.template()
            .memberId(0)
            .members("0,1,2")
            .service(new CounterService())
            .conclude();
        final MemberStorage storage = MemberContext.inMemoryStorage(ctx);
        final ExpandableArrayBuffer entry = new ExpandableArrayBuffer(256);
        final SessionOpenEntryEncoder open = new SessionOpenEntryEncoder()
            .wrapAndApplyHeader(entry, 0, new MessageHeaderEncoder())
            .correlationId(1)
            .responseStreamId(42_001)
            .responseChannel("aeron:ipc");
        assertEquals(SESSION_ID, storage.log().append(1, entry, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + open.encodedLength()));
        storage.metadata().update(1, RaftNode.NO_MEMBER);
        counters = new MemberCounters(aeron, 0);
        snapshotTaker = new SnapshotTaker(storage.snapshots(), Throwable::printStackTrace, 0);
        final EgressPublisher egress = new EgressPublisher(aeron, counters);
        table = new SessionStateMachine(ctx, counters, egress, snapshotTaker);
        sessions = new SessionIngress(ctx, counters, egress, table);
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
        CloseHelper.quietCloseAll(snapshotTaker, counters, aeron, driver);
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
