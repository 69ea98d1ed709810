package io.raftline.engine.core;

/**
 * What the election and the replicator need of the node's role state: the role, the one transition method and the
 * election timer. The node implements it; they hold no other reference to the node.
 */
interface Roles
{
    RaftRole role();

    void transitionTo(RaftRole next, long nowNs, String reason);

    void resetElectionDeadline(long nowNs);
}
