package io.raftline.engine;

import io.raftline.log.LogEntryView;
import io.raftline.log.RaftLog;
import org.agrona.DirectBuffer;

/**
 * A {@link RaftLog} that forwards every call to another; tests override the calls they watch or break.
 *
 * @param <L> the type of the log forwarded to.
 */
public abstract class ForwardingRaftLog<L extends RaftLog> implements RaftLog
{
    /**
     * The log every call goes to.
     */
    protected final L delegate;

    /**
     * @param delegate the log every call goes to.
     */
    protected ForwardingRaftLog(final L delegate)
    {
        this.delegate = delegate;
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

    public long append(
        final long term, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        return delegate.append(term, timestamp, buffer, offset, length);
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
        delegate.sync();
    }

    public void close()
    {
        delegate.close();
    }
}
