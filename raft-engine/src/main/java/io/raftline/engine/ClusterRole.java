package io.raftline.engine;

/**
 * A member's role as the service sees it ({@link RaftService#onRoleChange}).
 */
public enum ClusterRole
{
    /**
     * Follows a leader, or waits for one: applies what the leader replicates and sends nothing to clients.
     */
    FOLLOWER,

    /**
     * Seeks votes to become leader (a pre-vote or an election): no leader is known to this member.
     */
    CANDIDATE,

    /**
     * Leads the cluster: it appends, and it alone sends the service's messages and answers to clients.
     */
    LEADER
}
