package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.raftline.codecs.ClientRequestDecoder;
import io.raftline.codecs.ClientResponseCode;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.SessionCloseEntryDecoder;
import io.raftline.codecs.SessionCloseEntryEncoder;
import io.raftline.codecs.SessionCloseReason;
import io.raftline.codecs.SessionEventCode;
import io.raftline.codecs.SessionOpenEntryDecoder;
import io.raftline.codecs.SessionOpenEntryEncoder;
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
 * Client sessions and the replicated session table: exactly-once application of commands.
 * <p>
 * Opening and closing a session are log entries, so every member holds the same table and a new leader knows every
 * session. A command is applied only if its correlation id is the session's next one; a retried command (id not
 * above the last applied) is answered from the session's cache of recent answers without being applied again; a
 * command that skips ahead is refused so the client resends in order. Only the leader answers clients.
 */
final class SessionManager implements StateMachine
{
    /**
     * First word of the engine's section of a snapshot ("RLSN").
     */
    static final int SNAPSHOT_MAGIC = 0x524C534E;
    static final int SNAPSHOT_VERSION = 1;

    private final MemberContext ctx;
    private final RaftService service;
    private final MemberCounters counters;
    private final EgressPublisher egress;
    private final Long2ObjectHashMap<ClientSession> sessions = new Long2ObjectHashMap<>();
    private final List<ClientSession> sessionList = new ArrayList<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ClientRequestDecoder requestDecoder = new ClientRequestDecoder();
    private final SessionOpenEntryDecoder openDecoder = new SessionOpenEntryDecoder();
    private final SessionCloseEntryDecoder closeDecoder = new SessionCloseEntryDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SessionOpenEntryEncoder openEncoder = new SessionOpenEntryEncoder();
    private final SessionCloseEntryEncoder closeEncoder = new SessionCloseEntryEncoder();
    private final ExpandableArrayBuffer entryBuffer = new ExpandableArrayBuffer(1024);
    private final ExpandableArrayBuffer responseBuffer = new ExpandableArrayBuffer(1024);
    private final ExpandableArrayBuffer snapshotBuffer = new ExpandableArrayBuffer(4096);
    private final SnapshotTaker snapshotTaker;
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private RaftNode node;
    private int pendingOpens;
    private long nowNs;

    SessionManager(final MemberContext ctx, final Aeron aeron, final MemberCounters counters,
        final SnapshotTaker snapshotTaker)
    {
        this.ctx = ctx;
        this.snapshotTaker = snapshotTaker;
        this.service = ctx.service();
        this.counters = counters;
        this.egress = new EgressPublisher(aeron, counters);
    }

    void node(final RaftNode node)
    {
        this.node = node;
    }

    int sessionCount()
    {
        return sessions.size();
    }

    // ------------------------------------------------------------------------------------------------ ingress

