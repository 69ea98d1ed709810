package io.raftline.engine.agent;

import io.raftline.codecs.AdminAction;
import io.raftline.codecs.AdminResponseCode;
import io.raftline.codecs.MemberStatusEncoder;
import io.raftline.engine.core.RaftNode;

/**
 * The configuration side of the admin protocol: which members may take over leadership, what {@code describe}
 * shows of the configuration, and the membership changes.
 */
final class MembershipAdmin
{
    private final AdminHandler admin;
    private final MemberContext ctx;
    private RaftNode node;

    MembershipAdmin(final AdminHandler admin)
    {
        this.admin = admin;
        this.ctx = admin.context();
    }

    void node(final RaftNode node)
    {
        this.node = node;
    }

    /**
     * @param attempt 0 for the first choice, 1 for the next after that one gave up, ...
     * @return the voter to hand leadership to, or {@link RaftNode#NO_MEMBER} when every one was tried.
     */
    int transferTarget(final int attempt)
    {
        final int[] ids = ctx.raftConfig().memberIds();
        int seen = 0;
        for (final int id : ids)
        {
            if (id != ctx.memberId() && seen++ == attempt)
            {
                return id;
            }
        }
        return RaftNode.NO_MEMBER;
    }

    /**
     * @param target a member to hand leadership to.
     * @return why it cannot take over, or null if it can be asked.
     */
    String transferRefusal(final int target)
    {
        if (RaftNode.NO_MEMBER == target)
        {
            return "member " + ctx.memberId() + " is the only voter: nobody to hand leadership to";
        }
        if (ctx.raftConfig().positionOf(target) < 0)
        {
            return "unknown member " + target + ": voters are " + describeConfiguration();
        }
        return null;
    }

    String describeConfiguration()
    {
        return "voters " + ctx.clusterMembers();
    }

    void encodeFollowers(final MemberStatusEncoder encoder)
    {
        encoder.followersCount(0);
    }

    void onRequest(
        final ClientSession session,
        final long correlationId,
        final AdminAction action,
        final int memberId,
        final int newMemberId,
        final boolean force,
        final String endpoint,
        final long nowNs)
    {
        admin.respond(session, correlationId, AdminResponseCode.ERROR, 0,
            "member " + ctx.memberId() + " cannot change the configuration: its build has no membership changes");
    }

    int doWork(final long nowNs)
    {
        return 0;
    }
}
