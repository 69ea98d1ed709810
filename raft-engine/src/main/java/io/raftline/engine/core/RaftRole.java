package io.raftline.engine.core;

/**
 * The role a member plays in its current term. The code is what the role counter publishes.
 */
public enum RaftRole
{
    /**
     * Follows a leader, or waits for one; votes.
     */
    FOLLOWER(0),

    /**
     * Asks whether it could win an election before it disturbs anyone with a new term (thesis §9.6).
     */
    PRE_CANDIDATE(1),

    /**
     * Stands for election in a term it has started and voted for itself in.
     */
    CANDIDATE(2),

    /**
     * Accepts proposals and replicates its log; at most one per term.
     */
    LEADER(3);

    private static final RaftRole[] ROLES = values();

    private final int code;

    RaftRole(final int code)
    {
        if (code != ordinal())
        {
            throw new IllegalArgumentException(name() + " - code must equal ordinal value: code=" + code);
        }
        this.code = code;
    }

    /**
     * @return the stable code of this role.
     */
    public int code()
    {
        return code;
    }

    /**
     * @param code of a role.
     * @return the role with that code.
     * @throws IllegalArgumentException if no role has the code.
     */
    public static RaftRole get(final int code)
    {
        if (code < 0 || code >= ROLES.length)
        {
            throw new IllegalArgumentException("no RaftRole with code " + code);
        }
        return ROLES[code];
    }
}
