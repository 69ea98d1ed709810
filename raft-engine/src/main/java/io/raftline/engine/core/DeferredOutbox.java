package io.raftline.engine.core;

import java.util.Arrays;

/**
 * The one place that decides which message waits for the sync: an {@link Outbox} in front of the transport's that
 * passes the immediate lane straight through and holds the after-persist lane until {@link #release()}, which the
 * {@link DutyCycle} calls only once the log and metadata are durable (the durability contract of {@link Outbox}).
 * <p>
 * After persist: {@link #appendEntriesResponse}, {@link #voteResponse}, {@link #installSnapshotResponse} and a
 * vote request that is not a pre-vote: each promises durable state (entries held, a vote, a term). Immediate:
 * {@link #appendEntries}, {@link #installSnapshot}, {@link #timeoutNow}, pre-vote requests and the read index
 * messages, which depend on nothing unsynced: the leader's own log need not be durable, and its term is, because a
 * candidate leads only once its term and vote are synced (a sole voter, which wins without sending a request, waits
 * for the sync as well: {@code Election#onPersisted}). The transport's outbox then only sends; it knows nothing of
 * lanes.
 * <p>
 * Held messages are kept as primitives in a reused array, so a steady state allocates nothing. A held vote request
 * the transport refuses at release stays held for the next release (the core already counts it as sent), until a
 * newer request to the same member replaces it.
 */
public final class DeferredOutbox implements Outbox, DutyCycle.AfterPersist
{
    private static final int APPEND_RESPONSE = 1;
    private static final int REQUEST_VOTE = 2;
    private static final int VOTE_RESPONSE = 3;
    private static final int SNAPSHOT_RESPONSE = 4;
    private static final int STRIDE = 9;

    private final Outbox transport;
    private long[] held = new long[64 * STRIDE];
    private int heldCount;

    /**
     * @param transport the outbox that sends; called for the after-persist lane only from {@link #release()}.
     */
    public DeferredOutbox(final Outbox transport)
    {
        this.transport = transport;
    }

    @Override
    public int appendEntries(
        final int followerId,
        final long term,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final long firstIndex,
        final int maxEntries)
    {
        return transport.appendEntries(followerId, term, prevLogIndex, prevLogTerm, leaderCommit, firstIndex,
            maxEntries);
    }

    @Override
    public void appendEntriesResponse(
        final int leaderId,
        final long term,
        final long prevLogIndex,
        final boolean success,
        final long matchIndex,
        final long conflictIndex,
        final long conflictTerm,
        final long lastLogIndex)
    {
        hold(APPEND_RESPONSE, leaderId, term, prevLogIndex, success ? 1 : 0, matchIndex, conflictIndex, conflictTerm,
            lastLogIndex);
    }

    @Override
    public boolean requestVote(
        final int recipientId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round)
    {
        return requestVote(recipientId, term, lastLogIndex, lastLogTerm, preVote, round, false);
    }

    @Override
    public boolean requestVote(
        final int recipientId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round,
        final boolean transfer)
    {
        if (preVote)
        {
            return transport.requestVote(recipientId, term, lastLogIndex, lastLogTerm, true, round, transfer);
        }
        // A newer election supersedes a held request to the same member (one the transport refused, to a member
        // that is down), so held requests stay bounded by the cluster size.
        removeHeld(REQUEST_VOTE, recipientId);
        hold(REQUEST_VOTE, recipientId, term, lastLogIndex, lastLogTerm, round, transfer ? 1 : 0, 0, 0);
        return true;
    }

    @Override
    public void voteResponse(
        final int candidateId,
        final long term,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long round)
    {
        hold(VOTE_RESPONSE, candidateId, term, candidateTerm, granted ? 1 : 0, preVote ? 1 : 0, round, 0, 0);
    }

    @Override
    public boolean readIndexRequest(final int recipientId, final long term, final long round, final boolean fromLeader)
    {
        return transport.readIndexRequest(recipientId, term, round, fromLeader);
    }

    @Override
    public boolean readIndexResponse(
        final int recipientId, final long term, final long round, final long readIndex, final boolean fromLeader)
    {
        return transport.readIndexResponse(recipientId, term, round, readIndex, fromLeader);
    }

