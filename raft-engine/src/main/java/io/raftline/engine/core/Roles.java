package io.raftline.engine.core;

/**
 * What the election needs of the node's role state: the role, the one transition method, the election timer and
 * the leader lease. The node implements it; the election holds no other reference to the node.
 */
interface Roles
{
    RaftRole role();

    void transitionTo(RaftRole next, long nowNs, String reason);

    void resetElectionDeadline(long nowNs);

    boolean isWithinLeaderLease(long nowNs);

    boolean acceptTerm(long term, int senderId, boolean isFromLeader, long nowNs);

    void stepDown(long term, int newLeaderId, long nowNs, String reason);
}
