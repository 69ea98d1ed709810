package io.raftline.engine.agent;

import io.raftline.codecs.ClientRequestDecoder;
import io.raftline.codecs.ClientResponseCode;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.SessionCloseEntryDecoder;
import io.raftline.codecs.SessionCloseReason;
import io.raftline.codecs.SessionEventCode;
import io.raftline.codecs.SessionOpenEntryDecoder;
import io.raftline.codecs.TimerEntryDecoder;
import io.raftline.engine.CloseReason;
import io.raftline.engine.RaftService;
import io.raftline.engine.SnapshotSource;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import io.raftline.engine.core.RaftSafetyException;
import io.raftline.engine.core.StateMachine;
import io.raftline.log.SnapshotMetadata;
import io.raftline.log.SnapshotReader;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The replicated session table and exactly-once application of commands: what every member computes alike from the
 * committed log (and its snapshot section).
 * <p>
 * Opening and closing a session are log entries, so every member holds the same table and a new leader knows every
 * session it has applied. A command is applied only if its correlation id is the session's next one; a retried
 * command (id not above the last applied) is answered from the session's cache of recent answers without being
 * applied again; a command that skips ahead is refused so the client resends in order. Only the leader answers
 * clients. The leader's ingress side ({@link SessionIngress}) reads the table; only applying entries changes it.
 */
final class SessionStateMachine implements StateMachine
{
    /**
     * First word of the engine's section of a snapshot ("RLSN").
     */
    static final int SNAPSHOT_MAGIC = 0x524C534E;
    static final int SNAPSHOT_VERSION = 2;
    // Version 1: magic, version, index, sessions, the service's bytes. Version 2 puts tagged blocks between the
    // sessions and the service's bytes: { int tag, int length, length bytes } each, then a tag 0; a reader skips a
    // block whose tag it does not know.
    private static final int SNAPSHOT_VERSION_WITHOUT_BLOCKS = 1;
    private static final int END_OF_BLOCKS = 0;

    private final MemberContext ctx;
    private final RaftService service;
    private final MemberCounters counters;
    private final EgressPublisher egress;
    private final SnapshotTaker snapshotTaker;
    private final Long2ObjectHashMap<ClientSession> sessions = new Long2ObjectHashMap<>();
    private final List<ClientSession> sessionList = new ArrayList<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ClientRequestDecoder requestDecoder = new ClientRequestDecoder();
    private final SessionOpenEntryDecoder openDecoder = new SessionOpenEntryDecoder();
    private final SessionCloseEntryDecoder closeDecoder = new SessionCloseEntryDecoder();
    private final TimerEntryDecoder timerDecoder = new TimerEntryDecoder();
    private final ServiceCluster cluster;
    private final ExpandableArrayBuffer responseBuffer = new ExpandableArrayBuffer(1024);
    private final ExpandableArrayBuffer snapshotBuffer = new ExpandableArrayBuffer(4096);
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private RaftNode node;
    // Leader-local: session openings proposed and not yet applied, so admission counts them against maxSessions.
    private int pendingOpens;
    private long nowNs;

    SessionStateMachine(final MemberContext ctx, final MemberCounters counters, final EgressPublisher egress,
        final SnapshotTaker snapshotTaker)
    {
        this.ctx = ctx;
        this.service = ctx.service();
        this.counters = counters;
        this.egress = egress;
        this.snapshotTaker = snapshotTaker;
        this.cluster = new ServiceCluster(ctx, counters, egress, this);
    }

    void node(final RaftNode node)
    {
        this.node = node;
        cluster.node(node);
    }

    /**
     * @return the service's cluster: time, timers, egress, role events.
     */
    ServiceCluster cluster()
    {
        return cluster;
    }

    /**
     * A leader's role change reaches the service.
     */
    void onRoleChange(final RaftRole to)
    {
        cluster.onRoleChange(to);
    }

    public long restoredTimestamp()
    {
        return cluster.time();
    }

    void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    ClientSession session(final long clientSessionId)
    {
        return sessions.get(clientSessionId);
    }

    /**
     * @return the open sessions, in opening order; read only.
     */
    List<ClientSession> sessions()
    {
        return sessionList;
    }

    int sessionCount()
    {
        return sessions.size();
    }

    /**
     * @return sessions open, plus those this leader proposed to open and has not applied yet.
     */
    int openAndOpening()
    {
        return sessions.size() + pendingOpens;
    }

    void onOpenProposed()
    {
        pendingOpens++;
    }

    /**
     * A new leader forgets the openings it did not propose itself.
     */
    void onBecomeLeader()
    {
        pendingOpens = 0;
    }

