package io.raftline.log;

import org.agrona.DirectBuffer;

/**
 * Streams the bytes of one snapshot into a store. Nothing is visible to readers until {@link #commit()}, which
 * makes the snapshot durable and atomically the store's newest; {@link #abort()} (or closing without commit)
 * discards it. A writer may be used from a thread other than the agent's, one thread at a time.
 */
public interface SnapshotWriter extends AutoCloseable
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
     * @return the bytes written so far.
     */
    long length();

    /**
     * @return the CRC32C of the bytes written so far, so a receiver can verify a snapshot before it commits it.
     */
    long checksum();

    /**
     * Seal the snapshot: checksum, force to disk, and publish it as the newest.
     *
     * @return what was published.
     */
    SnapshotMetadata commit();

    /**
     * Discard the snapshot.
     */
    void abort();

    /**
     * Abort unless committed.
     */
    void close();
}
