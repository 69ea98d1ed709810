package io.raftline.samples;

import io.raftline.engine.ForwardingRaftLog;
import io.raftline.log.RaftLog;

import java.util.concurrent.locks.LockSupport;

/**
 * A log whose {@link #sync()} blocks while a stall is set: a disk that stops answering fsync for seconds. The member's
 * agent syncs on its own thread, so a stalled sync stalls the whole member, the way a blocked fsync does.
 */
final class StallingRaftLog extends ForwardingRaftLog<RaftLog>
{
    private volatile long stallUntilNs;

    StallingRaftLog(final RaftLog delegate)
    {
        super(delegate);
    }

    /**
     * @param durationNs for which every sync from now on blocks.
     */
    void stallFor(final long durationNs)
    {
        stallUntilNs = System.nanoTime() + durationNs;
    }

    @Override
    public void sync()
    {
        long remainingNs = stallUntilNs - System.nanoTime();
        if (remainingNs > 0)
        {
            // The harness compares this with when another member took over (one monotonic clock for the host).
            System.out.println("STALLED ns=" + System.nanoTime());
            System.out.flush();
            while (remainingNs > 0)
            {
                LockSupport.parkNanos(remainingNs);
                remainingNs = stallUntilNs - System.nanoTime();
            }
        }
        delegate.sync();
    }
}
