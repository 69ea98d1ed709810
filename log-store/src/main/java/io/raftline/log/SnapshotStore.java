package io.raftline.log;

/**
 * Where a member keeps its snapshots. Only complete, verified snapshots are ever returned: a partial or corrupt
 * one is never the newest.
 */
public interface SnapshotStore extends AutoCloseable
{
    /**
     * @return the newest complete snapshot, or null if there is none.
     */
    SnapshotMetadata latest();

    /**
     * Start writing a snapshot that covers the log up to {@code index}.
     *
     * @param index the last log index covered.
     * @param term  the term of that index.
     * @return a writer; commit it to publish the snapshot.
     */
    SnapshotWriter begin(long index, long term);

    /**
     * Open the newest snapshot for reading.
     *
     * @return a reader, or null if there is no snapshot.
     */
    SnapshotReader openLatest();

    /**
     * Delete every snapshot older than the newest one.
     */
    void deleteOlder();

    /**
     * Release the store.
     */
    void close();
}
