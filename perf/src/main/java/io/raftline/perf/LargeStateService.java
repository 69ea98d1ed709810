package io.raftline.perf;

import io.raftline.engine.RaftService;
import io.raftline.engine.SnapshotInput;
import io.raftline.engine.SnapshotSource;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A state machine with a large state (say 100 MB), to measure how snapshots affect commits. The state is a counter
 * plus chunks of bytes that every command touches. Snapshots are copy-on-write: taking one marks every chunk shared
 * (a pointer copy, microseconds on the agent thread); the background writer writes the shared chunks; a command that
 * writes a shared chunk first copies it. This is what a service must do to snapshot large state without stalling.
 */
public final class LargeStateService implements RaftService
{
    private static final int CHUNK_LENGTH = 1 << 20;

    private final byte[][] chunks;
    private final long[] chunkGeneration;
    private long generation;
    private long value;
    private volatile long snapshotsLoaded;
    private volatile long snapshotsTaken;
    private volatile long appliedIndex;
    private volatile long lastSnapshotIndex;
    private volatile long previousSnapshotIndex;
    private volatile long loadedSnapshotIndex;

    /**
     * @param stateLength bytes of state (rounded up to whole MiB chunks).
     */
    public LargeStateService(final long stateLength)
    {
        final int count = (int)((stateLength + CHUNK_LENGTH - 1) / CHUNK_LENGTH);
        chunks = new byte[count][];
        chunkGeneration = new long[count];
        for (int i = 0; i < count; i++)
        {
            chunks[i] = new byte[CHUNK_LENGTH];
        }
    }

    /**
     * {@inheritDoc}
     */
    public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
        final int length, final MutableDirectBuffer response)
    {
        if (length >= 8)
        {
            value += command.getLong(offset);
        }
        final int chunk = (int)(index % chunks.length);
        if (chunkGeneration[chunk] < generation)
        {
            // Shared with a snapshot being written: copy before writing.
            chunks[chunk] = chunks[chunk].clone();
            chunkGeneration[chunk] = generation;
        }
        final int position = (int)((index * 8) % (CHUNK_LENGTH - 8));
        final byte[] bytes = chunks[chunk];
        for (int i = 0; i < 8; i++)
        {
            bytes[position + i] = (byte)(value >>> (8 * i));
        }
        appliedIndex = index;
        response.putLong(0, value);
        return 8;
    }

    /**
     * {@inheritDoc}
     */
    public SnapshotSource takeSnapshot(final long index)
    {
        generation++;
        previousSnapshotIndex = lastSnapshotIndex;
        lastSnapshotIndex = index;
        snapshotsTaken++;
        final byte[][] view = chunks.clone();
        final long capturedValue = value;
        return (output) ->
        {
            final UnsafeBuffer header = new UnsafeBuffer(new byte[12]);
            header.putLong(0, capturedValue);
            header.putInt(8, view.length);
            output.write(header, 0, 12);
            for (final byte[] chunk : view)
            {
                output.write(chunk);
            }
        };
    }

    /**
     * {@inheritDoc}
     */
    public void loadSnapshot(final long index, final SnapshotInput input)
    {
        final byte[] header = new byte[12];
        input.readFully(header);
        final UnsafeBuffer buffer = new UnsafeBuffer(header);
        value = buffer.getLong(0);
        final int count = buffer.getInt(8);
        if (count != chunks.length)
        {
            throw new IllegalStateException("snapshot has " + count + " chunks, this service " + chunks.length);
        }
        for (int i = 0; i < count; i++)
        {
            // Fresh arrays: a snapshot of our own may still be writing the old ones.
            final byte[] chunk = new byte[CHUNK_LENGTH];
            input.readFully(chunk);
            chunks[i] = chunk;
            chunkGeneration[i] = generation;
        }
        appliedIndex = index;
        loadedSnapshotIndex = index;
        snapshotsLoaded++;
    }

    /**
     * @return snapshots loaded (at start or installed).
     */
    public long snapshotsLoaded()
    {
        return snapshotsLoaded;
    }

    /**
     * @return snapshots taken (views handed to the engine).
     */
    public long snapshotsTaken()
    {
        return snapshotsTaken;
    }

    /**
     * The engine starts a snapshot only once the one before has finished, and compacts its log when one finishes: the
     * snapshot before the last one taken has finished, and the log was compacted behind it.
     *
     * @return index of the snapshot taken before the last one, 0 if fewer than two were taken.
     */
    public long previousSnapshotIndex()
    {
        return previousSnapshotIndex;
    }

    /**
     * @return index of the last snapshot loaded (at start or installed), 0 if none.
     */
    public long loadedSnapshotIndex()
    {
        return loadedSnapshotIndex;
    }

    /**
     * @return the last index applied.
     */
    public long appliedIndex()
    {
        return appliedIndex;
    }
}