    public void onApply(final long index, final long term, final DirectBuffer buffer, final int offset,
        final int length)
    {
        onApply(index, term, 0, buffer, offset, length);
    }

    /**
     * Apply a committed entry at its cluster time: a client's command, a session opening or closing, a timer, or a
     * leader's no-op.
     */
    public void onApply(final long index, final long term, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length)
    {
        cluster.beginEntry(index, timestamp);
        try
        {
            applyEntry(index, term, buffer, offset, length);
        }
        finally
        {
            cluster.endEntry();
        }
    }

    private void applyEntry(final long index, final long term, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (0 == length)
        {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId())
        {
            throw new RaftSafetyException("committed entry " + index + " has schema id " + headerDecoder.schemaId());
        }
        switch (headerDecoder.templateId())
        {
            case ClientRequestDecoder.TEMPLATE_ID:
                requestDecoder.wrap(buffer, bodyOffset, blockLength, version);
                applyCommand(index, term, requestDecoder);
                break;

            case SessionOpenEntryDecoder.TEMPLATE_ID:
                openDecoder.wrap(buffer, bodyOffset, blockLength, version);
                applyOpen(index, openDecoder);
                break;

            case SessionCloseEntryDecoder.TEMPLATE_ID:
                closeDecoder.wrap(buffer, bodyOffset, blockLength, version);
                applyClose(closeDecoder.clientSessionId(), closeReason(closeDecoder.reasonRaw()));
                break;

            case TimerEntryDecoder.TEMPLATE_ID:
                timerDecoder.wrap(buffer, bodyOffset, blockLength, version);
                cluster.onTimerEntry(timerDecoder.correlationId(), timerDecoder.deadline());
                break;

            default:
                throw new RaftSafetyException("committed entry " + index + " has unknown template id " +
                    headerDecoder.templateId());
        }
    }

    private void applyCommand(final long index, final long term, final ClientRequestDecoder request)
    {
        final long clientSessionId = request.clientSessionId();
        final long correlationId = request.correlationId();
        final ClientSession session = sessions.get(clientSessionId);
        final boolean isLeader = RaftRole.LEADER == node.role();
        if (null == session)
        {
            request.skipPayload();
            counters.unknownSessionRequests.increment();
            return;
        }
        if (correlationId <= session.lastCorrelationId)
        {
            request.skipPayload();
            counters.duplicateCommands.increment();
            if (isLeader)
            {
                final int cached = session.cachedResponse(correlationId, responseBuffer);
                egress.response(session, correlationId, index, ClientResponseCode.DUPLICATE, responseBuffer, 0,
                    Math.max(0, cached));
            }
            return;
        }
        if (correlationId != session.lastCorrelationId + 1)
        {
            request.skipPayload();
            if (isLeader)
            {
                egress.response(session, correlationId, index, ClientResponseCode.SEQUENCE_GAP, responseBuffer, 0, 0);
            }
            return;
        }
        final int payloadLength = request.payloadLength();
        request.wrapPayload(payloadView);
        cluster.commandOf(clientSessionId);
        final int responseLength =
            service.onApply(index, term, cluster.time(), payloadView, 0, payloadLength, responseBuffer);
        session.lastCorrelationId = correlationId;
        session.cacheResponse(correlationId, responseBuffer, 0, responseLength);
        if (isLeader)
        {
            egress.response(session, correlationId, index, ClientResponseCode.OK, responseBuffer, 0, responseLength);
        }
    }

    private void applyOpen(final long index, final SessionOpenEntryDecoder open)
    {
        final long correlationId = open.correlationId();
        final int responseStreamId = open.responseStreamId();
        final String responseChannel = open.responseChannel();
        final ClientSession session = new ClientSession(
            index, responseChannel, responseStreamId, ctx.responseCacheEntries(), ctx.responseCacheLength());
        session.lastActivityNs = nowNs;
        sessions.put(index, session);
        sessionList.add(session);
        service.onSessionOpen(index, cluster.time());
        if (RaftRole.LEADER == node.role())
        {
            pendingOpens = Math.max(0, pendingOpens - 1);
            egress.sessionEvent(session, correlationId, node.currentTerm(), ctx.memberId(), SessionEventCode.OPEN, "");
        }
    }

    private static CloseReason closeReason(final short raw)
    {
        return SessionCloseReason.TIMED_OUT.value() == raw ? CloseReason.TIMED_OUT :
            SessionCloseReason.EVICTED.value() == raw ? CloseReason.EVICTED : CloseReason.CLIENT_CLOSED;
    }

