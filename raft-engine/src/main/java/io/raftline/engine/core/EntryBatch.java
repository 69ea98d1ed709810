package io.raftline.engine.core;

import io.raftline.log.RaftLog;
import org.agrona.DirectBuffer;

/**
 * A forward-only cursor over the entries of one AppendEntries request, as decoded by the transport. The core reads
 * each entry once, in order; the payload is valid until {@link #next()} is called again.
 */
public interface EntryBatch
{
    /**
     * @return the number of entries in the batch.
     */
    int count();

    /**
     * Move to the next entry.
     *
     * @return false when there are no more entries.
     */
    boolean next();

    /**
     * @return the term of the current entry.
     */
    long term();

    /**
     * @return the cluster time the leader stamped the current entry with, or {@link RaftLog#NO_TIMESTAMP} for an
     * entry of a frame older than schema version 3.
     */
    default long timestamp()
    {
        return RaftLog.NO_TIMESTAMP;
    }

    /**
     * @return the buffer holding the current entry's payload.
     */
    DirectBuffer buffer();

    /**
     * @return the offset of the current entry's payload.
     */
    int offset();

    /**
     * @return the length of the current entry's payload.
     */
    int length();
}
