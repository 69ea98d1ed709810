package io.raftline.engine;

import org.agrona.MutableDirectBuffer;

/**
 * Reads a state machine's bytes back from a snapshot, in the order they were written.
 */
public interface SnapshotInput
{
    /**
     * @return bytes not yet read.
     */
    long remaining();

    /**
     * Copy the next bytes.
     *
     * @param dst       to copy into.
     * @param dstOffset in dst.
     * @param length    most bytes to copy.
     * @return bytes copied, 0 at the end.
     */
    int read(MutableDirectBuffer dst, int dstOffset, int length);

    /**
     * Copy the next bytes exactly.
     *
     * @param dst to fill completely.
     * @throws IllegalStateException if fewer bytes remain.
     */
    void readFully(byte[] dst);
}
