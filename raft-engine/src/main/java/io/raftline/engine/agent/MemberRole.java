package io.raftline.engine.agent;

import io.raftline.engine.core.RaftRole;
import io.raftline.engine.core.RoleListener;

/**
 * The member's role as other threads see it (the volatile role and the role, term and leader counters), told of
 * each change by the core's role transition, which it then passes on to the client sessions.
 */
final class MemberRole implements RoleListener
{
    private final int memberId;
    private final MemberCounters counters;
    private final RoleListener sessions;
    private volatile RaftRole role = RaftRole.FOLLOWER;

    MemberRole(final int memberId, final MemberCounters counters, final RoleListener sessions)
    {
        this.memberId = memberId;
        this.counters = counters;
        this.sessions = sessions;
    }

    RaftRole role()
    {
        return role;
    }

    public void onRoleChange(final RaftRole from, final RaftRole to, final long term, final long nowNs)
    {
        role = to;
        counters.role.setRelease(to.code());
        counters.term.setRelease(term);
        if (RaftRole.LEADER == to)
        {
            counters.leaderId.setRelease(memberId);
        }
        sessions.onRoleChange(from, to, term, nowNs);
    }
}
