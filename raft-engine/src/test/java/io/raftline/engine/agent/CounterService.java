package io.raftline.engine.agent;

import io.raftline.engine.RaftService;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A replicated counter for tests: a command is an 8-byte delta; the answer is the counter after it.
 */
final class CounterService implements RaftService
{
    private volatile long value;
    private volatile long applied;
    private volatile long lastIndex;

    public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
        final int length, final MutableDirectBuffer response)
    {
        final long delta = 8 == length ? command.getLong(offset) : 0;
        final long next = value + delta;
        value = next;
        applied++;
        lastIndex = index;
        response.putLong(0, next);
        return 8;
    }

    long value()
    {
        return value;
    }

    long applied()
    {
        return applied;
    }

    long lastIndex()
    {
        return lastIndex;
    }
}
