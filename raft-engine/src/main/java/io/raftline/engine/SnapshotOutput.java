package io.raftline.engine;

import org.agrona.DirectBuffer;

/**
 * Where a {@link SnapshotSource} writes a state machine's bytes. Used on a background thread.
 */
public interface SnapshotOutput
{
    /**
     * Append bytes to the snapshot.
     *
     * @param buffer holding the bytes.
     * @param offset of the bytes.
     * @param length of the bytes.
     */
    void write(DirectBuffer buffer, int offset, int length);

    /**
     * Append bytes to the snapshot.
     *
     * @param bytes to append.
     */
    void write(byte[] bytes);
}