    @Override
    public boolean timeoutNow(final int followerId, final long term)
    {
        return transport.timeoutNow(followerId, term);
    }

    @Override
    public int installSnapshot(
        final int followerId,
        final long term,
        final long snapshotIndex,
        final long snapshotTerm,
        final long chunkOffset,
        final int maxChunkLength,
        final long transferId)
    {
        return transport.installSnapshot(
            followerId, term, snapshotIndex, snapshotTerm, chunkOffset, maxChunkLength, transferId);
    }

    @Override
    public void endSnapshotTransfer(final int followerId)
    {
        // Releases the leader's own resources only; promises nothing to anyone, so it needs no sync.
        transport.endSnapshotTransfer(followerId);
    }

    @Override
    public void installSnapshotResponse(
        final int leaderId,
        final long term,
        final long snapshotIndex,
        final long nextOffset,
        final int status,
        final long transferId)
    {
        hold(SNAPSHOT_RESPONSE, leaderId, term, snapshotIndex, nextOffset, status, transferId, 0, 0);
    }

    /**
     * @return whether after-persist messages are held.
     */
    public boolean hasHeld()
    {
        return heldCount > 0;
    }

    int heldCount()
    {
        return heldCount;
    }

    /**
     * Hand the after-persist lane to the transport. Call only once the log and metadata are durable.
     *
     * @return messages handed over.
     */
    @Override
    public int release()
    {
        int kept = 0;
        int released = 0;
        final long[] h = held;
        for (int i = 0; i < heldCount; i++)
        {
            final int at = i * STRIDE;
            final int to = (int)h[at + 1];
            switch ((int)h[at])
            {
                case APPEND_RESPONSE:
                    transport.appendEntriesResponse(to, h[at + 2], h[at + 3], 1 == h[at + 4], h[at + 5], h[at + 6],
                        h[at + 7], h[at + 8]);
                    break;

                case REQUEST_VOTE:
                    if (!transport.requestVote(to, h[at + 2], h[at + 3], h[at + 4], false, h[at + 5], 1 == h[at + 6]))
                    {
                        System.arraycopy(h, at, h, kept * STRIDE, STRIDE);
                        kept++;
                        continue;
                    }
                    break;

                case VOTE_RESPONSE:
                    transport.voteResponse(to, h[at + 2], h[at + 3], 1 == h[at + 4], 1 == h[at + 5], h[at + 6]);
                    break;

                case SNAPSHOT_RESPONSE:
                    transport.installSnapshotResponse(to, h[at + 2], h[at + 3], h[at + 4], (int)h[at + 5], h[at + 6]);
                    break;

                default:
                    throw new IllegalStateException("unknown held message kind " + h[at]);
            }
            released++;
        }
        heldCount = kept;
        return released;
    }

    /**
     * Forget the held messages: the member crashed before its state was durable, so they were never sent.
     */
    public void clear()
    {
        heldCount = 0;
    }

    private void removeHeld(final int kind, final int to)
    {
        final long[] h = held;
        int kept = 0;
        for (int i = 0; i < heldCount; i++)
        {
            final int at = i * STRIDE;
            if (h[at] == kind && h[at + 1] == to)
            {
                continue;
            }
            if (kept != i)
            {
                System.arraycopy(h, at, h, kept * STRIDE, STRIDE);
            }
            kept++;
        }
        heldCount = kept;
    }

    private void hold(
        final int kind,
        final int to,
        final long a,
        final long b,
        final long c,
        final long d,
        final long e,
        final long f,
        final long g)
    {
        final int at = heldCount * STRIDE;
        if (at + STRIDE > held.length)
        {
            held = Arrays.copyOf(held, held.length * 2);
        }
        final long[] h = held;
        h[at] = kind;
        h[at + 1] = to;
        h[at + 2] = a;
        h[at + 3] = b;
        h[at + 4] = c;
        h[at + 5] = d;
        h[at + 6] = e;
        h[at + 7] = f;
        h[at + 8] = g;
        heldCount++;
    }
}
