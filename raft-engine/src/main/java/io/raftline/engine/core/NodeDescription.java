package io.raftline.engine.core;

import static io.raftline.engine.core.RaftRole.LEADER;

/**
 * The one-line description of a member's core that its {@code toString} gives: role, term, vote, leader, commit,
 * applied, log end, base and snapshot, the configuration's index, and a leader's view of its peers. Diagnostics only,
 * never on the hot path.
 */
final class NodeDescription
{
    private NodeDescription()
    {
    }

    static String describe(
        final int memberId,
        final RoleState roles,
        final CoreLog log,
        final CommitState commit,
        final long snapshotIndex,
        final Members members)
    {
        final StringBuilder builder = new StringBuilder()
            .append("RaftNode{id=").append(memberId)
            .append(", role=").append(roles.role())
            .append(", term=").append(log.currentTerm())
            .append(", votedFor=").append(log.votedFor())
            .append(", leader=").append(roles.leaderId())
            .append(", commit=").append(commit.commitIndex())
            .append(", applied=").append(commit.lastApplied())
            .append(", last=").append(log.lastIndex()).append('/').append(log.lastTerm())
            .append(", base=").append(log.baseIndex())
            .append(", snapshot=").append(snapshotIndex);
        return members.describePeers(builder, LEADER == roles.role()).append('}').toString();
    }
}
