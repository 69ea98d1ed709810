package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.SessionOpenEntryEncoder;
import io.raftline.engine.core.RaftEventListener;
import io.raftline.engine.core.RaftNode;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;

import java.util.SplittableRandom;

/**
 * Member 0's session layer driven by hand: the real {@link SessionIngress}, {@link SessionStateMachine} and
 * {@link RaftNode} over in-memory storage whose log holds one session's open entry (index {@link #SESSION_ID},
 * term 1, not applied yet), with an embedded media driver for the egress. Tests step the node themselves.
 */
final class HandDrivenSessions implements AutoCloseable
{
    static final long SESSION_ID = 1;

    final MediaDriver driver;
    final Aeron aeron;
    final MemberCounters counters;
    final SnapshotTaker snapshotTaker;
    final SessionStateMachine table;
    final SessionIngress sessions;
    final RaftNode node;

    /**
     * @param driverName          of the embedded media driver.
     * @param members             the cluster's members, member 0 first.
     * @param openCorrelationId   of the session's open request.
     * @param responseStreamId    the session's egress stream ({@code aeron:ipc}).
     * @param nowNs               the node's start time.
     */
    HandDrivenSessions(
        final String driverName,
        final String members,
        final long openCorrelationId,
        final int responseStreamId,
        final long nowNs)
    {
        driver = RaftMember.launchEmbeddedDriver(driverName);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final MemberContext ctx = LocalClusterIpcTest.template()
            .memberId(0)
            .members(members)
            .service(new CounterService())
            .conclude();
        final MemberStorage storage = MemberContext.inMemoryStorage(ctx);
        final ExpandableArrayBuffer entry = new ExpandableArrayBuffer(256);
        final SessionOpenEntryEncoder open = new SessionOpenEntryEncoder()
            .wrapAndApplyHeader(entry, 0, new MessageHeaderEncoder())
            .correlationId(openCorrelationId)
            .responseStreamId(responseStreamId)
            .responseChannel("aeron:ipc");
        final long index = storage.log().append(
            1, entry, 0, MessageHeaderEncoder.ENCODED_LENGTH + open.encodedLength());
        if (SESSION_ID != index)
        {
            throw new IllegalStateException("the open entry went to index " + index);
        }
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

    public void close()
    {
        sessions.close();
        CloseHelper.quietCloseAll(snapshotTaker, counters, aeron, driver);
    }
}
