package io.raftline.engine.agent;

import io.raftline.codecs.ClientResponseCode;
import io.raftline.engine.RaftService;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftReads;
import io.raftline.engine.core.ReadListener;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A member's side of client queries: each query becomes a read of the core ({@link RaftReads}) in the track its
 * consistency level takes here, waits in a queue of its track (a copy of the query, in a preallocated slot) and is
 * answered from the service's {@link RaftService#onQuery} when the core reports it ready, or refused with
 * NOT_LEADER (and the leader this member knows) when it cannot be served here. A query of an unknown session is
 * counted and dropped, as a command is. Allocates nothing in steady state: slots and their buffers are reused.
 */
final class QueryIngress implements ReadListener
{
    private static final int TRACKS = 3;

    private final MemberContext ctx;
    private final MemberCounters counters;
    private final EgressPublisher egress;
    private final SessionStateMachine table;
    private final RaftService service;
    private final Queue[] queues = new Queue[TRACKS];
    private final ExpandableArrayBuffer responseBuffer = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer emptyBuffer = new ExpandableArrayBuffer(16);
    private RaftNode node;

    QueryIngress(
        final MemberContext ctx,
        final MemberCounters counters,
        final EgressPublisher egress,
        final SessionStateMachine table)
    {
        this.ctx = ctx;
        this.counters = counters;
        this.egress = egress;
        this.table = table;
        this.service = ctx.service();
        for (int i = 0; i < TRACKS; i++)
        {
            queues[i] = new Queue(ctx.raftConfig().maxPendingReads());
        }
    }

    void node(final RaftNode node)
    {
        this.node = node;
        node.reads().listener(this);
    }

    void onClientQuery(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long clientSessionId,
        final long correlationId,
        final int level,
        final long nowNs)
    {
        final ClientSession session = table.session(clientSessionId);
        if (null == session)
        {
            counters.unknownSessionRequests.increment();
            return;
        }
        session.lastActivityNs = nowNs;
        if (level < RaftReads.LINEARIZABLE || level > RaftReads.FOLLOWER)
        {
            answer(session, correlationId, 0, ClientResponseCode.REJECTED, emptyBuffer, 0);
            return;
        }
        final RaftReads reads = node.reads();
        final int track = reads.trackFor(level);
        final long ticket = reads.read(track, nowNs);
        if (ticket < 0)
        {
            final ClientResponseCode code = RaftReads.READS_FULL == ticket ?
                ClientResponseCode.REJECTED : ClientResponseCode.NOT_LEADER;
            answer(session, correlationId, 0, code, emptyBuffer, 0);
            return;
        }
        queues[track].add(ticket, clientSessionId, correlationId, buffer, offset, length);
    }

    public void onReadReady(final int track, final long ticket, final long readIndex)
    {
        final Queue queue = queues[track];
        final int slot = queue.pop(ticket);
        final ClientSession session = table.session(queue.sessionIds[slot]);
        if (null == session)
        {
            return;
        }
        final ExpandableArrayBuffer query = queue.payloads[slot];
        int responseLength;
        ClientResponseCode code = ClientResponseCode.OK;
        try
        {
            responseLength = service.onQuery(query, 0, queue.lengths[slot], responseBuffer);
            if (responseLength < 0)
            {
                code = ClientResponseCode.ERROR;
                responseLength = responseBuffer.putStringWithoutLengthAscii(0, "the service answers no queries");
            }
        }
        catch (final RuntimeException ex)
        {
            // A failing query changed nothing (queries may not), so the member goes on; the client learns why.
            counters.errors.increment();
            code = ClientResponseCode.ERROR;
            responseLength = responseBuffer.putStringWithoutLengthAscii(0, String.valueOf(ex));
        }
        answer(session, queue.correlationIds[slot], node.lastApplied(), code, responseBuffer, responseLength);
    }

    public void onReadFailed(final int track, final long ticket)
    {
        final Queue queue = queues[track];
        final int slot = queue.pop(ticket);
        final ClientSession session = table.session(queue.sessionIds[slot]);
        if (null != session)
        {
            answer(session, queue.correlationIds[slot], 0, ClientResponseCode.NOT_LEADER, emptyBuffer, 0);
        }
    }

    private void answer(
        final ClientSession session,
        final long correlationId,
        final long logIndex,
        final ClientResponseCode code,
        final MutableDirectBuffer payload,
        final int length)
    {
        egress.queryResponse(session, correlationId, logIndex, code, ctx.memberId(), node.leaderId(), payload, length);
    }

    /**
     * The queries of one track waiting for the core, in ticket order.
     */
    private static final class Queue
    {
        final long[] tickets;
        final long[] sessionIds;
        final long[] correlationIds;
        final int[] lengths;
        final ExpandableArrayBuffer[] payloads;
        final int mask;
        long head;
        long tail;

        Queue(final int capacity)
        {
            tickets = new long[capacity];
            sessionIds = new long[capacity];
            correlationIds = new long[capacity];
            lengths = new int[capacity];
            payloads = new ExpandableArrayBuffer[capacity];
            mask = capacity - 1;
        }

        void add(
            final long ticket,
            final long sessionId,
            final long correlationId,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            // The core refuses a read beyond its capacity, which is this queue's, so a slot is always free here.
            final int slot = (int)(tail++ & mask);
            tickets[slot] = ticket;
            sessionIds[slot] = sessionId;
            correlationIds[slot] = correlationId;
            lengths[slot] = length;
            ExpandableArrayBuffer payload = payloads[slot];
            if (null == payload)
            {
                payload = new ExpandableArrayBuffer(Math.max(64, length));
                payloads[slot] = payload;
            }
            payload.putBytes(0, buffer, offset, length);
        }

        int pop(final long ticket)
        {
            final int slot = (int)(head & mask);
            if (head == tail || tickets[slot] != ticket)
            {
                throw new IllegalStateException("read " + ticket + " resolved out of order: next queued " +
                    (head == tail ? "none" : String.valueOf(tickets[slot])));
            }
            head++;
            return slot;
        }
    }
}
