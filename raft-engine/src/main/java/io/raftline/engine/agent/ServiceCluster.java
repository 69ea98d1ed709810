package io.raftline.engine.agent;

import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.SessionCloseEntryEncoder;
import io.raftline.codecs.SessionCloseReason;
import io.raftline.codecs.TimerEntryEncoder;
import io.raftline.engine.Cluster;
import io.raftline.engine.ClusterRole;
import io.raftline.engine.EgressResult;
import io.raftline.engine.RaftService;
import io.raftline.engine.core.ClusterClock;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongHashSet;

import java.util.List;

/**
 * The {@link Cluster} a service is given: cluster time, timers, egress to any session and role events, over the
 * replicated session table ({@link SessionStateMachine}) it belongs to.
 * <p>
 * Replicated, the same on every member: the time and index of the entry being applied, the {@link TimerTable}, the
 * sessions the service asked to close. Leader-local: proposing the timer entries that are due (the leader's clock
 * against the deadlines) and the closes asked for, sending messages. A new leader takes back everything a deposed
 * one handed over and proposes again what is still due; applying decides, so nothing fires or closes twice.
 * Allocates nothing in steady state.
 */
final class ServiceCluster implements Cluster
{
    /**
     * Tag of this block in the engine's snapshot section ("RLTM"): time, timers, sessions to close.
     */
    static final int SNAPSHOT_BLOCK_TAG = 0x524C544D;
    private static final int MAX_DUE_PER_CYCLE = 256;

    private final MemberContext ctx;
    private final RaftService service;
    private final MemberCounters counters;
    private final EgressPublisher egress;
    private final SessionStateMachine sessions;
    private final TimerTable timers;
    private final LongHashSet evictions = new LongHashSet();
    private final LongHashSet evictionsProposed = new LongHashSet();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final TimerEntryEncoder timerEncoder = new TimerEntryEncoder();
    private final SessionCloseEntryEncoder closeEncoder = new SessionCloseEntryEncoder();
    private final ExpandableArrayBuffer entryBuffer = new ExpandableArrayBuffer(64);
    private final TimerTable.DueHandler proposeTimer = this::proposeTimer;
    private RaftNode node;
    private ClusterRole role = ClusterRole.FOLLOWER;
    private long time;
    private long logIndex;
    private long clientSessionId;
    private boolean isApplying;

    ServiceCluster(final MemberContext ctx, final MemberCounters counters, final EgressPublisher egress,
        final SessionStateMachine sessions)
    {
        this.ctx = ctx;
        this.service = ctx.service();
        this.counters = counters;
        this.egress = egress;
        this.sessions = sessions;
        if (ctx.maxTimers() < 1)
        {
            throw new IllegalArgumentException(MemberConfiguration.MAX_TIMERS_PROP_NAME + "=" + ctx.maxTimers() +
                ": a member needs room for at least one timer");
        }
        this.timers = new TimerTable(ctx.maxTimers());
    }

    void node(final RaftNode node)
    {
        this.node = node;
    }

