package io.raftline.engine.protocol;

import io.raftline.log.SnapshotMetadata;
import io.raftline.log.SnapshotReader;
import io.raftline.log.SnapshotStore;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;

/**
 * Reads chunks of the newest snapshot for each follower a leader streams it to. Each transfer keeps its snapshot
 * open from its first chunk until the core ends the transfer ({@link #release}), so neither a newer snapshot nor
 * the deletion of this one changes the bytes mid-transfer, and a rewind after the last chunk reads the same
 * snapshot again. Only a transfer's first read opens the newest snapshot: if it is not the one asked for, that is
 * reported, and the transfer restarts with it.
 */
public final class SnapshotChunkReader implements AutoCloseable
{
    private final SnapshotStore store;
    private final SnapshotReader[] readers;
    private final ExpandableArrayBuffer chunk = new ExpandableArrayBuffer(64 * 1024);
    private SnapshotMetadata metadata;
    private int chunkLength;

    /**
     * @param store       to read from.
     * @param memberCount number of members (one transfer per member position).
     */
    public SnapshotChunkReader(final SnapshotStore store, final int memberCount)
    {
        this.store = store;
        this.readers = new SnapshotReader[memberCount];
    }

    /**
     * Read the chunk of snapshot {@code snapshotIndex} at {@code offset} for the follower at {@code position}.
     *
     * @param position      of the follower.
     * @param snapshotIndex the transfer is sending.
     * @param offset        of the chunk.
     * @param maxLength     most bytes.
     * @return true if the chunk is in {@link #chunk()}; false if that snapshot is no longer the newest.
     */
    public boolean read(final int position, final long snapshotIndex, final long offset, final int maxLength)
    {
        SnapshotReader reader = readers[position];
        if (null == reader || reader.metadata().index() != snapshotIndex)
        {
            CloseHelper.quietClose(reader);
            reader = store.openLatest();
            readers[position] = reader;
            if (null == reader || reader.metadata().index() != snapshotIndex)
            {
                return false;
            }
        }
        metadata = reader.metadata();
        final int length = (int)Math.max(0, Math.min(maxLength, metadata.length() - offset));
        chunk.checkLimit(length);
        chunkLength = 0;
        while (chunkLength < length)
        {
            final int read = reader.read(offset + chunkLength, chunk, chunkLength, length - chunkLength);
            if (read <= 0)
            {
                throw new IllegalStateException("snapshot " + snapshotIndex + " ended at " + (offset + chunkLength) +
                    " before its length " + metadata.length());
            }
            chunkLength += read;
        }
        return true;
    }

    /**
     * @return the bytes of the chunk last read.
     */
    public ExpandableArrayBuffer chunk()
    {
        return chunk;
    }

    /**
     * @return the length of the chunk last read.
     */
    public int chunkLength()
    {
        return chunkLength;
    }

    /**
     * @return the snapshot the chunk last read belongs to.
     */
    public SnapshotMetadata metadata()
    {
        return metadata;
    }

    /**
     * @param position of the follower.
     * @return whether a snapshot is open for the transfer to it.
     */
    public boolean isOpen(final int position)
    {
        return null != readers[position];
    }

    /**
     * The transfer to the follower at {@code position} is over: close the snapshot it kept open.
     *
     * @param position of the follower.
     */
    public void release(final int position)
    {
        CloseHelper.quietClose(readers[position]);
        readers[position] = null;
    }

    /**
     * Close every open snapshot.
     */
    public void close()
    {
        for (int i = 0; i < readers.length; i++)
        {
            CloseHelper.quietClose(readers[i]);
            readers[i] = null;
        }
    }
}
