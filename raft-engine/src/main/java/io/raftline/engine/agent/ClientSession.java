package io.raftline.engine.agent;

import io.aeron.ExclusivePublication;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One client session. The replicated part (id, response channel, the last command applied and the cache of recent
 * answers) is the same on every member because it changes only by applying log entries; the rest (the egress
 * publication, when the leader last heard from the client) is local to the member.
 */
final class ClientSession
{
    static final long NULL_REGISTRATION = -1;

    final long id;
    final String responseChannel;
    final int responseStreamId;

    // Replicated: the highest correlation id applied, and the answers of the most recent commands.
    long lastCorrelationId;
    private final long[] cachedCorrelationIds;
    private final int[] cachedLengths;
    private final byte[][] cachedResponses;
    private final int cacheLength;

    // Local to this member.
    ExclusivePublication publication;
    long publicationRegistrationId = NULL_REGISTRATION;
    long lastActivityNs;
    boolean isClosing;
    // The ingress cycle of the last redirect: a burst of commands to a follower gets one redirect per cycle.
    long redirectCycle = -1;
    // The entry that last sent the session a service message, and that message's place among the entry's: the
    // (logIndex, sequence) a client drops a second copy by. Computed alike on every member.
    long messageLogIndex = -1;
    int messageSequence;

    ClientSession(
        final long id,
        final String responseChannel,
        final int responseStreamId,
        final int cacheEntries,
        final int cacheLength)
    {
        this.id = id;
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
        this.cachedCorrelationIds = new long[cacheEntries];
        this.cachedLengths = new int[cacheEntries];
        this.cachedResponses = new byte[cacheEntries][cacheLength];
        this.cacheLength = cacheLength;
        java.util.Arrays.fill(cachedCorrelationIds, -1);
    }

    /**
     * Remember the answer to a command; an answer longer than the cache slot is remembered as too long (-1).
     */
    void cacheResponse(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
    {
        final int slot = (int)(correlationId % cachedCorrelationIds.length);
        cachedCorrelationIds[slot] = correlationId;
        if (length <= cacheLength)
        {
            buffer.getBytes(offset, cachedResponses[slot], 0, length);
            cachedLengths[slot] = length;
        }
        else
        {
            cachedLengths[slot] = -1;
        }
    }

    /**
     * Write the replicated part of the session (for a snapshot).
     *
     * @return the offset after what was written.
     */
    int encode(final org.agrona.ExpandableArrayBuffer buffer, final int offset)
    {
        int position = offset;
        buffer.putLong(position, id);
        buffer.putLong(position + 8, lastCorrelationId);
        buffer.putInt(position + 16, responseStreamId);
        position += 20;
        position += buffer.putStringAscii(position, responseChannel);
        buffer.putInt(position, cachedCorrelationIds.length);
        position += 4;
        for (int slot = 0; slot < cachedCorrelationIds.length; slot++)
        {
            buffer.putLong(position, cachedCorrelationIds[slot]);
            buffer.putInt(position + 8, cachedLengths[slot]);
            position += 12;
            if (cachedLengths[slot] > 0)
            {
                buffer.putBytes(position, cachedResponses[slot], 0, cachedLengths[slot]);
                position += cachedLengths[slot];
            }
        }
        return position;
    }

    /**
     * Read a session written by {@link #encode}.
     *
     * @param cursor over the snapshot, at the session; left after it.
     * @return the session.
     */
    static ClientSession decode(final SnapshotCursor cursor, final int cacheEntries, final int cacheLength)
    {
        final long id = cursor.readLong();
        final long lastCorrelationId = cursor.readLong();
        final int responseStreamId = cursor.readInt();
        final String responseChannel = cursor.readAscii();
        final ClientSession session = new ClientSession(id, responseChannel, responseStreamId, cacheEntries,
            cacheLength);
        session.lastCorrelationId = lastCorrelationId;
        final int slots = cursor.readInt();
        for (int slot = 0; slot < slots; slot++)
        {
            final long correlationId = cursor.readLong();
            final int length = cursor.readInt();
            final byte[] response = cursor.readBytes(Math.max(0, length));
            if (correlationId >= 0)
            {
                session.cacheResponse(correlationId, new org.agrona.concurrent.UnsafeBuffer(response), 0,
                    length < 0 ? cacheLength + 1 : length);
            }
        }
        return session;
    }

    /**
     * Copy a remembered answer.
     *
     * @return its length, or -1 if it is not remembered (too old or too long).
     */
    int cachedResponse(final long correlationId, final MutableDirectBuffer dst)
    {
        final int slot = (int)(correlationId % cachedCorrelationIds.length);
        if (cachedCorrelationIds[slot] != correlationId || cachedLengths[slot] < 0)
        {
            return -1;
        }
        dst.putBytes(0, cachedResponses[slot], 0, cachedLengths[slot]);
        return cachedLengths[slot];
    }
}
