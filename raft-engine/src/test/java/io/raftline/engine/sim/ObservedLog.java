package io.raftline.engine.sim;

import io.raftline.engine.ForwardingRaftLog;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.LogEntryView;
import io.raftline.log.RaftLog;
import org.agrona.DirectBuffer;

import java.util.Arrays;
import java.util.function.LongUnaryOperator;

/**
 * A {@link RaftLog} that delegates to an {@link InMemoryRaftLog} and keeps, for the invariant checks, a hash chain
 * over its entries: {@code chain(i)} identifies the whole log up to index {@code i}, so two logs agree up to
 * {@code i} exactly when their chains agree there (Log Matching in O(1)).
 */
final class ObservedLog extends ForwardingRaftLog<InMemoryRaftLog>
{
    private final LongUnaryOperator committedChain;
    private final LogEntryView view = new LogEntryView();
    private long[] chain = new long[1024];
    private long validTo;
    private long baseChain;

    /**
     * @param delegate       the log.
     * @param committedChain the chain hash of the committed history at an index, for the base of a log that was
     *                       compacted or reset (a snapshot's index is always committed).
     */
    ObservedLog(final InMemoryRaftLog delegate, final LongUnaryOperator committedChain)
    {
        super(delegate);
        this.committedChain = committedChain;
    }

    InMemoryRaftLog delegate()
    {
        return delegate;
    }

    /**
     * The log was rebuilt from its durable image after a crash: forget the cached chain.
     */
    void onCrash()
    {
        validTo = delegate.baseIndex();
        baseChain = 0 == delegate.baseIndex() ? 0 : committedChain.applyAsLong(delegate.baseIndex());
    }

    long chain(final long index)
    {
        final long base = delegate.baseIndex();
        if (index == base)
        {
            return baseChain;
        }
        if (index < base || index > delegate.lastIndex())
        {
            throw new IllegalArgumentException("no chain for index " + index + " in [" + base + ", " +
                delegate.lastIndex() + "]");
        }
        if (validTo < base)
        {
            validTo = base;
        }
        ensureCapacity(index);
        for (long i = validTo + 1; i <= index; i++)
        {
            delegate.read(i, view);
            final long previous = i - 1 == base ? baseChain : chain[(int)(i - 1)];
            chain[(int)i] = Hashing.chain(previous, Hashing.entry(view.term(), view.timestamp(), view.buffer(),
                view.offset(), view.length()));
        }
        if (index > validTo)
        {
            validTo = index;
        }
        return chain[(int)index];
    }

    /**
     * @return the cluster time of the entry at {@code index}, which the log holds.
     */
    long timestampAt(final long index)
    {
        if (!delegate.read(index, view))
        {
            throw new IllegalArgumentException("no entry at " + index);
        }
        return view.timestamp();
    }

    private void ensureCapacity(final long index)
    {
        if (index >= chain.length)
        {
            chain = Arrays.copyOf(chain, (int)Math.max(index + 1, chain.length * 2L));
        }
    }

    private void dirtyFrom(final long index)
    {
        validTo = Math.min(validTo, index - 1);
    }

    public long append(
        final long term, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        final long index = delegate.append(term, timestamp, buffer, offset, length);
        dirtyFrom(index);
        return index;
    }

    public void truncateAfter(final long index)
    {
        delegate.truncateAfter(index);
        dirtyFrom(index + 1);
    }

    public void compactTo(final long index)
    {
        if (index > delegate.baseIndex())
        {
            baseChain = chain(index);
        }
        delegate.compactTo(index);
    }

    public void reset(final long baseIndex, final long baseTerm)
    {
        delegate.reset(baseIndex, baseTerm);
        validTo = baseIndex;
        baseChain = 0 == baseIndex ? 0 : committedChain.applyAsLong(baseIndex);
    }
}
