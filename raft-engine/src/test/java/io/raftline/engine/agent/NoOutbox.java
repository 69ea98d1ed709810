package io.raftline.engine.agent;

import io.raftline.engine.core.Outbox;

/**
 * An outbox that reaches nobody: for tests that drive one member's core by hand.
 */
final class NoOutbox implements Outbox
{
    public int appendEntries(final int followerId, final long term, final long prevLogIndex,
        final long prevLogTerm, final long leaderCommit, final long firstIndex, final int maxEntries)
    {
        return -1;
    }

    public void appendEntriesResponse(final int leaderId, final long term, final long prevLogIndex,
        final boolean success, final long matchIndex, final long conflictIndex, final long conflictTerm,
        final long lastLogIndex)
    {
    }

    public boolean requestVote(final int recipientId, final long term, final long lastLogIndex,
        final long lastLogTerm, final boolean preVote, final long round)
    {
        return false;
    }

    public void voteResponse(final int candidateId, final long term, final long candidateTerm,
        final boolean granted, final boolean preVote, final long round)
    {
    }

    public boolean timeoutNow(final int followerId, final long term)
    {
        return false;
    }

    public int installSnapshot(final int followerId, final long term, final long snapshotIndex,
        final long snapshotTerm, final long offset, final int maxLength, final long transferId)
    {
        return -1;
    }

    public void endSnapshotTransfer(final int followerId)
    {
    }

    public void installSnapshotResponse(final int leaderId, final long term, final long snapshotIndex,
        final long nextOffset, final int status, final long transferId)
    {
    }
}