    void onSessionConnect(
        final long correlationId,
        final long clientSessionId,
        final int responseStreamId,
        final String responseChannel,
        final byte[] credentials,
        final long nowNs)
    {
        if (RaftRole.LEADER != node.role())
        {
            // Clients send SessionConnect to every member; only the leader answers.
            return;
        }
        if (0 != clientSessionId)
        {
            final ClientSession session = sessions.get(clientSessionId);
            if (null == session || session.isClosing)
            {
                egress.sessionEvent(responseChannel, responseStreamId, clientSessionId, correlationId,
                    node.currentTerm(), ctx.memberId(), SessionEventCode.CLOSED, "unknown session " + clientSessionId);
                return;
            }
            session.lastActivityNs = nowNs;
            egress.sessionEvent(session, correlationId, node.currentTerm(), ctx.memberId(), SessionEventCode.OPEN, "");
            return;
        }
        final String refusal = ctx.authenticator().authenticate(credentials);
        if (null != refusal)
        {
            counters.sessionsRejected.increment();
            egress.sessionEvent(responseChannel, responseStreamId, 0, correlationId, node.currentTerm(),
                ctx.memberId(), SessionEventCode.REJECTED, refusal);
            return;
        }
        if (sessions.size() + pendingOpens >= ctx.maxSessions())
        {
            counters.sessionsRejected.increment();
            egress.sessionEvent(responseChannel, responseStreamId, 0, correlationId, node.currentTerm(),
                ctx.memberId(), SessionEventCode.REJECTED, "too many sessions: maxSessions=" + ctx.maxSessions());
            return;
        }
        openEncoder.wrapAndApplyHeader(entryBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .responseStreamId(responseStreamId)
            .responseChannel(responseChannel);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + openEncoder.encodedLength();
        final long index = node.propose(entryBuffer, 0, length);
        if (index > 0)
        {
            pendingOpens++;
        }
    }

    void onClientRequest(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long clientSessionId,
        final long correlationId,
        final long nowNs)
    {
        final ClientSession session = sessions.get(clientSessionId);
        if (null == session)
        {
            counters.unknownSessionRequests.increment();
            return;
        }
        session.lastActivityNs = nowNs;
        if (RaftRole.LEADER != node.role())
        {
            egress.redirect(session, correlationId, node.currentTerm(), node.leaderId());
            return;
        }
        if (session.isClosing)
        {
            egress.response(session, correlationId, 0, ClientResponseCode.REJECTED, responseBuffer, 0, 0);
            return;
        }
        final long index = node.propose(buffer, offset, length);
        if (index < 0)
        {
            if (RaftNode.ENTRY_TOO_LARGE == index)
            {
                egress.response(session, correlationId, 0, ClientResponseCode.REJECTED, responseBuffer, 0, 0);
            }
            else
            {
                egress.redirect(session, correlationId, node.currentTerm(), node.leaderId());
            }
        }
    }

    void onKeepAlive(final long clientSessionId, final long nowNs)
    {
        final ClientSession session = sessions.get(clientSessionId);
        if (null != session)
        {
            session.lastActivityNs = nowNs;
        }
        else
        {
            counters.unknownSessionRequests.increment();
        }
    }

    void onSessionClose(final long clientSessionId, final long nowNs)
    {
        final ClientSession session = sessions.get(clientSessionId);
        if (null == session)
        {
            counters.unknownSessionRequests.increment();
        }
        else if (!session.isClosing && RaftRole.LEADER == node.role())
        {
            proposeClose(session, SessionCloseReason.CLIENT_CLOSED, nowNs);
        }
    }

    // ------------------------------------------------------------------------------------------------ apply

    /**
     * Apply a committed entry: a client's command, a session opening or closing, or a leader's no-op.
     */
    public void onApply(final long index, final long term, final DirectBuffer buffer, final int offset,
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
                applyClose(closeDecoder.clientSessionId());
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
        final int responseLength = service.onApply(index, term, payloadView, 0, payloadLength, responseBuffer);
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
        service.onSessionOpen(index);
        if (RaftRole.LEADER == node.role())
        {
            pendingOpens = Math.max(0, pendingOpens - 1);
            egress.sessionEvent(session, correlationId, node.currentTerm(), ctx.memberId(), SessionEventCode.OPEN, "");
        }
    }

    private void applyClose(final long clientSessionId)
    {
        final ClientSession session = sessions.remove(clientSessionId);
        if (null == session)
        {
            return;
        }
        sessionList.remove(session);
        service.onSessionClose(clientSessionId);
        if (RaftRole.LEADER == node.role())
        {
            egress.sessionEvent(session, 0, node.currentTerm(), ctx.memberId(), SessionEventCode.CLOSED, "closed");
        }
        egress.close(session);
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    /**
     * Capture the replicated state: the session table (encoded now, on the agent thread; it is small) and the
     * service's view; the bytes go to disk on the snapshot thread.
     * <pre>
     *   int magic "RLSN", int version, long index, int sessionCount,
     *   sessionCount x { long id, long lastCorrelationId, int responseStreamId, ascii responseChannel,
     *                    int cacheSlots, cacheSlots x { long correlationId, int length, length bytes } },
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
        final byte[] engineSection = new byte[position];
        snapshotBuffer.getBytes(0, engineSection);
        snapshotTaker.submit(index, term, engineSection, source);
        return true;
    }

    public void restoreSnapshot(final SnapshotMetadata metadata, final SnapshotReader reader)
    {
        final SnapshotCursor cursor = new SnapshotCursor(reader);
        final int magic = cursor.readInt();
        final int version = cursor.readInt();
        final long index = cursor.readLong();
        if (SNAPSHOT_MAGIC != magic || SNAPSHOT_VERSION != version || index != metadata.index())
        {
            throw new IllegalStateException("snapshot at index " + metadata.index() + " is not a Raftline " +
                "snapshot of version " + SNAPSHOT_VERSION + ": magic=" + Integer.toHexString(magic) +
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
        service.loadSnapshot(index, cursor);
    }

    // ------------------------------------------------------------------------------------------------ duty cycle

    /**
     * This member just became leader: tell every client, and give every session a fresh timeout.
     */
    void onBecomeLeader(final long nowNs)
    {
        pendingOpens = 0;
        for (final ClientSession session : sessionList)
        {
            session.lastActivityNs = nowNs;
            session.isClosing = false;
            egress.sessionEvent(session, 0, node.currentTerm(), ctx.memberId(), SessionEventCode.REDIRECT, "");
        }
    }

    void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        return egress.doWork(nowNs);
    }

    /**
     * Housekeeping on the slow tick: the leader closes sessions that went silent.
     */
    int slowTick(final long nowNs)
    {
        if (RaftRole.LEADER != node.role())
        {
            return 0;
        }
        int work = 0;
        final long timeoutNs = ctx.sessionTimeoutNs();
        for (int i = 0, size = sessionList.size(); i < size; i++)
        {
            final ClientSession session = sessionList.get(i);
            if (!session.isClosing && nowNs - session.lastActivityNs > timeoutNs)
            {
                proposeClose(session, SessionCloseReason.TIMED_OUT, nowNs);
                work++;
            }
        }
        return work;
    }

    void close()
    {
        for (final ClientSession session : sessionList)
        {
            egress.close(session);
        }
        egress.close();
    }


    private void proposeClose(final ClientSession session, final SessionCloseReason reason, final long nowNs)
    {
        closeEncoder.wrapAndApplyHeader(entryBuffer, 0, headerEncoder)
            .clientSessionId(session.id)
            .reason(reason);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + closeEncoder.encodedLength();
        if (node.propose(entryBuffer, 0, length) > 0)
        {
            session.isClosing = true;
        }
    }
}
