package io.raftline.engine.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.raftline.codecs.ClientRequestEncoder;
import io.raftline.codecs.ClientResponseCode;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.SessionCloseEncoder;
import io.raftline.codecs.SessionConnectEncoder;
import io.raftline.codecs.SessionEventCode;
import io.raftline.codecs.SessionKeepAliveEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * A client of a Raftline cluster: opens a session, submits commands and receives their answers, exactly once.
 * <p>
 * Use from one thread: {@link #offer} submits a command and returns its correlation id at once; {@link #poll}
 * receives answers (through the {@link ResponseListener}), follows the leader when it changes, resends unanswered
 * commands in order, and times them out. At most {@code maxInflight} commands are outstanding: beyond that
 * {@link #offer} returns {@link #BACK_PRESSURED}, so the caller never builds an unbounded queue.
 * <p>
 * Exactly once: each command carries the session's next correlation id; the cluster applies a correlation id once
 * and answers a resent one from its cache. If no member answers within the command timeout, the unanswered
 * commands are reported {@link ResponseListener#TIMED_OUT} (their outcome is unknown: they may still apply) and
 * the client opens a fresh session.
 */
public final class RaftClient implements AutoCloseable
{
    /**
     * {@link #offer} result: no session is open (the client is finding the leader); poll and try again. The same
     * value as Aeron's {@link Publication#NOT_CONNECTED}.
     */
    public static final long NOT_CONNECTED = Publication.NOT_CONNECTED;

    /**
     * {@link #offer} result: {@code maxInflight} commands are outstanding, or the leader's ingress is full; poll and
     * try again. The same value as Aeron's {@link Publication#BACK_PRESSURED}.
     */
    public static final long BACK_PRESSURED = Publication.BACK_PRESSURED;

    /**
     * {@link #offer} result: the command is longer than {@code maxCommandLength}.
     */
    public static final long TOO_LARGE = -3;

    /**
     * {@link #offer} result: the client is closed.
     */
    public static final long CLOSED = -4;

    /**
     * Queries' correlation ids start here, apart from commands': {@code id >= QUERY_ID_BASE} tells a query's answer.
     */
    public static final long QUERY_ID_BASE = 1L << 62;

    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    private final ClientContext ctx;
    private final Aeron aeron;
    private final boolean ownsAeron;
    private final AgentInvoker conductorInvoker;
    private final AgentInvoker driverInvoker;
    // Grow when the cluster names members this client was not started with (ClusterMembersEvent).
    private ExclusivePublication[] ingress;
    private int[] memberIds;
    private final Subscription egress;
    private final String responseChannel;
    private final FragmentAssembler assembler;
    private final ResponseListener listener;
    private QueryWindow queries;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ClientRequestEncoder requestEncoder = new ClientRequestEncoder();
    private final SessionConnectEncoder connectEncoder = new SessionConnectEncoder();
    private final SessionKeepAliveEncoder keepAliveEncoder = new SessionKeepAliveEncoder();
    private final SessionCloseEncoder closeEncoder = new SessionCloseEncoder();
    private final ExpandableArrayBuffer controlBuffer = new ExpandableArrayBuffer(512);
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private final byte[] credentials;
    private final EgressDecoder decoder;

    // In-flight commands: a ring indexed by correlation id, each slot holding the encoded request frame.
    private final ExpandableArrayBuffer[] frames;
    private final int[] frameLengths;
    private final long[] sentNs;
    private final int maxInflight;
    private long firstUnanswered = 1;
    private long lastCorrelationId;

    private long sessionId;
    private int leaderIndex = -1;
    // The leadership followed: a redirect or event naming the same leader in the same term changes nothing.
    private long leaderTerm = -1;
    // The last leader known, kept across a lost session so that a change is counted only when the leader changes.
    private int lastKnownLeaderIndex = -1;
    // A resend in progress sends [resendCursor, lastCorrelationId], a bounded run per poll; commands offered
    // meanwhile queue behind it, so the leader sees them in order.
    private boolean isResending;
    private long resendCursor;
    // A SEQUENCE_GAP triggers at most one resend until the next answer: the answers to the other frames sent
    // before that resend were decided in the log before it and say nothing new.
    private boolean isGapResendArmed = true;
    private long reattachCorrelationId = -1;
    private long connectCorrelationId;
    private long lastConnectAttemptNs;
    private long lastSendNs;
    private long lastProgressNs;
    private long connectStartedNs;
    private boolean isClosed;
    private String lastRejection;
    private long sessionsOpened;
    private long leaderChanges;
    private long resends;

    private RaftClient(final ClientContext ctx)
    {
        this.ctx = ctx.conclude();
        this.listener = ctx.listener();
        this.credentials = ctx.credentials();
        this.maxInflight = ctx.maxInflight();
        this.frames = new ExpandableArrayBuffer[maxInflight];
        this.frameLengths = new int[maxInflight];
        this.sentNs = new long[maxInflight];
        if (null != ctx.aeron())
        {
            aeron = ctx.aeron();
            ownsAeron = false;
        }
        else
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName())
                .clientName("raftline-client"));
            ownsAeron = true;
        }
        conductorInvoker = aeron.conductorAgentInvoker();
        driverInvoker = aeron.context().driverAgentInvoker();
        try
        {
            memberIds = ctx.clusterMembers().ids();
            ingress = new ExclusivePublication[memberIds.length];
            for (int i = 0; i < memberIds.length; i++)
            {
                ingress[i] = aeron.addExclusivePublication(ctx.clusterMembers().channel(memberIds[i]),
                    ctx.ingressStreamBase() + memberIds[i]);
            }
            egress = aeron.addSubscription(ctx.egressChannel(), ctx.egressStreamId());
            responseChannel = EgressRoute.resolveResponseChannel(ctx, egress);
            decoder = new EgressDecoder(this, listener, payloadView);
            assembler = new FragmentAssembler(decoder, 4096, true);
            queries = new QueryWindow(this.ctx, listener, ingress, memberIds);
        }
        catch (final RuntimeException ex)
        {
            closeResources();
            throw ex;
        }
    }

    /**
     * Connect and open a session, waiting up to the context's connect timeout.
     *
     * @param ctx of the client.
     * @return the connected client.
     * @throws ClientException if the cluster refused the session or no leader answered in time.
     */
    public static RaftClient connect(final ClientContext ctx)
    {
        final RaftClient client = new RaftClient(ctx);
        try
        {
            client.awaitSession();
            return client;
        }
        catch (final RuntimeException ex)
        {
            client.close();
            throw ex;
        }
    }

    private void awaitSession()
    {
        connectStartedNs = ctx.nanoClock().nanoTime();
        startConnect(connectStartedNs);
        while (0 == sessionId)
        {
            final long nowNs = ctx.nanoClock().nanoTime();
            if (null != lastRejection)
            {
                throw new ClientException("session refused: " + lastRejection);
            }
            if (nowNs - connectStartedNs > ctx.connectTimeoutNs())
            {
                throw new ClientException("no leader answered within " + ctx.connectTimeoutNs() / 1_000_000 +
                    " ms; members " + ctx.clusterMembers());
            }
            ctx.idleStrategy().idle(poll());
        }
    }

    /**
     * Submit a command. It is copied; the buffer can be reused at once.
     *
     * @param buffer holding the command.
     * @param offset of the command.
     * @param length of the command.
     * @return the command's correlation id (its answer carries it), or {@link #BACK_PRESSURED},
     * {@link #NOT_CONNECTED}, {@link #TOO_LARGE} or {@link #CLOSED}.
     */
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (isClosed)
        {
            return CLOSED;
        }
        if (0 == sessionId || leaderIndex < 0)
        {
            return NOT_CONNECTED;
        }
        if (length > ctx.maxCommandLength())
        {
            return TOO_LARGE;
        }
        if (lastCorrelationId - firstUnanswered + 1 >= maxInflight)
        {
            return BACK_PRESSURED;
        }
        final long correlationId = lastCorrelationId + 1;
        final int slot = slot(correlationId);
        ExpandableArrayBuffer frame = frames[slot];
        if (null == frame)
        {
            frame = new ExpandableArrayBuffer(Math.max(256, HEADER_LENGTH + ClientRequestEncoder.BLOCK_LENGTH + 4 +
                length));
            frames[slot] = frame;
        }
        requestEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(sessionId)
            .correlationId(correlationId)
            .putPayload(buffer, offset, length);
        final int frameLength = HEADER_LENGTH + requestEncoder.encodedLength();
        final long nowNs = ctx.nanoClock().nanoTime();
        if (isResending)
        {
            frameLengths[slot] = frameLength;
            sentNs[slot] = 0;
            recordOffered(correlationId, nowNs);
            drainResend(nowNs);
            return correlationId;
        }
        final long result = ingress[leaderIndex].offer(frame, 0, frameLength);
        if (result < 0)
        {
            if (Publication.NOT_CONNECTED == result)
            {
                suspectLeader(nowNs);
                return NOT_CONNECTED;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                throw new ClientException("ingress publication to member " + memberIds[leaderIndex] + " is " +
                    (Publication.CLOSED == result ? "closed" : "at its max position"));
            }
            return BACK_PRESSURED;
        }
        frameLengths[slot] = frameLength;
        sentNs[slot] = nowNs;
        recordOffered(correlationId, nowNs);
        lastSendNs = nowNs;
        return correlationId;
    }

    /**
     * Submit a read-only query, answered from a member's state without a log write ({@link ReadConsistency}), through
     * the listener like a command, with the same window, back-pressure and timeouts; answers may come in any order.
     *
     * @return the query's correlation id (at least {@link #QUERY_ID_BASE}), or the results of {@link #offer}.
     */
    public long query(final ReadConsistency level, final DirectBuffer buffer, final int offset, final int length)
    {
        if (isClosed || 0 == sessionId || leaderIndex < 0)
        {
            return isClosed ? CLOSED : NOT_CONNECTED;
        }
        return length > ctx.maxCommandLength() ? TOO_LARGE :
            queries.query(level, buffer, offset, length, sessionId, leaderIndex);
    }

    private void recordOffered(final long correlationId, final long nowNs)
    {
        if (firstUnanswered > lastCorrelationId)
        {
            lastProgressNs = nowNs;
        }
        lastCorrelationId = correlationId;
    }

    /**
     * Receive answers and do the client's housekeeping: leader changes, resends, timeouts, keep-alives.
     * <p>
     * A client whose Aeron runs in invoker mode (its driver on the caller's thread) sends what was offered since the
     * last poll when it polls, as few datagrams as it fits in: offer every command that is ready, then poll. Polling
     * after each command costs a datagram and a system call per command over UDP (measured: 0.92 {@code sendto} per
     * command at 1000 outstanding, 0.07 when the window was filled before each poll).
     *
     * @return the amount of work done, 0 if none.
     */
    public int poll()
    {
        if (isClosed)
        {
            return 0;
        }
        int work = 0;
        if (null != conductorInvoker)
        {
            // A client that shares its Aeron in invoker mode does the driver's and the conductor's work here.
            work += conductorInvoker.invoke();
            if (null != driverInvoker)
            {
                work += driverInvoker.invoke();
            }
        }
        work += egress.poll(assembler, 64);
        final long nowNs = ctx.nanoClock().nanoTime();
        if (0 == sessionId || leaderIndex < 0)
        {
            if (nowNs - lastConnectAttemptNs > ctx.leaderTimeoutNs())
            {
                startConnect(nowNs);
                work++;
            }
            return work;
        }
        if (isResending)
        {
            work += drainResend(nowNs);
        }
        work += queries.poll(nowNs, leaderIndex);
        if (firstUnanswered <= lastCorrelationId)
        {
            final long waitingNs = nowNs - lastProgressNs;
            if (waitingNs > ctx.commandTimeoutNs())
            {
                timeOutAll(nowNs);
                work++;
            }
            else if (waitingNs > ctx.leaderTimeoutNs() && nowNs - lastConnectAttemptNs > ctx.leaderTimeoutNs())
            {
                suspectLeader(nowNs);
                work++;
            }
        }
        else if (nowNs - lastSendNs > ctx.keepAliveIntervalNs())
        {
            keepAliveEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
                .clientSessionId(sessionId)
                .correlationId(0);
            ingress[leaderIndex].offer(controlBuffer, 0, HEADER_LENGTH + keepAliveEncoder.encodedLength());
            lastSendNs = nowNs;
            work++;
        }
        return work;
    }

    /**
     * Send a frame that is not a command (an admin request) to one member, outside the ordered commands.
     *
     * @param memberId of the member, or -1 for the leader this client follows.
     * @param buffer   holding the frame.
     * @param offset   of the frame.
     * @param length   of the frame.
     * @return as {@link Publication#offer}, or {@link #NOT_CONNECTED} for an unknown member or leader.
     */
    public long offerFrame(final int memberId, final DirectBuffer buffer, final int offset, final int length)
    {
        final int index = memberId < 0 ? leaderIndex : indexOf(memberId);
        return isClosed ? CLOSED : index < 0 ? NOT_CONNECTED : ingress[index].offer(buffer, offset, length);
    }

    /**
     * @param memberId of a member.
     * @return whether this client's publication to that member has a subscriber (Aeron's {@code isConnected}): false
     * for an unknown member, and once a member that went away is timed out.
     */
    public boolean isConnectedTo(final int memberId)
    {
        final int index = indexOf(memberId);
        return !isClosed && index >= 0 && ingress[index].isConnected();
    }

    /**
     * @param handler gets the egress frames of templates this client does not handle (admin answers); or null.
     */
    public void extensionHandler(final FragmentHandler handler)
    {
        decoder.extensionHandler(handler);
    }

    /**
     * A member this client was not started with: from now on it is asked for the session and can be followed.
     */
    void addMember(final int memberId, final String endpoint)
    {
        if (indexOf(memberId) < 0 && !isClosed && ctx.followMembers())
        {
            final ExclusivePublication publication = aeron.addExclusivePublication(ctx.clusterMembers().isIpc() ?
                ctx.clusterMembers().channel(memberIds[0]) : "aeron:udp?endpoint=" + endpoint,
                ctx.ingressStreamBase() + memberId);
            ingress = Arrays.copyOf(ingress, ingress.length + 1);
            ingress[ingress.length - 1] = publication;
            memberIds = Arrays.copyOf(memberIds, memberIds.length + 1);
            memberIds[memberIds.length - 1] = memberId;
            queries.members(ingress, memberIds);
        }
    }

    int[] memberIds()
    {
        return memberIds;
    }

    /**
     * @return the open session's id, 0 while none is open.
     */
    public long sessionId()
    {
        return sessionId;
    }

    /**
     * @return the member this client believes leads, or -1.
     */
    public int leaderId()
    {
        return leaderIndex < 0 ? -1 : memberIds[leaderIndex];
    }

    /**
     * @return commands sent and not yet answered.
     */
    public int inflight()
    {
        return (int)(lastCorrelationId - firstUnanswered + 1);
    }

    /**
     * @return queries sent and not yet answered.
     */
    public int queriesInflight()
    {
        return queries.inflight();
    }

    /**
     * @return how many times the leader this client follows changed (finding the first leader is not a change).
     */
    public long leaderChanges()
    {
        return leaderChanges;
    }

    /**
     * @return command frames sent again (after a change of leader, a sequence gap or a reattach).
     */
    public long resends()
    {
        return resends;
    }

    /**
     * @return sessions opened over the client's life (more than one after a timeout).
     */
    public long sessionsOpened()
    {
        return sessionsOpened;
    }

    /**
     * Close the session (best effort) and release the client's resources.
     */
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            if (0 != sessionId && leaderIndex >= 0)
            {
                closeEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).clientSessionId(sessionId);
                ingress[leaderIndex].offer(controlBuffer, 0, HEADER_LENGTH + closeEncoder.encodedLength());
            }
            closeResources();
        }
    }

    private void closeResources()
    {
        if (null != ingress)
        {
            for (final ExclusivePublication publication : ingress)
            {
                CloseHelper.quietClose(publication);
            }
        }
        CloseHelper.quietClose(egress);
        if (ownsAeron)
        {
            CloseHelper.quietClose(aeron);
        }
    }

    // ---------------------------------------------------------------------------------------------- internals

    private int slot(final long correlationId)
    {
        return (int)(correlationId % maxInflight);
    }

    /**
     * Ask every member for the session: the leader answers (a new session, or the existing one re-attached).
     */
    private void startConnect(final long nowNs)
    {
        lastConnectAttemptNs = nowNs;
        connectCorrelationId++;
        reattachCorrelationId = 0 != sessionId ? connectCorrelationId : -1;
        connectEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .correlationId(connectCorrelationId)
            .clientSessionId(sessionId)
            .responseStreamId(ctx.egressStreamId())
            .responseChannel(responseChannel)
            .putCredentials(credentials, 0, credentials.length);
        final int length = HEADER_LENGTH + connectEncoder.encodedLength();
        for (final ExclusivePublication publication : ingress)
        {
            publication.offer(controlBuffer, 0, length);
        }
    }

    private void suspectLeader(final long nowNs)
    {
        if (0 != sessionId)
        {
            startConnect(nowNs);
        }
    }

    /**
     * Follow the leader named by an answer. Outstanding commands are resent once per change of leadership (another
     * member, or the same member in a later term); a follower redirects every command of a burst, and resending
     * everything for each of those redirects was a storm of duplicates.
     *
     * @return whether the leadership changed.
     */
    boolean switchLeader(final int memberId, final long term)
    {
        final int index = indexOf(memberId);
        if (index < 0 || (leaderIndex >= 0 && term < leaderTerm))
        {
            // Unknown member, or a stale answer from an older term.
            return false;
        }
        if (index == leaderIndex && term == leaderTerm)
        {
            return false;
        }
        if (lastKnownLeaderIndex >= 0 && index != lastKnownLeaderIndex)
        {
            leaderChanges++;
        }
        lastKnownLeaderIndex = index;
        leaderIndex = index;
        leaderTerm = term;
        startResend();
        queries.onLeaderChange(index);
        return true;
    }

    private int indexOf(final int memberId)
    {
        for (int i = 0; i < memberIds.length; i++)
        {
            if (memberIds[i] == memberId)
            {
                return i;
            }
        }
        return -1;
    }

    private void startResend()
    {
        if (firstUnanswered <= lastCorrelationId)
        {
            isResending = true;
            resendCursor = firstUnanswered;
            drainResend(ctx.nanoClock().nanoTime());
        }
    }

    /**
     * Send the next part of a resend, until the publication refuses (it continues on the next poll). A resend is
     * not progress: the command timeout still runs from the last answer, so a dead leader is not hidden.
     */
    private int drainResend(final long nowNs)
    {
        int sent = 0;
        resendCursor = Math.max(resendCursor, firstUnanswered);
        while (resendCursor <= lastCorrelationId)
        {
            final int slot = slot(resendCursor);
            if (ingress[leaderIndex].offer(frames[slot], 0, frameLengths[slot]) < 0)
            {
                return sent;
            }
            if (sentNs[slot] != 0)
            {
                resends++;
            }
            sentNs[slot] = nowNs;
            resendCursor++;
            sent++;
            lastSendNs = nowNs;
        }
        isResending = false;
        return sent;
    }

    private void timeOutAll(final long nowNs)
    {
        for (long correlationId = firstUnanswered; correlationId <= lastCorrelationId; correlationId++)
        {
            listener.onResponse(correlationId, ResponseListener.TIMED_OUT, 0, payloadView, 0, 0);
        }
        firstUnanswered = 1;
        lastCorrelationId = 0;
        Arrays.fill(sentNs, 0);
        isResending = false;
        isGapResendArmed = true;
        queries.timeOutAll();
        sessionId = 0;
        leaderIndex = -1;
        startConnect(nowNs);
    }

    /**
     * A query's answer for this session, from {@link EgressDecoder}: the window matches it to the query.
     */
    void onQueryResponse(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int limit)
    {
        queries.onResponse(buffer, offset, blockLength, version, limit, leaderIndex);
    }

    void onResponse(
        final long correlationId, final ClientResponseCode code, final long logIndex, final int payloadLength)
    {
        if (correlationId < firstUnanswered || correlationId > lastCorrelationId)
        {
            return;
        }
        if (ClientResponseCode.SEQUENCE_GAP == code)
        {
            if (correlationId > firstUnanswered && isGapResendArmed && !isResending)
            {
                isGapResendArmed = false;
                startResend();
            }
            return;
        }
        if (correlationId != firstUnanswered)
        {
            // Answers come in log order, which is correlation order; an earlier command must have been answered
            // while this client was not listening (a lost frame): it is answered again when resent.
            return;
        }
        final int outcome;
        switch (code)
        {
            case OK:
                outcome = ResponseListener.OK;
                break;
            case DUPLICATE:
                outcome = ResponseListener.DUPLICATE;
                break;
            case REJECTED:
                outcome = ResponseListener.REJECTED;
                break;
            case NOT_LEADER:
                return;
            default:
                outcome = ResponseListener.ERROR;
                break;
        }
        firstUnanswered++;
        isGapResendArmed = true;
        lastProgressNs = ctx.nanoClock().nanoTime();
        listener.onResponse(correlationId, outcome, logIndex, payloadView, 0, payloadLength);
    }

    void onSessionEvent(
        final long clientSessionId,
        final long correlationId,
        final int leaderId,
        final long term,
        final SessionEventCode code)
    {
        switch (code)
        {
            case OPEN:
                if (0 == sessionId && correlationId == connectCorrelationId)
                {
                    sessionId = clientSessionId;
                    sessionsOpened++;
                    lastRejection = null;
                    switchLeader(leaderId, term);
                }
                else if (clientSessionId == sessionId && 0 != sessionId)
                {
                    if (!switchLeader(leaderId, term) && correlationId == reattachCorrelationId)
                    {
                        // This client asked because nothing was answered for a leader timeout: an answer may have
                        // been lost on the way (the leader drops what it cannot deliver), and the resend brings it
                        // back from the session's cache. At most one per reattach, so once per leader timeout.
                        reattachCorrelationId = -1;
                        if (!isResending)
                        {
                            startResend();
                        }
                    }
                }
                break;

            case REDIRECT:
                if (clientSessionId == sessionId && 0 != sessionId && leaderId >= 0)
                {
                    switchLeader(leaderId, term);
                }
                break;

            case REJECTED:
                if (correlationId == connectCorrelationId && 0 == sessionId)
                {
                    lastRejection = decoder.eventDetail();
                }
                break;

            case CLOSED:
                if (clientSessionId == sessionId && 0 != sessionId)
                {
                    timeOutAll(ctx.nanoClock().nanoTime());
                }
                break;

            default:
                break;
        }
    }
}
