package io.raftline.engine.core;

/**
 * How far the log is committed and applied, shared by the concerns that move either.
 * <p>
 * Invariants: the commit index never decreases within a member's lifetime; lastApplied never exceeds it, except
 * transiently while a snapshot is restored (which raises both).
 */
final class CommitState
{
    private final int memberId;
    private final RaftEventListener listener;
    private long commitIndex;
    private long lastApplied;

    CommitState(final int memberId, final RaftEventListener listener, final long baseIndex)
    {
        this.memberId = memberId;
        this.listener = listener;
        this.commitIndex = baseIndex;
        this.lastApplied = baseIndex;
    }

    long commitIndex()
    {
        return commitIndex;
    }

    long lastApplied()
    {
        return lastApplied;
    }

    boolean hasUnapplied()
    {
        return lastApplied < commitIndex;
    }

    void advanceCommitIndex(final long newCommitIndex)
    {
        if (newCommitIndex > commitIndex)
        {
            commitIndex = newCommitIndex;
            listener.onCommit(memberId, newCommitIndex);
        }
    }

    void applied(final long index)
    {
        lastApplied = Math.max(lastApplied, index);
    }
}
