package io.raftline.log;

/**
 * A {@link MetadataStore} on the heap that models a crash: {@link #crash()} returns it to the last synced state.
 */
public final class InMemoryMetadataStore implements MetadataStore
{
    private long currentTerm;
    private int votedFor = NO_VOTE;
    private long durableTerm;
    private int durableVotedFor = NO_VOTE;
    private boolean isDirty;

    /**
     * {@inheritDoc}
     */
    public long currentTerm()
    {
        return currentTerm;
    }

    /**
     * {@inheritDoc}
     */
    public int votedFor()
    {
        return votedFor;
    }

    /**
     * {@inheritDoc}
     */
    public void update(final long currentTerm, final int votedFor)
    {
        if (currentTerm < this.currentTerm)
        {
            throw new IllegalArgumentException(
                "term must not go backwards: currentTerm=" + this.currentTerm + " update=" + currentTerm);
        }
        this.currentTerm = currentTerm;
        this.votedFor = votedFor;
        isDirty = true;
    }

    /**
     * {@inheritDoc}
     */
    public void sync()
    {
        durableTerm = currentTerm;
        durableVotedFor = votedFor;
        isDirty = false;
    }

    /**
     * @return true if an update has not been synced.
     */
    public boolean isDirty()
    {
        return isDirty;
    }

    /**
     * Simulate a crash: unsynced updates are lost, or kept when {@code keepUnsynced} (the write happened to reach
     * the disk before the crash).
     *
     * @param keepUnsynced whether the last unsynced update survives.
     */
    public void crash(final boolean keepUnsynced)
    {
        if (keepUnsynced)
        {
            sync();
        }
        currentTerm = durableTerm;
        votedFor = durableVotedFor;
        isDirty = false;
    }

    /**
     * Simulate a crash that loses unsynced updates.
     */
    public void crash()
    {
        crash(false);
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
    }
}