    TimerTable timers()
    {
        return timers;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    void onStart()
    {
        service.onStart(this);
    }

    void onTerminate()
    {
        service.onTerminate(this);
    }

    void onRoleChange(final RaftRole to)
    {
        final ClusterRole next = RaftRole.LEADER == to ? ClusterRole.LEADER :
            RaftRole.FOLLOWER == to ? ClusterRole.FOLLOWER : ClusterRole.CANDIDATE;
        if (ClusterRole.LEADER == next)
        {
            // Whatever a deposed leader (this member, earlier) handed over may never have been committed.
            timers.rebuildHeap();
            evictionsProposed.clear();
        }
        if (next != role)
        {
            role = next;
            service.onRoleChange(next);
        }
    }

    // ------------------------------------------------------------------------------------------------ applying

    void beginEntry(final long index, final long timestamp)
    {
        logIndex = index;
        if (timestamp > time)
        {
            // Unstamped entries (0, before schema version 3) leave the time where it was: it never goes back.
            time = timestamp;
        }
        isApplying = true;
    }

    void endEntry()
    {
        isApplying = false;
        clientSessionId = 0;
    }

    void commandOf(final long clientSessionId)
    {
        this.clientSessionId = clientSessionId;
    }

    void onTimerEntry(final long correlationId, final long deadlineNs)
    {
        if (timers.fire(correlationId, deadlineNs))
        {
            counters.timersFired.increment();
            service.onTimer(correlationId, time);
        }
    }

    void onSessionClosed(final long clientSessionId)
    {
        evictions.remove(clientSessionId);
        evictionsProposed.remove(clientSessionId);
    }

    /**
     * The leader's part, once per cycle: propose a timer entry for each timer due at the cluster time (the clock,
     * never below the last stamp), and a close for each session the service asked to close.
     *
     * @return entries proposed.
     */
    int proposeDue()
    {
        if (RaftRole.LEADER != node.role())
        {
            return 0;
        }
        int work = 0;
        final ClusterClock clock = node.clusterClock();
        final long nowNs = Math.max(clock.epochNowNs(), clock.floorNs());
        if (timers.nextDeadlineNs() <= nowNs)
        {
            work += timers.pollDue(nowNs, proposeTimer, MAX_DUE_PER_CYCLE);
        }
        if (evictions.size() > evictionsProposed.size())
        {
            work += proposeEvictions();
        }
        return work;
    }

    private boolean proposeTimer(final long correlationId, final long deadlineNs)
    {
        timerEncoder.wrapAndApplyHeader(entryBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .deadline(deadlineNs);
        return node.propose(entryBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + timerEncoder.encodedLength()) > 0;
    }

    private int proposeEvictions()
    {
        int work = 0;
        final LongHashSet.LongIterator iterator = evictions.iterator();
        while (iterator.hasNext())
        {
            final long clientSessionId = iterator.nextValue();
            if (!evictionsProposed.contains(clientSessionId))
            {
                closeEncoder.wrapAndApplyHeader(entryBuffer, 0, headerEncoder)
                    .clientSessionId(clientSessionId)
                    .reason(SessionCloseReason.EVICTED);
                final int length = MessageHeaderEncoder.ENCODED_LENGTH + closeEncoder.encodedLength();
                if (node.propose(entryBuffer, 0, length) <= 0)
                {
                    break;
                }
                evictionsProposed.add(clientSessionId);
                work++;
            }
        }
        return work;
    }

    // ------------------------------------------------------------------------------------------------ Cluster

    public int memberId()
    {
        return ctx.memberId();
    }

    public ClusterRole role()
    {
        return role;
    }

    public long time()
    {
        return time;
    }

    public long logIndex()
    {
        return logIndex;
    }

    public long clientSessionId()
    {
        return clientSessionId;
    }

    public boolean scheduleTimer(final long correlationId, final long deadlineNs)
    {
        requireApplying("scheduleTimer");
        return timers.schedule(correlationId, deadlineNs);
    }

    public boolean cancelTimer(final long correlationId)
    {
        requireApplying("cancelTimer");
        return timers.cancel(correlationId);
    }

    public EgressResult offer(final long clientSessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        final ClientSession session = sessions.session(clientSessionId);
        return null == session ? EgressResult.CLOSED : send(session, buffer, offset, length);
    }

    public int broadcast(final DirectBuffer buffer, final int offset, final int length)
    {
        int sent = 0;
        final List<ClientSession> open = sessions.sessions();
        for (int i = 0, size = open.size(); i < size; i++)
        {
            sent += EgressResult.SENT == send(open.get(i), buffer, offset, length) ? 1 : 0;
        }
        return sent;
    }

    public boolean closeSession(final long clientSessionId)
    {
        requireApplying("closeSession");
        if (null == sessions.session(clientSessionId))
        {
            return false;
        }
        evictions.add(clientSessionId);
        return true;
    }

    private EgressResult send(final ClientSession session, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final int sequence = session.messageLogIndex == logIndex ? session.messageSequence + 1 : 0;
        session.messageLogIndex = logIndex;
        session.messageSequence = sequence;
        if (RaftRole.LEADER != node.role())
        {
            counters.serviceMessagesCounted.increment();
            return EgressResult.SENT;
        }
        if (egress.message(session, node.currentTerm(), logIndex, sequence, time, buffer, offset, length))
        {
            counters.serviceMessagesSent.increment();
            return EgressResult.SENT;
        }
        counters.serviceMessagesBackPressured.increment();
        return EgressResult.BACK_PRESSURED;
    }

    private void requireApplying(final String method)
    {
        if (!isApplying)
        {
            throw new IllegalStateException(method + " is only allowed while an entry is applied (onApply, onTimer, " +
                "onSessionOpen, onSessionClose), where every member makes the same call");
        }
    }

    // ------------------------------------------------------------------------------------------------ snapshot

    /**
     * Write this block of the engine's snapshot section:
     * <pre>
     *   int tag "RLTM", int length of what follows, long time, int timerCount,
     *   timerCount x { long correlationId, long deadline }, int evictionCount, evictionCount x { long sessionId }
     * </pre>
     *
     * @return the offset after the block.
     */
    int encodeSnapshotBlock(final MutableDirectBuffer buffer, final int offset)
    {
        final int start = offset + 8;
        buffer.putLong(start, time);
        buffer.putInt(start + 8, timers.size());
        final int[] position = {start + 12};
        timers.forEach((correlationId, deadlineNs) ->
        {
            buffer.putLong(position[0], correlationId);
            buffer.putLong(position[0] + 8, deadlineNs);
            position[0] += 16;
            return true;
        });
        int end = position[0];
        buffer.putInt(end, evictions.size());
        end += 4;
        final LongHashSet.LongIterator iterator = evictions.iterator();
        while (iterator.hasNext())
        {
            buffer.putLong(end, iterator.nextValue());
            end += 8;
        }
        buffer.putInt(offset, SNAPSHOT_BLOCK_TAG);
        buffer.putInt(offset + 4, end - start);
        return end;
    }

    /**
     * The state as of a snapshot without this block (written before schema version 3): no timers, time 0.
     */
    void resetForSnapshot()
    {
        timers.clear();
        evictions.clear();
        evictionsProposed.clear();
        time = 0;
    }

    void decodeSnapshotBlock(final SnapshotCursor cursor, final long index)
    {
        time = cursor.readLong();
        logIndex = index;
        final int count = cursor.readInt();
        for (int i = 0; i < count; i++)
        {
            final long correlationId = cursor.readLong();
            final long deadlineNs = cursor.readLong();
            if (!timers.schedule(correlationId, deadlineNs))
            {
                throw new IllegalStateException("snapshot at index " + index + " holds " + count + " timers, more " +
                    "than raftline.max.timers=" + timers.capacity() + ": raise it to at least the cluster's");
            }
        }
        final int evictionCount = cursor.readInt();
        for (int i = 0; i < evictionCount; i++)
        {
            evictions.add(cursor.readLong());
        }
    }
}
