package io.raftline.engine.agent;

import io.raftline.engine.CloseReason;
import io.raftline.engine.Cluster;
import io.raftline.engine.ClusterRole;
import io.raftline.engine.EgressResult;
import io.raftline.engine.RaftService;
import io.raftline.engine.SnapshotInput;
import io.raftline.engine.SnapshotSource;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A test service that uses time, timers and egress: a command {@code [long kind, long timer id, long delay ns]}
 * schedules (kind 1) or cancels (kind 2) a timer for the session that sent it; when it fires, the service sends that
 * session a message {@code [timer id, deadline]}. It records what every callback saw, for the tests to compare.
 * Its snapshot is its timer owners (the engine snapshots the timers themselves).
 */
final class TimerEgressService implements RaftService
{
    static final long SCHEDULE = 1;
    static final long CANCEL = 2;
    static final long EVICT_ME = 3;
    static final long BROADCAST = 4;

    /**
     * One firing, as this member saw it.
     */
    record Firing(long timerId, long index, long timestamp, long deadline, EgressResult egress)
    {
    }

    final List<Firing> firings = Collections.synchronizedList(new ArrayList<>());
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final List<ClusterRole> roles = Collections.synchronizedList(new ArrayList<>());
    private final Long2LongHashMap owners = new Long2LongHashMap(-1);
    private final Long2LongHashMap deadlines = new Long2LongHashMap(-1);
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
    private Cluster cluster;
    private long lastTime;
    volatile long applied;
    volatile boolean timeWentBack;
    volatile boolean timerOutsideAnEntryRefused;

    static UnsafeBuffer command(final long kind, final long timerId, final long delayNs)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[24]);
        command.putLong(0, kind);
        command.putLong(8, timerId);
        command.putLong(16, delayNs);
        return command;
    }

    public void onStart(final Cluster cluster)
    {
        this.cluster = cluster;
        events.add("start applied=" + applied + " time=" + cluster.time());
    }

    public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
        final int length, final MutableDirectBuffer response)
    {
        throw new AssertionError("the engine calls the onApply that takes the time");
    }

    public int onApply(final long index, final long term, final long timestamp, final DirectBuffer command,
        final int offset, final int length, final MutableDirectBuffer response)
    {
        checkTime(timestamp);
        if (timestamp != cluster.time())
        {
            throw new IllegalStateException("time() " + cluster.time() + " is not the entry's " + timestamp);
        }
        final long kind = command.getLong(offset);
        final long timerId = command.getLong(offset + 8);
        if (SCHEDULE == kind)
        {
            final long deadline = timestamp + command.getLong(offset + 16);
            owners.put(timerId, cluster.clientSessionId());
            deadlines.put(timerId, deadline);
            response.putLong(0, cluster.scheduleTimer(timerId, deadline) ? deadline : -1);
        }
        else if (BROADCAST == kind)
        {
            message.putLong(0, timerId);
            message.putLong(8, -1);
            response.putLong(0, cluster.broadcast(message, 0, 16));
        }
        else if (EVICT_ME == kind)
        {
            response.putLong(0, cluster.closeSession(cluster.clientSessionId()) ? 1 : 0);
        }
        else
        {
            owners.remove(timerId);
            deadlines.remove(timerId);
            response.putLong(0, cluster.cancelTimer(timerId) ? 1 : 0);
        }
        applied++;
        return 8;
    }

    public void onTimer(final long correlationId, final long timestamp)
    {
        checkTime(timestamp);
        final long owner = owners.remove(correlationId);
        final long deadline = deadlines.remove(correlationId);
        message.putLong(0, correlationId);
        message.putLong(8, deadline);
        final EgressResult result = cluster.offer(owner, message, 0, 16);
        firings.add(new Firing(correlationId, cluster.logIndex(), timestamp, deadline, result));
    }

    public void onSessionOpen(final long clientSessionId, final long timestamp)
    {
        checkTime(timestamp);
        events.add("open " + clientSessionId + " at " + (timestamp > 0 ? "a time" : "no time"));
    }

    public void onSessionClose(final long clientSessionId, final long timestamp, final CloseReason reason)
    {
        checkTime(timestamp);
        events.add("close " + clientSessionId + " " + reason);
    }

    public void onRoleChange(final ClusterRole role)
    {
        roles.add(role);
        try
        {
            cluster.scheduleTimer(-1, 0);
        }
        catch (final IllegalStateException expected)
        {
            // A role change is not an entry: a timer scheduled here would not be scheduled on the other members.
            timerOutsideAnEntryRefused = true;
        }
    }

    public void onTerminate(final Cluster cluster)
    {
        events.add("terminate");
    }

    public SnapshotSource takeSnapshot(final long index)
    {
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[4 + owners.size() * 24]);
        bytes.putInt(0, owners.size());
        final int[] position = {4};
        owners.forEach((timerId, owner) ->
        {
            bytes.putLong(position[0], timerId);
            bytes.putLong(position[0] + 8, owner);
            bytes.putLong(position[0] + 16, deadlines.get(timerId));
            position[0] += 24;
        });
        return (output) -> output.write(bytes, 0, bytes.capacity());
    }

    public void loadSnapshot(final long index, final SnapshotInput input)
    {
        final byte[] countBytes = new byte[4];
        input.readFully(countBytes);
        owners.clear();
        deadlines.clear();
        final byte[] entryBytes = new byte[24];
        final UnsafeBuffer entry = new UnsafeBuffer(entryBytes);
        for (int i = 0, n = new UnsafeBuffer(countBytes).getInt(0); i < n; i++)
        {
            input.readFully(entryBytes);
            owners.put(entry.getLong(0), entry.getLong(8));
            deadlines.put(entry.getLong(0), entry.getLong(16));
        }
        events.add("loaded " + index);
    }

    private void checkTime(final long timestamp)
    {
        if (timestamp < lastTime)
        {
            timeWentBack = true;
        }
        lastTime = timestamp;
    }
}
