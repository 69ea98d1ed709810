package io.raftline.engine.core;

import io.raftline.log.LogEntryView;
import io.raftline.log.RaftLog;

/**
 * Cluster time as the leader stamps it on each entry it appends: nanoseconds since the epoch, never below a stamp
 * this member has held in its log or applied, so it never goes back along a log, also across a change of leader.
 * <p>
 * Why that is enough: a leader stamps at least its log's last stamp, so its log is non-decreasing; a follower's log is
 * a prefix of some leader's log, so every log is; the committed log is a prefix of every later leader's log, whose
 * first new stamp is at least its last one. A new leader whose clock is behind simply repeats the last stamp until its
 * clock catches up.
 * <p>
 * Pure: the driver passes the time in. The duty cycle's time is a monotonic clock with an arbitrary origin; the
 * driver gives the offset that turns it into the epoch ({@link #epochOffsetNs(long)}, measured once by the agent;
 * the simulator leaves it 0, so its stamps are its own deterministic clock).
 */
public final class ClusterClock
{
    private long epochOffsetNs;
    private long nowNs;
    private long floorNs = RaftLog.NO_TIMESTAMP;
    private final LogEntryView view = new LogEntryView();

    /**
     * @param epochOffsetNs added to the duty cycle's time to give ns since the epoch.
     */
    public void epochOffsetNs(final long epochOffsetNs)
    {
        this.epochOffsetNs = epochOffsetNs;
    }

    /**
     * @param nowNs the duty cycle's time (the driver's monotonic clock).
     */
    void tick(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    /**
     * @return this member's clock in cluster time units (ns since the epoch), which may be below {@link #floorNs()}.
     */
    public long epochNowNs()
    {
        return nowNs + epochOffsetNs;
    }

    /**
     * @return the highest stamp this member has held or applied.
     */
    public long floorNs()
    {
        return floorNs;
    }

    /**
     * @return the stamp of an entry appended now: the clock, but never below the floor.
     */
    long nextStamp()
    {
        final long stamp = Math.max(epochNowNs(), floorNs);
        floorNs = stamp;
        return stamp;
    }

    /**
     * Raise the floor to a stamp seen in an entry appended, applied or restored from a snapshot.
     */
    public void observe(final long timestamp)
    {
        if (timestamp > floorNs)
        {
            floorNs = timestamp;
        }
    }

    void observeLastEntry(final RaftLog log)
    {
        if (log.lastIndex() > log.baseIndex() && log.read(log.lastIndex(), view))
        {
            observe(view.timestamp());
        }
    }
}
