package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.exceptions.RegistrationException;
import io.raftline.codecs.ClientQueryResponseEncoder;
import io.raftline.codecs.ClientRedirectEncoder;
import io.raftline.codecs.ClientResponseCode;
import io.raftline.codecs.ClientResponseEncoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.SessionEventCode;
import io.raftline.codecs.SessionEventEncoder;
import io.raftline.codecs.SessionMessageEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Sends answers to clients on their egress channels.
 * <p>
 * Each session's publication is added asynchronously (the agent never waits for the media driver); frames for a
 * session whose publication is not ready or is back-pressured wait, in order, in a bounded backlog. A frame that
 * cannot be delivered within {@link #BACKLOG_TIMEOUT_NS}, or does not fit the backlog, is dropped and counted: the
 * client's retry gets the answer again from the session's cache.
 */
final class EgressPublisher
{
    static final long BACKLOG_TIMEOUT_NS = 5_000_000_000L;
    private static final int MAX_BACKLOG_BYTES = 16 * 1024 * 1024;
    private static final int RECORD_HEADER_LENGTH = 20;

    private final Aeron aeron;
    private final MemberCounters counters;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SessionEventEncoder eventEncoder = new SessionEventEncoder();
    private final ClientResponseEncoder responseEncoder = new ClientResponseEncoder();
    private final ClientRedirectEncoder redirectEncoder = new ClientRedirectEncoder();
    private final SessionMessageEncoder messageEncoder = new SessionMessageEncoder();
    private final ClientQueryResponseEncoder queryResponseEncoder = new ClientQueryResponseEncoder();
    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(4096);
    private final ExpandableArrayBuffer backlog = new ExpandableArrayBuffer(64 * 1024);
    private Long2ObjectHashMap<ClientSession> blockedSessions = new Long2ObjectHashMap<>();
    private Long2ObjectHashMap<ClientSession> stillBlocked = new Long2ObjectHashMap<>();
    private final List<OneOff> oneOffs = new ArrayList<>();
    private int backlogLimit;
    private long nowNs;

    /**
     * A frame to a client that has no session (a refused connect): its own short-lived publication.
     */
    private static final class OneOff
    {
        final long registrationId;
        final UnsafeBuffer bytes;
        final long deadlineNs;
        ExclusivePublication publication;

        OneOff(final long registrationId, final byte[] bytes, final long deadlineNs)
        {
            this.registrationId = registrationId;
            this.bytes = new UnsafeBuffer(bytes);
            this.deadlineNs = deadlineNs;
        }
    }

    EgressPublisher(final Aeron aeron, final MemberCounters counters)
    {
        this.aeron = aeron;
        this.counters = counters;
    }

    void response(
        final ClientSession session,
        final long correlationId,
        final long logIndex,
        final ClientResponseCode code,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        responseEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(session.id)
            .correlationId(correlationId)
            .logIndex(logIndex)
            .code(code)
            .putPayload(payload, offset, length);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength());
    }

    /**
     * A message from the service to a session (not an answer to a command).
     *
     * @return false if it was dropped because the session's backlog is full; true if sent or queued in order.
     */
    boolean message(
        final ClientSession session,
        final long term,
        final long logIndex,
        final int sequence,
        final long timestamp,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        messageEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(session.id)
            .leadershipTerm(term)
            .logIndex(logIndex)
            .sequence(sequence)
            .timestamp(timestamp)
            .putPayload(payload, offset, length);
        return send(session, MessageHeaderEncoder.ENCODED_LENGTH + messageEncoder.encodedLength());
    }

    void queryResponse(
        final ClientSession session,
        final long correlationId,
        final long logIndex,
        final ClientResponseCode code,
        final int memberId,
        final int leaderId,
        final DirectBuffer payload,
        final int length)
    {
        queryResponseEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(session.id)
            .correlationId(correlationId)
            .logIndex(logIndex)
            .code(code)
            .memberId(memberId)
            .leaderMemberId(leaderId)
            .putPayload(payload, 0, length);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + queryResponseEncoder.encodedLength());
    }

    void redirect(final ClientSession session, final long correlationId, final long term, final int leaderId)
    {
        redirectEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(session.id)
            .correlationId(correlationId)
            .leadershipTerm(term)
            .leaderMemberId(leaderId);
        counters.redirects.increment();
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + redirectEncoder.encodedLength());
    }

    void sessionEvent(
        final ClientSession session,
        final long correlationId,
        final long term,
        final int leaderId,
        final SessionEventCode code,
        final String detail)
    {
        final int length = encodeEvent(session.id, correlationId, term, leaderId, code, detail);
        send(session, length);
    }

    void sessionEvent(
        final String channel,
        final int streamId,
        final long clientSessionId,
        final long correlationId,
        final long term,
        final int leaderId,
        final SessionEventCode code,
        final String detail)
    {
        final int length = encodeEvent(clientSessionId, correlationId, term, leaderId, code, detail);
        final byte[] bytes = new byte[length];
        frame.getBytes(0, bytes);
        try
        {
            oneOffs.add(new OneOff(aeron.asyncAddExclusivePublication(channel, streamId), bytes,
                nowNs + BACKLOG_TIMEOUT_NS));
        }
        catch (final RuntimeException ex)
        {
            counters.egressDropped.increment();
        }
    }

    private int encodeEvent(
        final long clientSessionId,
        final long correlationId,
        final long term,
        final int leaderId,
        final SessionEventCode code,
        final String detail)
    {
        eventEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(clientSessionId)
            .correlationId(correlationId)
            .leadershipTerm(term)
            .leaderMemberId(leaderId)
            .code(code)
            .detail(detail);
        return MessageHeaderEncoder.ENCODED_LENGTH + eventEncoder.encodedLength();
    }

    private boolean send(final ClientSession session, final int length)
    {
        if (null == session.publication)
        {
            startPublication(session);
        }
        if (!blockedSessions.containsKey(session.id) && null != session.publication && offer(session, length))
        {
            return true;
        }
        return addToBacklog(session, length);
    }

    private boolean offer(final ClientSession session, final int length)
    {
        final long result = session.publication.offer(frame, 0, length);
        if (result > 0)
        {
            counters.egressSent.increment();
            return true;
        }
        if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
        {
            CloseHelper.quietClose(session.publication);
            session.publication = null;
            session.publicationRegistrationId = ClientSession.NULL_REGISTRATION;
        }
        return false;
    }

    private void startPublication(final ClientSession session)
    {
        if (ClientSession.NULL_REGISTRATION == session.publicationRegistrationId)
        {
            try
            {
                session.publicationRegistrationId =
                    aeron.asyncAddExclusivePublication(session.responseChannel, session.responseStreamId);
            }
            catch (final RuntimeException ex)
            {
                counters.egressDropped.increment();
            }
        }
        else
        {
            pollPublication(session);
        }
    }

    private void pollPublication(final ClientSession session)
    {
        try
        {
            session.publication = aeron.getExclusivePublication(session.publicationRegistrationId);
        }
        catch (final RegistrationException ex)
        {
            // The driver refused the channel (e.g. an unresolvable host): retry from scratch later.
            session.publicationRegistrationId = ClientSession.NULL_REGISTRATION;
            counters.egressDropped.increment();
        }
    }

    private boolean addToBacklog(final ClientSession session, final int length)
    {
        if (backlogLimit + RECORD_HEADER_LENGTH + length > MAX_BACKLOG_BYTES)
        {
            counters.egressDropped.increment();
            return false;
        }
        backlog.putLong(backlogLimit, session.id);
        backlog.putLong(backlogLimit + 8, nowNs + BACKLOG_TIMEOUT_NS);
        backlog.putInt(backlogLimit + 16, length);
        backlog.putBytes(backlogLimit + RECORD_HEADER_LENGTH, frame, 0, length);
        backlogLimit += RECORD_HEADER_LENGTH + length;
        blockedSessions.put(session.id, session);
        return true;
    }

    int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = 0;
        if (backlogLimit > 0)
        {
            work += drainBacklog(nowNs);
        }
        if (!oneOffs.isEmpty())
        {
            work += drainOneOffs(nowNs);
        }
        return work;
    }

    private int drainBacklog(final long nowNs)
    {
        int work = 0;
        int readOffset = 0;
        int writeOffset = 0;
        stillBlocked.clear();
        while (readOffset < backlogLimit)
        {
            final long sessionId = backlog.getLong(readOffset);
            final long deadlineNs = backlog.getLong(readOffset + 8);
            final int length = backlog.getInt(readOffset + 16);
            final int recordLength = RECORD_HEADER_LENGTH + length;
            final ClientSession session = blockedSessions.get(sessionId);
            boolean isDone = false;
            if (null == session || nowNs > deadlineNs)
            {
                counters.egressDropped.increment();
                isDone = true;
            }
            else if (!stillBlocked.containsKey(sessionId))
            {
                if (null == session.publication)
                {
                    startPublication(session);
                }
                if (null != session.publication)
                {
                    frame.putBytes(0, backlog, readOffset + RECORD_HEADER_LENGTH, length);
                    isDone = offer(session, length);
                }
            }
            if (isDone)
            {
                work++;
            }
            else
            {
                if (writeOffset != readOffset)
                {
                    backlog.putBytes(writeOffset, backlog, readOffset, recordLength);
                }
                writeOffset += recordLength;
                // This session's later frames stay behind this one.
                stillBlocked.put(sessionId, session);
            }
            readOffset += recordLength;
        }
        backlogLimit = writeOffset;
        final Long2ObjectHashMap<ClientSession> swap = blockedSessions;
        blockedSessions = stillBlocked;
        stillBlocked = swap;
        return work;
    }

    private int drainOneOffs(final long nowNs)
    {
        int work = 0;
        final Iterator<OneOff> iterator = oneOffs.iterator();
        while (iterator.hasNext())
        {
            final OneOff oneOff = iterator.next();
            try
            {
                if (null == oneOff.publication)
                {
                    oneOff.publication = aeron.getExclusivePublication(oneOff.registrationId);
                }
                if (null != oneOff.publication && oneOff.publication.offer(oneOff.bytes) > 0)
                {
                    counters.egressSent.increment();
                    // A closed publication lingers in the driver until its data is sent, so close at once.
                    CloseHelper.quietClose(oneOff.publication);
                    iterator.remove();
                    work++;
                    continue;
                }
            }
            catch (final RegistrationException ex)
            {
                counters.egressDropped.increment();
                iterator.remove();
                continue;
            }
            if (nowNs > oneOff.deadlineNs)
            {
                counters.egressDropped.increment();
                CloseHelper.quietClose(oneOff.publication);
                iterator.remove();
            }
        }
        return work;
    }

    void close(final ClientSession session)
    {
        blockedSessions.remove(session.id);
        if (null != session.publication)
        {
            CloseHelper.quietClose(session.publication);
            session.publication = null;
        }
        else if (ClientSession.NULL_REGISTRATION != session.publicationRegistrationId)
        {
            aeron.asyncRemovePublication(session.publicationRegistrationId);
        }
        session.publicationRegistrationId = ClientSession.NULL_REGISTRATION;
    }

    void close()
    {
        for (final OneOff oneOff : oneOffs)
        {
            CloseHelper.quietClose(oneOff.publication);
        }
        oneOffs.clear();
    }
}