    private void applyClose(final long clientSessionId, final CloseReason reason)
    {
        final ClientSession session = sessions.remove(clientSessionId);
        if (null == session)
        {
            return;
        }
        sessionList.remove(session);
        cluster.onSessionClosed(clientSessionId);
        service.onSessionClose(clientSessionId, cluster.time(), reason);
        if (RaftRole.LEADER == node.role())
        {
            egress.sessionEvent(session, 0, node.currentTerm(), ctx.memberId(), SessionEventCode.CLOSED, "closed");
        }
        egress.close(session);
    }

    /**
     * Capture the replicated state: the session table (encoded now, on the agent thread; it is small) and the
     * service's view; the bytes go to disk on the snapshot thread.
     * <pre>
     *   int magic "RLSN", int version (2), long index, int sessionCount,
     *   sessionCount x { long id, long lastCorrelationId, int responseStreamId, ascii responseChannel,
     *                    int cacheSlots, cacheSlots x { long correlationId, int length, length bytes } },
     *   blocks { int tag, int length, length bytes } (the service cluster's "RLTM": time, timers), int 0,
     *   the service's bytes to the end (little-endian throughout)
     * </pre>
     */
    public boolean takeSnapshot(final long index, final long term)
    {
        final SnapshotSource source = service.takeSnapshot(index);
        if (null == source)
        {
            return false;
        }
        snapshotBuffer.putInt(0, SNAPSHOT_MAGIC);
        snapshotBuffer.putInt(4, SNAPSHOT_VERSION);
        snapshotBuffer.putLong(8, index);
        snapshotBuffer.putInt(16, sessionList.size());
        int position = 20;
        for (final ClientSession session : sessionList)
        {
            position = session.encode(snapshotBuffer, position);
        }
        position = cluster.encodeSnapshotBlock(snapshotBuffer, position);
        snapshotBuffer.putInt(position, END_OF_BLOCKS);
        position += 4;
        final byte[] engineSection = new byte[position];
        snapshotBuffer.getBytes(0, engineSection);
        snapshotTaker.submit(index, term, engineSection, source);
        return true;
    }

    public void restoreSnapshot(final SnapshotMetadata metadata, final SnapshotReader reader)
    {
        if (null != counters) // the engine section's unit tests restore without a member's counters
        {
            counters.snapshotsLoaded.increment();
        }
        final SnapshotCursor cursor = new SnapshotCursor(reader);
        final int magic = cursor.readInt();
        final int version = cursor.readInt();
        final long index = cursor.readLong();
        if (SNAPSHOT_MAGIC != magic || version < SNAPSHOT_VERSION_WITHOUT_BLOCKS || version > SNAPSHOT_VERSION ||
            index != metadata.index())
        {
            throw new IllegalStateException("snapshot at index " + metadata.index() + " is not a Raftline " +
                "snapshot of version 1 to " + SNAPSHOT_VERSION + ": magic=" + Integer.toHexString(magic) +
                " version=" + version + " index=" + index);
        }
        for (final ClientSession session : sessionList)
        {
            egress.close(session);
        }
        sessions.clear();
        sessionList.clear();
        final int count = cursor.readInt();
        for (int i = 0; i < count; i++)
        {
            final ClientSession session =
                ClientSession.decode(cursor, ctx.responseCacheEntries(), ctx.responseCacheLength());
            session.lastActivityNs = nowNs;
            sessions.put(session.id, session);
            sessionList.add(session);
        }
        cluster.resetForSnapshot();
        if (version > SNAPSHOT_VERSION_WITHOUT_BLOCKS)
        {
            readBlocks(cursor, index);
        }
        service.loadSnapshot(index, cursor);
    }

    private void readBlocks(final SnapshotCursor cursor, final long index)
    {
        for (int tag = cursor.readInt(); END_OF_BLOCKS != tag; tag = cursor.readInt())
        {
            final int length = cursor.readInt();
            if (length < 0 || length > cursor.remaining())
            {
                throw new IllegalStateException("snapshot at index " + index + " has a block " +
                    Integer.toHexString(tag) + " of length " + length + " beyond its end");
            }
            if (ServiceCluster.SNAPSHOT_BLOCK_TAG == tag)
            {
                cluster.decodeSnapshotBlock(cursor, index);
            }
            else
            {
                cursor.readBytes(length);
            }
        }
    }

    /**
     * Release every session's egress publication (the member is closing).
     */
    void close()
    {
        for (final ClientSession session : sessionList)
        {
            egress.close(session);
        }
    }
}
