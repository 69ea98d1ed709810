package io.raftline.engine.agent;

import io.raftline.engine.RaftService;
import io.raftline.engine.SnapshotInput;
import io.raftline.engine.SnapshotSource;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A replicated counter for tests: a command is an 8-byte delta; the answer is the counter after it.
 */
final class CounterService implements RaftService
{
    private volatile long value;
    private volatile long applied;
    private volatile long lastIndex;
    private volatile long snapshotsLoaded;

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

    /**
     * A query (any bytes) answers the counter, read only.
     */
    public int onQuery(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer response)
    {
        response.putLong(0, value);
        return 8;
    }

    public SnapshotSource takeSnapshot(final long index)
    {
        final long captured = value;
        return (output) ->
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
            buffer.putLong(0, captured);
            output.write(buffer, 0, 8);
        };
    }

    public void loadSnapshot(final long index, final SnapshotInput input)
    {
        final byte[] bytes = new byte[8];
        input.readFully(bytes);
        value = new UnsafeBuffer(bytes).getLong(0);
        lastIndex = index;
        snapshotsLoaded++;
    }

    long snapshotsLoaded()
    {
        return snapshotsLoaded;
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
