package io.raftline.engine.core;

/**
 * What this member tracks about one other member: its vote in the current election and, while this member
 * leads, its replication progress (etcd's {@code tracker.Progress}).
 * <p>
 * Replication states: {@link #PROBE} sends one batch at a time and waits for the answer, to find where the
 * follower's log matches; {@link #REPLICATE} streams batches without waiting (pipelining), at most
 * {@code maxInflightBatches} unacknowledged; {@link #SNAPSHOT} streams the snapshot because the entries the follower
 * needs were compacted.
 */
final class Peer
{
    static final int PROBE = 0;
    static final int REPLICATE = 1;
    static final int SNAPSHOT = 2;

    final int memberId;
    final int position;

    // Invariant (leader): matchIndex < nextIndex; matchIndex only grows within a term.
    long nextIndex;
    long matchIndex;
    int state = PROBE;
    boolean isProbeSent;
    long lastSendNs;
    boolean isRecentlyActive;
    // Reads: the newest read confirmation round sent to and acknowledged by this follower (ReadTracker).
    long readRoundSent;
    long readRoundAcked;

    // Last index of each unacknowledged batch, oldest first, in a ring.
    private final long[] inflightLastIndex;
    private int inflightHead;
    private int inflightCount;

    boolean isVoteRequestPending;
    boolean hasVoteResponse;
    boolean isVoteGranted;

    // Snapshot transfer (leader side): bytes sent, bytes the follower confirmed (only ever forward, but for a
    // restart), when it last confirmed any. Every chunk carries the tag of the rewind it was sent in
    // (snapshotTransferId); snapshotFirstTransferId is the first tag since the transfer last started over, and
    // snapshotRewindOffset the confirmed offset when the current tag began.
    long snapshotIndex;
    long snapshotTerm;
    long snapshotLength;
    long snapshotSentOffset;
    long snapshotAckedOffset;
    long snapshotProgressNs;
    boolean isSnapshotStarted;
    long snapshotTransferId;
    long snapshotFirstTransferId;
    long snapshotRewindOffset;

    Peer(final int memberId, final int position, final int maxInflightBatches)
    {
        this.memberId = memberId;
        this.position = position;
        this.inflightLastIndex = new long[maxInflightBatches];
    }

    void resetForLeadership(final long lastLogIndex, final long nowNs)
    {
        nextIndex = lastLogIndex + 1;
        matchIndex = 0;
        state = PROBE;
        isProbeSent = false;
        lastSendNs = nowNs;
        isRecentlyActive = true;
        clearInflight();
    }

    void resetVote()
    {
        isVoteRequestPending = false;
        hasVoteResponse = false;
        isVoteGranted = false;
    }

    void becomeProbe(final long nextIndex)
    {
        state = PROBE;
        this.nextIndex = Math.max(nextIndex, matchIndex + 1);
        isProbeSent = false;
        clearInflight();
    }

    void becomeReplicate()
    {
        state = REPLICATE;
        nextIndex = Math.max(nextIndex, matchIndex + 1);
        isProbeSent = false;
        clearInflight();
    }

    void becomeSnapshot(
        final long snapshotIndex,
        final long snapshotTerm,
        final long snapshotLength,
        final long transferId,
        final long nowNs)
    {
        state = SNAPSHOT;
        this.snapshotIndex = snapshotIndex;
        this.snapshotTerm = snapshotTerm;
        this.snapshotLength = snapshotLength;
        restartSnapshot(0, transferId, nowNs);
        isSnapshotStarted = false;
        isProbeSent = false;
        clearInflight();
    }

    /**
     * Resend from {@code offset}, which the follower needs and which is not below what it confirmed, under a new tag.
     */
    void rewindSnapshot(final long offset, final long transferId, final long nowNs)
    {
        snapshotAckedOffset = Math.max(snapshotAckedOffset, offset);
        snapshotSentOffset = offset;
        snapshotRewindOffset = snapshotAckedOffset;
        snapshotTransferId = transferId;
        snapshotProgressNs = nowNs;
    }

    /**
     * The follower lost bytes it had confirmed: start over from {@code offset}, the one place the confirmed offset
     * moves back. Answers to earlier tags no longer count.
     */
    void restartSnapshot(final long offset, final long transferId, final long nowNs)
    {
        snapshotAckedOffset = offset;
        snapshotSentOffset = offset;
        snapshotRewindOffset = offset;
        snapshotTransferId = transferId;
        snapshotFirstTransferId = transferId;
        snapshotProgressNs = nowNs;
    }

    boolean needsSnapshotChunk(final long windowBytes)
    {
        return (snapshotSentOffset < snapshotLength && snapshotSentOffset - snapshotAckedOffset < windowBytes) ||
            !isSnapshotStarted;
    }

    boolean isInflightFull()
    {
        return inflightCount == inflightLastIndex.length;
    }

    int inflightCount()
    {
        return inflightCount;
    }

    void addInflight(final long lastIndex)
    {
        final int slot = (inflightHead + inflightCount) % inflightLastIndex.length;
        inflightLastIndex[slot] = lastIndex;
        inflightCount++;
    }

    void freeInflightTo(final long acknowledgedIndex)
    {
        while (inflightCount > 0 && inflightLastIndex[inflightHead] <= acknowledgedIndex)
        {
            inflightHead = (inflightHead + 1) % inflightLastIndex.length;
            inflightCount--;
        }
    }

    void clearInflight()
    {
        inflightHead = 0;
        inflightCount = 0;
    }

    @Override
    public String toString()
    {
        return memberId + ":" + (PROBE == state ? "probe" : REPLICATE == state ? "replicate" : "snapshot") +
            " next=" + nextIndex + " match=" + matchIndex + " inflight=" + inflightCount +
            (isProbeSent ? " probeSent" : "") + " lastSend=" + lastSendNs / 1_000_000 + "ms";
    }
}
