package io.raftline.log;

import org.agrona.MutableDirectBuffer;

/**
 * Reads a committed snapshot at any offset, for restoring a state machine or sending it to a follower in chunks.
 */
public interface SnapshotReader extends AutoCloseable
{
    /**
     * @return what the snapshot is.
     */
    SnapshotMetadata metadata();

    /**
     * Copy bytes of the snapshot.
     *
     * @param position  in the snapshot to read from.
     * @param dst       to copy into.
     * @param dstOffset in dst.
     * @param maxLength most bytes to copy.
     * @return bytes copied; 0 at the end of the snapshot.
     */
    int read(long position, MutableDirectBuffer dst, int dstOffset, int maxLength);

    /**
     * Release the reader.
     */
    void close();
}
