package io.raftline.engine.client;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.raftline.codecs.ClientQueryEncoder;
import io.raftline.codecs.ClientQueryResponseDecoder;
import io.raftline.codecs.ClientResponseCode;
import io.raftline.codecs.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The client's outstanding queries ({@link RaftClient#query}): their own correlation ids (from
 * {@link RaftClient#QUERY_ID_BASE}, apart from commands', whose ids must have no gaps), at most {@code maxInflight}
 * of them, each kept encoded in a slot so that it can be sent again. Answers come in any order. A query is sent
 * again (a read has no effect, so this is always safe) to the leader when a member says it is not the leader, to the
 * next member for a follower read, and to everyone's current choice when no answer came for the leader timeout; it
 * is reported {@link ResponseListener#TIMED_OUT} after the command timeout. Allocates nothing once every slot's
 * buffer exists.
 */
final class QueryWindow
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    private final ClientContext ctx;
    private final ResponseListener listener;
    private final ExclusivePublication[] ingress;
    private final int[] memberIds;
    private final int maxInflight;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ClientQueryEncoder queryEncoder = new ClientQueryEncoder();
    private final ClientQueryResponseDecoder responseDecoder = new ClientQueryResponseDecoder();
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private final ExpandableArrayBuffer[] frames;
    private final int[] frameLengths;
    private final long[] issuedNs;
    private final long[] sentNs;
    private final int[] levels;
    private final int[] targets;
    private final boolean[] isOpen;
    private long nextId = RaftClient.QUERY_ID_BASE;
    private long oldest = RaftClient.QUERY_ID_BASE;
    private int followerCursor;
    private long resends;

    QueryWindow(
        final ClientContext ctx,
        final ResponseListener listener,
        final ExclusivePublication[] ingress,
        final int[] memberIds)
    {
        this.ctx = ctx;
        this.listener = listener;
        this.ingress = ingress;
        this.memberIds = memberIds;
        this.maxInflight = ctx.maxInflight();
        frames = new ExpandableArrayBuffer[maxInflight];
        frameLengths = new int[maxInflight];
        issuedNs = new long[maxInflight];
        sentNs = new long[maxInflight];
        levels = new int[maxInflight];
        targets = new int[maxInflight];
        isOpen = new boolean[maxInflight];
        followerCursor = Math.floorMod(System.identityHashCode(this), memberIds.length);
    }

    long query(
        final ReadConsistency level,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long sessionId,
        final int leaderIndex)
    {
        if (nextId - oldest >= maxInflight)
        {
            return RaftClient.BACK_PRESSURED;
        }
        final long correlationId = nextId;
        final int slot = slot(correlationId);
        ExpandableArrayBuffer frame = frames[slot];
        if (null == frame)
        {
            frame = new ExpandableArrayBuffer(Math.max(256, HEADER_LENGTH + ClientQueryEncoder.BLOCK_LENGTH + 4 +
                length));
            frames[slot] = frame;
        }
        queryEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(sessionId)
            .correlationId(correlationId)
            .level((short)level.code())
            .putPayload(buffer, offset, length);
        final int frameLength = HEADER_LENGTH + queryEncoder.encodedLength();
        final int target = ReadConsistency.FOLLOWER == level ? nextFollower() : leaderIndex;
        final long result = ingress[target].offer(frame, 0, frameLength);
        if (result < 0)
        {
            return Publication.NOT_CONNECTED == result ? RaftClient.NOT_CONNECTED : RaftClient.BACK_PRESSURED;
        }
        final long nowNs = ctx.nanoClock().nanoTime();
        frameLengths[slot] = frameLength;
        issuedNs[slot] = nowNs;
        sentNs[slot] = nowNs;
        levels[slot] = level.code();
        targets[slot] = target;
        isOpen[slot] = true;
        nextId++;
        return correlationId;
    }

    private int nextFollower()
    {
        followerCursor = followerCursor + 1 == memberIds.length ? 0 : followerCursor + 1;
        return followerCursor;
    }

    /**
     * Timeouts and resends, from the oldest query on.
     */
    int poll(final long nowNs, final int leaderIndex)
    {
        int work = 0;
        while (oldest < nextId)
        {
            final int slot = slot(oldest);
            if (!isOpen[slot])
            {
                oldest++;
                continue;
            }
            if (nowNs - issuedNs[slot] > ctx.commandTimeoutNs())
            {
                isOpen[slot] = false;
                listener.onResponse(oldest, ResponseListener.TIMED_OUT, 0, payloadView, 0, 0);
                oldest++;
                work++;
                continue;
            }
            if (nowNs - sentNs[slot] > ctx.leaderTimeoutNs() && leaderIndex >= 0)
            {
                work += resendAll(nowNs, leaderIndex);
            }
            break;
        }
        return work;
    }

    private int resendAll(final long nowNs, final int leaderIndex)
    {
        int sent = 0;
        for (long id = oldest; id < nextId; id++)
        {
            final int slot = slot(id);
            if (isOpen[slot])
            {
                final int target = ReadConsistency.FOLLOWER.code() == levels[slot] ? nextFollower() : leaderIndex;
                send(slot, target, nowNs);
                sent++;
            }
        }
        return sent;
    }

    private void send(final int slot, final int target, final long nowNs)
    {
        // A refused send is as if lost: the leader timeout sends it again.
        ingress[target].offer(frames[slot], 0, frameLengths[slot]);
        targets[slot] = target;
        sentNs[slot] = nowNs;
        resends++;
    }

    /**
     * A ClientQueryResponse of this client's session.
     */
    void onResponse(final DirectBuffer buffer, final int bodyOffset, final int blockLength, final int version,
        final int end, final int leaderIndex)
    {
        responseDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int dataOffset = bodyOffset + blockLength;
        if (dataOffset + 4 > end)
        {
            return;
        }
        final int payloadLength = responseDecoder.payloadLength();
        if (dataOffset + 4 + (long)payloadLength > end)
        {
            return;
        }
        final long correlationId = responseDecoder.correlationId();
        final int slot = slot(correlationId);
        if (correlationId < oldest || correlationId >= nextId || !isOpen[slot])
        {
            return;
        }
        final long logIndex = responseDecoder.logIndex();
        final ClientResponseCode code = responseDecoder.code();
        final int leaderMemberId = responseDecoder.leaderMemberId();
        final int outcome;
        switch (code)
        {
            case OK:
                outcome = ResponseListener.OK;
                break;
            case REJECTED:
                outcome = ResponseListener.REJECTED;
                break;
            case NOT_LEADER:
                onNotLeader(slot, leaderMemberId, leaderIndex);
                return;
            default:
                outcome = ResponseListener.ERROR;
                break;
        }
        isOpen[slot] = false;
        responseDecoder.wrapPayload(payloadView);
        listener.onResponse(correlationId, outcome, logIndex, payloadView, 0, payloadLength);
    }

    private void onNotLeader(final int slot, final int leaderMemberId, final int leaderIndex)
    {
        final long nowNs = ctx.nanoClock().nanoTime();
        if (ReadConsistency.FOLLOWER.code() == levels[slot])
        {
            // A member that knows no leader cannot serve it now; the next member may. When none knows one, the
            // leader timeout sends it again rather than a storm of asks.
            if (leaderMemberId >= 0 || memberIds.length > 1)
            {
                send(slot, nextFollower(), nowNs);
            }
            return;
        }
        final int named = indexOf(leaderMemberId);
        final int target = named >= 0 ? named : leaderIndex;
        if (target >= 0 && target != targets[slot])
        {
            send(slot, target, nowNs);
        }
        // Otherwise the leader is not known yet: the leader timeout sends it again.
    }

    /**
     * The client follows a new leader: the leader's queries go to it at once.
     */
    void onLeaderChange(final int leaderIndex)
    {
        final long nowNs = ctx.nanoClock().nanoTime();
        for (long id = oldest; id < nextId; id++)
        {
            final int slot = slot(id);
            if (isOpen[slot] && ReadConsistency.FOLLOWER.code() != levels[slot] && targets[slot] != leaderIndex)
            {
                send(slot, leaderIndex, nowNs);
            }
        }
    }

    /**
     * The session is gone: every outstanding query is reported timed out (a query of a new session is a new query).
     */
    void timeOutAll()
    {
        for (long id = oldest; id < nextId; id++)
        {
            final int slot = slot(id);
            if (isOpen[slot])
            {
                isOpen[slot] = false;
                listener.onResponse(id, ResponseListener.TIMED_OUT, 0, payloadView, 0, 0);
            }
        }
        oldest = nextId;
    }

    int inflight()
    {
        int open = 0;
        for (long id = oldest; id < nextId; id++)
        {
            open += isOpen[slot(id)] ? 1 : 0;
        }
        return open;
    }

    long resends()
    {
        return resends;
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

    private int slot(final long correlationId)
    {
        return (int)(correlationId % maxInflight);
    }
}
