package io.raftline.engine.agent;

import io.raftline.codecs.AdminAction;
import io.raftline.codecs.AdminResponseCode;
import io.raftline.codecs.BooleanType;
import io.raftline.codecs.ClusterMembersEventEncoder;
import io.raftline.codecs.MemberStatusEncoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.engine.core.ConfigurationChanges;
import io.raftline.engine.core.Membership;
import io.raftline.engine.core.MembershipChange;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import org.agrona.ExpandableArrayBuffer;

import java.util.List;

/**
 * The configuration side of the admin protocol: membership changes on the leader (answered once the change has
 * committed, through joint consensus when voters change), which voter takes over leadership, what {@code describe}
 * shows of the configuration, and the news of a new configuration to every client session, so that a client can
 * follow a leader it was not started with.
 */
final class MembershipAdmin
{
    /**
     * How long a change may take to commit (and, for voters, to leave the joint configuration) before the request is
     * answered as not done.
     */
    static final long CHANGE_TIMEOUT_NS = 30_000_000_000L;

    private final AdminHandler admin;
    private final MemberContext ctx;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ClusterMembersEventEncoder membersEncoder = new ClusterMembersEventEncoder();
    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(512);
    private RaftNode node;
    private Membership announced;

    // The change in progress for an admin request: its entry, and whether it waits for the joint phase to end.
    private long changeSessionId;
    private long changeCorrelationId;
    private long changeIndex;
    private long changeDeadlineNs;
    private String changeDone;

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
     * @param attempt 0 for the first choice (the most caught-up voter), 1 for the next after that one gave up, ...
     * @return the voter to hand leadership to, or {@link RaftNode#NO_MEMBER} when every one was tried.
     */
    int transferTarget(final int attempt)
    {
        final int best = node.membershipChanges().bestTransferTarget();
        if (0 == attempt && RaftNode.NO_MEMBER != best)
        {
            return best;
        }
        int seen = RaftNode.NO_MEMBER != best ? 1 : 0;
        for (final int id : node.membership().voters())
        {
            if (id != ctx.memberId() && id != best && seen++ == attempt)
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
        final Membership membership = node.membership();
        if (RaftNode.NO_MEMBER == target)
        {
            return "member " + ctx.memberId() + " is the only voter: nobody to hand leadership to";
        }
        if (membership.isLearner(target))
        {
            return "member " + target + " is a learner: promote it first";
        }
        if (!membership.isVoter(target))
        {
            return "unknown member " + target + ": the configuration is " + membership;
        }
        if (node.membershipChanges().isTransferring())
        {
            return "a leadership transfer is already in progress";
        }
        return null;
    }

    String describeConfiguration()
    {
        return node.membership().toString();
    }

    /**
     * The leader's view of each member's log: the admin tool computes the lag from it.
     */
    void encodeFollowers(final MemberStatusEncoder encoder)
    {
        if (RaftRole.LEADER != node.role())
        {
            encoder.followersCount(0);
            return;
        }
        final int[] members = node.membership().members();
        int count = 0;
        for (final int id : members)
        {
            count += id != ctx.memberId() ? 1 : 0;
        }
        final MemberStatusEncoder.FollowersEncoder followers = encoder.followersCount(count);
        for (final int id : members)
        {
            if (id != ctx.memberId())
            {
                followers.next().memberId(id).matchIndex(node.membershipChanges().matchIndexOf(id));
            }
        }
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
        if (0 != changeSessionId)
        {
            admin.respond(session, correlationId, AdminResponseCode.REFUSED, 0,
                reason(MembershipChange.CHANGE_IN_FLIGHT));
            return;
        }
        final boolean needsEndpoint = AdminAction.ADD_LEARNER == action ||
            (AdminAction.REPLACE == action && !node.membership().isLearner(newMemberId));
        final String endpointError = needsEndpoint && !ctx.clusterMembers().isIpc() ?
            ClusterMembers.endpointError(endpoint) : null;
        if (null != endpointError)
        {
            admin.respond(session, correlationId, AdminResponseCode.REFUSED, 0, endpointError);
            return;
        }
        final ConfigurationChanges changes = node.membershipChanges();
        final long result;
        final String done;
        switch (action)
        {
            case ADD_LEARNER:
                result = changes.addLearner(memberId, endpoint);
                done = "member " + memberId + " (" + endpoint + ") is a learner";
                break;

            case PROMOTE:
                result = changes.promote(memberId, force);
                done = "member " + memberId + " is a voter";
                break;

            case REMOVE:
                result = changes.remove(memberId);
                done = "member " + memberId + " is removed";
                break;

            default:
                result = changes.replace(memberId, newMemberId, endpoint);
                done = "member " + newMemberId + " replaced member " + memberId;
                break;
        }
        if (result < 0)
        {
            admin.respond(session, correlationId, AdminResponseCode.REFUSED, 0, reason(result));
            return;
        }
        changeSessionId = session.id;
        changeCorrelationId = correlationId;
        changeIndex = result;
        changeDeadlineNs = nowNs + CHANGE_TIMEOUT_NS;
        changeDone = done;
    }

    /**
     * @return the core's one-line reason, without its "refused: " (the answer's code says that).
     */
    private static String reason(final long code)
    {
        final String text = MembershipChange.describe(code);
        return text.startsWith("refused: ") ? text.substring("refused: ".length()) : text;
    }

    int doWork(final long nowNs)
    {
        if (0 == changeSessionId)
        {
            return 0;
        }
        final Membership membership = node.membership();
        final boolean isCommitted = node.commitIndex() >= membership.index();
        if (membership.index() >= changeIndex && !membership.isJoint() && isCommitted)
        {
            admin.respond(changeSessionId, changeCorrelationId, AdminResponseCode.OK, membership.index(),
                changeDone + ": " + membership);
        }
        else if (nowNs >= changeDeadlineNs)
        {
            admin.respond(changeSessionId, changeCorrelationId, AdminResponseCode.REFUSED, changeIndex,
                "the change at index " + changeIndex + " did not complete within " +
                CHANGE_TIMEOUT_NS / 1_000_000_000L + " s; the configuration is " + membership);
        }
        else if (RaftRole.LEADER != node.role())
        {
            admin.respond(changeSessionId, changeCorrelationId, AdminResponseCode.REFUSED, changeIndex,
                "member " + ctx.memberId() + " lost the leadership before the change at index " + changeIndex +
                " completed; ask describe whether it did");
        }
        else
        {
            return 0;
        }
        changeSessionId = 0;
        return 1;
    }

    /**
     * The configuration changed: a leader tells every session its members, so clients can reach new ones.
     */
    void onChange(final Membership membership)
    {
        if (RaftRole.LEADER == node.role())
        {
            announce(membership);
        }
    }

    /**
     * On becoming leader, before the sessions hear of it (they switch to the leader they are told of, so they must
     * know how to reach it).
     */
    void onBecomeLeader()
    {
        announce(node.membership());
    }

    /**
     * A client asked this follower for a session: if the configuration changed since the cluster started, the
     * client may not know the leader's endpoint, so it is told the members (once per connect attempt it sends
     * here, and only while a leader is known).
     */
    void onNotLeaderConnect(final long clientSessionId, final int responseStreamId, final String responseChannel)
    {
        final Membership membership = node.membership();
        if (membership.index() > 0 && node.leaderId() >= 0 && responseChannel.startsWith("aeron:"))
        {
            final int length = encodeMembers(clientSessionId, membership);
            admin.egress().oneOff(responseChannel, responseStreamId, frame, 0, length);
        }
    }

    private void announce(final Membership membership)
    {
        if (membership.equals(announced) && null != announced)
        {
            return;
        }
        announced = membership;
        final List<ClientSession> sessions = admin.table().sessions();
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            admin.egress().send(sessions.get(i), frame, 0, encodeMembers(sessions.get(i).id, membership));
        }
    }

    /**
     * @return the length of a ClusterMembersEvent for the session, encoded into the frame buffer.
     */
    int encodeMembers(final long clientSessionId, final Membership membership)
    {
        membersEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(clientSessionId)
            .leadershipTerm(node.currentTerm())
            .leaderMemberId(node.leaderId())
            .configurationIndex(membership.index());
        final int[] members = membership.members();
        final ClusterMembersEventEncoder.MembersEncoder group = membersEncoder.membersCount(members.length);
        for (final int id : members)
        {
            final String endpoint = membership.endpoint(id);
            group.next()
                .memberId(id)
                .learner(membership.isLearner(id) ? BooleanType.TRUE : BooleanType.FALSE)
                .endpoint(null == endpoint ? "" : endpoint);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + membersEncoder.encodedLength();
    }

    ExpandableArrayBuffer frame()
    {
        return frame;
    }
}
