package io.raftline.engine.core;

/**
 * A Raft safety invariant was about to be broken (a committed entry would be overwritten, two leaders in one term,
 * a term going backwards). The member must stop: repairing the state silently would hide lost data.
 */
public final class RaftSafetyException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message naming the invariant and the values that break it.
     */
    public RaftSafetyException(final String message)
    {
        super(message);
    }
}
