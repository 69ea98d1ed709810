package io.raftline.samples;

import io.raftline.engine.RaftService;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The replicated counter: a command is an 8-byte little-endian delta (an "add"); the answer is the counter's value
 * after the add. Deterministic, allocation-free, non-blocking, as a {@link RaftService} must be.
 */
public final class CounterService implements RaftService
{
    /**
     * Length of a command.
     */
    public static final int COMMAND_LENGTH = 8;

    private long value;
    private volatile long publishedValue;
    private volatile long appliedIndex;

    /**
     * {@inheritDoc}
     */
    public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
        final int length, final MutableDirectBuffer response)
    {
        if (length >= COMMAND_LENGTH)
        {
            value += command.getLong(offset);
        }
        publishedValue = value;
        appliedIndex = index;
        response.putLong(0, value);
        return 8;
    }

    /**
     * @return the counter, as last applied (readable from any thread).
     */
    public long value()
    {
        return publishedValue;
    }

    /**
     * @return the index of the last command applied (readable from any thread).
     */
    public long appliedIndex()
    {
        return appliedIndex;
    }
}
