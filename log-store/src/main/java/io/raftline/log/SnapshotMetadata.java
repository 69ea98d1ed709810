package io.raftline.log;

/**
 * Identifies a complete snapshot: the last log index and term it covers, its length and checksum.
 *
 * @param index    the last log index the snapshot covers.
 * @param term     the term of that index.
 * @param length   of the snapshot's data in bytes.
 * @param checksum CRC32C of the data.
 */
public record SnapshotMetadata(long index, long term, long length, long checksum)
{
}
