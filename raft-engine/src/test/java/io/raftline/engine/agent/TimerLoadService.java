package io.raftline.engine.agent;

import io.raftline.engine.Cluster;
import io.raftline.engine.RaftService;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A service that keeps timers busy without allocating: {@link #SCHEDULE_LIVE} schedules 10,000 timers due in an
 * hour; {@link #SCHEDULE_SOON} schedules one due 1 ms after the command's time, whose firing sends the command's
 * session 8 bytes.
 */
final class TimerLoadService implements RaftService
{
    static final long SCHEDULE_LIVE = 1;
    static final long SCHEDULE_SOON = 2;
    private static final long LIVE_BASE = 1L << 40;
    private static final long HOUR_NS = 3_600_000_000_000L;

    private final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
    private Cluster cluster;
    private long ownerSessionId;
    private volatile long live;
    private volatile long soon;
    private volatile long fired;

    public void onStart(final Cluster cluster)
    {
        this.cluster = cluster;
    }

    long liveTimers()
    {
        return live + soon;
    }

    long pendingSoon()
    {
        return soon;
    }

    /**
     * @return the long-lived timers still scheduled: one counter, so a test thread reads it without racing the agent
     * (live + soon - soon read at three moments does).
     */
    long longLivedTimers()
    {
        return live;
    }

    long fired()
    {
        return fired;
    }

    public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
        final int length, final MutableDirectBuffer response)
    {
        final long timestamp = cluster.time();
        ownerSessionId = cluster.clientSessionId();
        if (SCHEDULE_LIVE == command.getLong(offset))
        {
            for (int i = 0; i < 10_000; i++)
            {
                if (cluster.scheduleTimer(LIVE_BASE + i, timestamp + HOUR_NS))
                {
                    live++;
                }
            }
        }
        else if (cluster.scheduleTimer(index, timestamp + 1_000_000L))
        {
            soon++;
        }
        return 0;
    }

    public void onTimer(final long correlationId, final long timestamp)
    {
        if (correlationId >= LIVE_BASE)
        {
            live--;
        }
        else
        {
            soon--;
        }
        fired++;
        message.putLong(0, correlationId);
        cluster.offer(ownerSessionId, message, 0, 8);
    }
}
