package io.raftline.samples;

import io.raftline.engine.RaftService;
import io.raftline.engine.SnapshotInput;
import io.raftline.engine.SnapshotSource;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The replicated counter: a command is an 8-byte little-endian delta (an "add"); the answer is the counter's value
 * after the add. Deterministic, allocation-free, non-blocking, as a {@link RaftService} must be. Its snapshot is the
 * counter (8 bytes), so the engine compacts the log behind it and a member far behind catches up by InstallSnapshot.
 */
public final class CounterService implements RaftService
{
    /**
     * Length of a command.
     */
    public static final int COMMAND_LENGTH = 8;

    /**
     * The query {@code get}: answered with the counter, without a log write.
     */
    static final byte[] GET = "get".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private long value;
    private volatile long publishedValue;
    private volatile long appliedIndex;
    private volatile long snapshotsLoaded;

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
     * Answer {@code get} (any query): the counter, as applied on this member. Read only, as a query must be.
     */
    public int onQuery(final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer response)
    {
        response.putLong(0, value);
        return 8;
    }

    /**
     * {@inheritDoc}
     */
    public SnapshotSource takeSnapshot(final long index)
    {
        final long captured = value;
        return (output) ->
        {
            final UnsafeBuffer bytes = new UnsafeBuffer(new byte[COMMAND_LENGTH]);
            bytes.putLong(0, captured, java.nio.ByteOrder.LITTLE_ENDIAN);
            output.write(bytes, 0, COMMAND_LENGTH);
        };
    }

    /**
     * {@inheritDoc}
     */
    public void loadSnapshot(final long index, final SnapshotInput input)
    {
        final byte[] bytes = new byte[COMMAND_LENGTH];
        input.readFully(bytes);
        value = new UnsafeBuffer(bytes).getLong(0, java.nio.ByteOrder.LITTLE_ENDIAN);
        publishedValue = value;
        appliedIndex = index;
        snapshotsLoaded++;
    }

    /**
     * @return snapshots loaded, at start or installed by the leader (readable from any thread).
     */
    public long snapshotsLoaded()
    {
        return snapshotsLoaded;
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
