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
