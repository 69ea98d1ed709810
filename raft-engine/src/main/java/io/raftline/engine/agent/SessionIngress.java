package io.raftline.engine.agent;

import io.raftline.codecs.ClientResponseCode;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.SessionCloseEntryEncoder;
import io.raftline.codecs.SessionCloseReason;
import io.raftline.codecs.SessionEventCode;
import io.raftline.codecs.SessionOpenEntryEncoder;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import io.raftline.engine.core.RoleListener;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The leader's side of the client sessions: connects (new sessions are authenticated and proposed; a reattach is
 * answered from the replicated table), commands proposed to the log, keep-alives, session timeouts, and redirects
 * from a member that does not lead. It changes the replicated {@link SessionStateMachine} only by proposing
 * entries. Leadership reaches it through {@link #onRoleChange}, called by the core's role transition.
 */
final class SessionIngress implements RoleListener
{
    private final MemberContext ctx;
    private final MemberCounters counters;
    private final EgressPublisher egress;
    private final SessionStateMachine table;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SessionOpenEntryEncoder openEncoder = new SessionOpenEntryEncoder();
    private final SessionCloseEntryEncoder closeEncoder = new SessionCloseEntryEncoder();
    private final ExpandableArrayBuffer entryBuffer = new ExpandableArrayBuffer(1024);
    private final ExpandableArrayBuffer responseBuffer = new ExpandableArrayBuffer(64);
    private final List<HeldReattach> heldReattaches = new ArrayList<>();
    private final QueryIngress queries;
    private RaftNode node;
    private long cycle;

    SessionIngress(final MemberContext ctx, final MemberCounters counters, final EgressPublisher egress,
        final SessionStateMachine table)
    {
        this.ctx = ctx;
        this.counters = counters;
        this.egress = egress;
        this.table = table;
        this.queries = new QueryIngress(ctx, counters, egress, table);
    }

    void node(final RaftNode node)
    {
        this.node = node;
        queries.node(node);
    }

    /**
     * A read-only query: answered without a log write ({@link QueryIngress}).
     */
    void onClientQuery(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long clientSessionId,
        final long correlationId,
        final int level,
        final long nowNs)
    {
        queries.onClientQuery(buffer, offset, length, clientSessionId, correlationId, level, nowNs);
    }

    /**
     * The time of this duty cycle, before the ingress poll; a cycle is also the unit of redirect coalescing.
     */
    void nowNs(final long nowNs)
    {
        table.nowNs(nowNs);
        cycle++;
    }

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
            final ClientSession session = table.session(clientSessionId);
            if (null == session && !node.hasAppliedEntryOfTerm())
            {
                // A new leader may not have applied the session's open entry yet: its table is not the answer
                // until it has applied an entry of its own term. Closing here would make the client fail every
                // pending command and open a new session while the old one's commands still apply.
                holdReattach(correlationId, clientSessionId, responseStreamId, responseChannel);
                return;
            }
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
        if (table.openAndOpening() >= ctx.maxSessions())
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
        if (node.propose(entryBuffer, 0, length) > 0)
        {
            table.onOpenProposed();
        }
    }

    private void holdReattach(
        final long correlationId, final long clientSessionId, final int responseStreamId, final String responseChannel)
    {
        for (int i = 0, size = heldReattaches.size(); i < size; i++)
        {
            if (heldReattaches.get(i).clientSessionId == clientSessionId)
            {
                // The client asked again (it retries every leader timeout): the latest request is the one it awaits.
                heldReattaches.set(i, new HeldReattach(correlationId, clientSessionId, responseStreamId,
                    responseChannel));
                return;
            }
        }
        if (heldReattaches.size() < ctx.maxSessions())
        {
            heldReattaches.add(new HeldReattach(correlationId, clientSessionId, responseStreamId, responseChannel));
        }
        // Beyond that the request goes unanswered, as if lost: the client asks again after its leader timeout.
    }

    /**
     * Answer the held reattaches once this leader has applied an entry of its term, from the table, which then holds
     * every session committed before the term.
     */
    private int releaseHeldReattaches(final long nowNs)
    {
        if (!node.hasAppliedEntryOfTerm())
        {
            return 0;
        }
        final int count = heldReattaches.size();
        for (int i = 0; i < count; i++)
        {
            final HeldReattach held = heldReattaches.get(i);
            onSessionConnect(held.correlationId, held.clientSessionId, held.responseStreamId, held.responseChannel,
                null, nowNs);
        }
        heldReattaches.clear();
        return count;
    }

    private record HeldReattach(
        long correlationId, long clientSessionId, int responseStreamId, String responseChannel)
    {
    }

    void onClientRequest(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long clientSessionId,
        final long correlationId,
        final long nowNs)
    {
        final ClientSession session = table.session(clientSessionId);
        if (null == session)
        {
            counters.unknownSessionRequests.increment();
            return;
        }
        session.lastActivityNs = nowNs;
        if (RaftRole.LEADER != node.role())
        {
            redirect(session, correlationId);
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
                redirect(session, correlationId);
            }
        }
    }

    /**
     * A burst of commands to a member that does not lead gets one redirect per session per cycle, not one per
     * command: the client needs to learn the leader once.
     */
    private void redirect(final ClientSession session, final long correlationId)
    {
        if (session.redirectCycle != cycle)
        {
            session.redirectCycle = cycle;
            egress.redirect(session, correlationId, node.currentTerm(), node.leaderId());
        }
    }

    void onKeepAlive(final long clientSessionId, final long nowNs)
    {
        final ClientSession session = table.session(clientSessionId);
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
        final ClientSession session = table.session(clientSessionId);
        if (null == session)
        {
            counters.unknownSessionRequests.increment();
        }
        else if (!session.isClosing && RaftRole.LEADER == node.role())
        {
            proposeClose(session, SessionCloseReason.CLIENT_CLOSED, nowNs);
        }
    }

    /**
     * On becoming leader: tell every client, and give every session a fresh timeout. On losing the lead: drop the
     * held reattaches (a follower does not answer connects; the clients ask every member again).
     */
    public void onRoleChange(final RaftRole from, final RaftRole to, final long term, final long nowNs)
    {
        if (RaftRole.LEADER == to)
        {
            table.onBecomeLeader();
            final List<ClientSession> sessions = table.sessions();
            for (int i = 0, size = sessions.size(); i < size; i++)
            {
                final ClientSession session = sessions.get(i);
                session.lastActivityNs = nowNs;
                session.isClosing = false;
                egress.sessionEvent(session, 0, term, ctx.memberId(), SessionEventCode.REDIRECT, "");
            }
        }
        else if (RaftRole.LEADER == from)
        {
            heldReattaches.clear();
        }
        table.onRoleChange(to);
    }

    int doWork(final long nowNs)
    {
        table.nowNs(nowNs);
        int work = 0;
        if (!heldReattaches.isEmpty())
        {
            work += releaseHeldReattaches(nowNs);
        }
        return work + egress.doWork(nowNs);
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
        final List<ClientSession> sessions = table.sessions();
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final ClientSession session = sessions.get(i);
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
        table.close();
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
