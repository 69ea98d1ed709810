package io.raftline.log;

/**
 * The durable vote of one member: the current term and the member it voted for in that term.
 * <p>
 * {@link #update(long, int)} takes effect at once for readers; it is durable once {@link #sync()} returns. The
 * engine never sends a vote or a message carrying a new term before that.
 */
public interface MetadataStore extends AutoCloseable
{
    /**
     * Value of {@link #votedFor()} when no vote was cast in the current term.
     */
    int NO_VOTE = -1;

    /**
     * @return the current term, 0 for a member that never saw one.
     */
    long currentTerm();

    /**
     * @return the member voted for in {@link #currentTerm()}, or {@link #NO_VOTE}.
     */
    int votedFor();

    /**
     * Record a new term and vote.
     *
     * @param currentTerm the new term, never below the previous one.
     * @param votedFor    the member voted for in it, or {@link #NO_VOTE}.
     * @throws IllegalArgumentException if the term would go backwards.
     */
    void update(long currentTerm, int votedFor);

    /**
     * Make the last {@link #update(long, int)} durable, to the degree of this store's durability level.
     */
    void sync();

    /**
     * Release the store's resources.
     */
    void close();
}
