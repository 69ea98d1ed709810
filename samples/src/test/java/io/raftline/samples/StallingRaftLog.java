package io.raftline.samples;

import io.raftline.log.LogEntryView;
import io.raftline.log.RaftLog;
import org.agrona.DirectBuffer;

import java.util.concurrent.locks.LockSupport;

/**
 * A log whose {@link #sync()} blocks while a stall is set: a disk that stops answering fsync for seconds. The member's
 * agent syncs on its own thread, so a stalled sync stalls the whole member, the way a blocked fsync does.
 */
final class StallingRaftLog implements RaftLog
{
    private final RaftLog delegate;
    private volatile long stallUntilNs;

    StallingRaftLog(final RaftLog delegate)
    {
        this.delegate = delegate;
    }

    /**
     * @param durationNs for which every sync from now on blocks.
     */
    void stallFor(final long durationNs)
    {
        stallUntilNs = System.nanoTime() + durationNs;
    }

    public long baseIndex()
    {
        return delegate.baseIndex();
    }

    public long baseTerm()
    {
        return delegate.baseTerm();
    }

    public long lastIndex()
    {
        return delegate.lastIndex();
    }

    public long lastTerm()
    {
        return delegate.lastTerm();
    }

    public long termAt(final long index)
    {
        return delegate.termAt(index);
    }

    public long append(final long term, final DirectBuffer buffer, final int offset, final int length)
    {
        return delegate.append(term, buffer, offset, length);
    }

    public boolean read(final long index, final LogEntryView view)
    {
        return delegate.read(index, view);
    }

    public void truncateAfter(final long index)
    {
        delegate.truncateAfter(index);
    }

    public void compactTo(final long index)
    {
        delegate.compactTo(index);
    }

    public void reset(final long baseIndex, final long baseTerm)
    {
        delegate.reset(baseIndex, baseTerm);
    }

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

    public void close()
    {
        delegate.close();
    }
}
