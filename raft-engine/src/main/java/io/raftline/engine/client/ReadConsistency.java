package io.raftline.engine.client;

/**
 * The consistency a query asks for ({@link RaftClient#query}). Every level is linearizable under its assumptions;
 * they differ in cost and in who answers.
 */
public enum ReadConsistency
{
    /**
     * The leader answers once a round of heartbeats confirmed that it still leads (ReadIndex): a round trip to a
     * majority, shared by every query that arrived before it. No assumption on clocks.
     */
    LINEARIZABLE(0),

    /**
     * The leader answers from its state while its lease holds, with no round trip; it needs the cluster's lease
     * reads on (else it is served as {@link #LINEARIZABLE}) and clocks whose rates differ by less than the lease's
     * drift bound.
     */
    LEASE(1),

    /**
     * Any member answers, once it has applied a read index its leader confirmed (as for {@link #LINEARIZABLE}):
     * queries spread over the members.
     */
    FOLLOWER(2);

    private final int code;

    ReadConsistency(final int code)
    {
        this.code = code;
    }

    /**
     * @return the level's code on the wire.
     */
    public int code()
    {
        return code;
    }
}
