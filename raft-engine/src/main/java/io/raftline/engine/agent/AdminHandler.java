package io.raftline.engine.agent;

import io.raftline.codecs.AdminAction;
import io.raftline.codecs.AdminResponseCode;
import io.raftline.codecs.AdminResponseEncoder;
import io.raftline.codecs.MemberStatusEncoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import org.agrona.ExpandableArrayBuffer;

/**
 * The member's side of the admin protocol: requests that arrive on an open client session (so the
 * {@link io.raftline.engine.Authenticator} admitted their sender), answered on that session's egress.
 * <ul>
 *     <li>{@code DESCRIBE}: every member answers with its own view ({@code MemberStatus}); the admin tool asks
 *     them all.</li>
 *     <li>{@code SNAPSHOT}: the member addressed takes a snapshot now and answers when it is durable.</li>
 *     <li>{@code TRANSFER_LEADERSHIP} and {@code STEP_DOWN} (the leader only): the core brings the target up to date,
 *     stops taking proposals and sends it TimeoutNow; the answer comes when another member leads, or when the core
 *     gave the transfer up and this member leads on.</li>
 *     <li>Membership changes go to {@link MembershipAdmin}.</li>
 * </ul>
 * The same hand-over serves a leader that shuts down ({@link #requestHandover}, from the thread closing the
 * member): it tries each other voter in turn, so a rolling restart needs no election timeout.
 * <p>
 * Nothing here runs on the steady-state path: while no request is pending, {@link #doWork} reads two fields.
 */
final class AdminHandler
{
    /**
     * How long a snapshot may take before the request is answered as failed.
     */
    static final long SNAPSHOT_TIMEOUT_NS = 120_000_000_000L;

    private final MemberContext ctx;
    private final MemberCounters counters;
    private final EgressPublisher egress;
    private final SessionStateMachine table;
    private final ElectionCauses elections;
    private final MembershipAdmin membership;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AdminResponseEncoder responseEncoder = new AdminResponseEncoder();
    private final MemberStatusEncoder statusEncoder = new MemberStatusEncoder();
    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(1024);
    private RaftNode node;

    // A transfer in progress, for an admin request (transferSession != 0) or a shutdown (isHandingOver).
    private boolean isTransferring;
    private long transferSessionId;
    private long transferCorrelationId;
    private int transferTarget = RaftNode.NO_MEMBER;
    private long transferDeadlineNs;
    private long transferStartNs;
    // Shutdown: the voters still to try, in order, and whether the hand-over is over (either way).
    private volatile boolean isHandoverRequested;
    private volatile boolean isHandoverDone;
    private boolean isHandingOver;
    private int handoverAttempts;

    // A snapshot in progress for an admin request.
    private long snapshotSessionId;
    private long snapshotCorrelationId;
    private long snapshotAfterIndex;
    private long snapshotDeadlineNs;

    AdminHandler(
        final MemberContext ctx,
        final MemberCounters counters,
        final EgressPublisher egress,
        final SessionStateMachine table,
        final ElectionCauses elections)
    {
        this.ctx = ctx;
        this.counters = counters;
        this.egress = egress;
        this.table = table;
        this.elections = elections;
        this.membership = new MembershipAdmin(this);
    }

    void node(final RaftNode node)
    {
        this.node = node;
        membership.node(node);
    }

    RaftNode node()
    {
        return node;
    }

    MemberContext context()
    {
        return ctx;
    }

    EgressPublisher egress()
    {
        return egress;
    }

    SessionStateMachine table()
    {
        return table;
    }

    /**
     * An admin request from a client session.
     *
     * @param clientSessionId of the sender's session; a session this member does not know is counted and dropped
     *                        (there is no channel to answer on, and the sender is not known to be authenticated).
     */
    void onAdminRequest(
        final long clientSessionId,
        final long correlationId,
        final AdminAction action,
        final int memberId,
        final int newMemberId,
        final boolean force,
        final String endpoint,
        final long nowNs)
    {
        final ClientSession session = table.session(clientSessionId);
        if (null == session)
        {
            counters.unknownSessionRequests.increment();
            return;
        }
        counters.adminRequests.increment();
        session.lastActivityNs = nowNs;
        switch (action)
        {
            case DESCRIBE:
                describe(session, correlationId);
                break;

            case SNAPSHOT:
                snapshot(session, correlationId, nowNs);
                break;

            case STEP_DOWN:
                transfer(session, correlationId, RaftNode.NO_MEMBER, nowNs);
                break;

            case TRANSFER_LEADERSHIP:
                transfer(session, correlationId, memberId, nowNs);
                break;

            case ADD_LEARNER:
            case PROMOTE:
            case REMOVE:
            case REPLACE:
                if (RaftRole.LEADER != node.role())
                {
                    notLeader(session, correlationId);
                }
                else
                {
                    membership.onRequest(session, correlationId, action, memberId, newMemberId, force, endpoint,
                        nowNs);
                }
                break;

            default:
                respond(session, correlationId, AdminResponseCode.ERROR, 0, "unknown admin action " + action);
                break;
        }
    }

    /**
     * The configuration changed (the core's listener, on this thread).
     */
    void onMembershipChange(final io.raftline.engine.core.Membership configuration)
    {
        membership.onChange(configuration);
    }

    void onBecomeLeader()
    {
        membership.onBecomeLeader();
    }

    void onNotLeaderConnect(final long correlationId, final long clientSessionId, final int responseStreamId,
        final String responseChannel)
    {
        membership.onNotLeaderConnect(clientSessionId, responseStreamId, responseChannel);
    }

    /**
     * Hand leadership over before this member shuts down; called from the thread that closes the member.
     */
    void requestHandover()
    {
        isHandoverRequested = true;
    }

    /**
     * @return whether the hand-over asked for by {@link #requestHandover} is over: another member leads, this one
     * did not lead, or every voter was tried.
     */
    boolean isHandoverDone()
    {
        return isHandoverDone;
    }

    int doWork(final long nowNs)
    {
        int work = 0;
        if (isHandoverRequested && !isHandingOver && !isHandoverDone)
        {
            isHandingOver = true;
            work += startHandover(nowNs);
        }
        if (isTransferring)
        {
            work += checkTransfer(nowNs);
        }
        if (0 != snapshotSessionId)
        {
            work += checkSnapshot(nowNs);
        }
        work += membership.doWork(nowNs);
        return work;
    }

    // ------------------------------------------------------------------------------------------- describe

    private void describe(final ClientSession session, final long correlationId)
    {
        statusEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(session.id)
            .correlationId(correlationId)
            .memberId(ctx.memberId())
            .leaderMemberId(node.leaderId())
            .role(node.role().code())
            .term(node.currentTerm())
            .commitIndex(node.commitIndex())
            .appliedIndex(node.lastApplied())
            .lastLogIndex(node.log().lastIndex())
            .snapshotIndex(node.snapshotIndex())
            .timeoutElections(elections.timeoutElections())
            .transferElections(elections.transferElections());
        membership.encodeFollowers(statusEncoder);
        statusEncoder.configuration(membership.describeConfiguration());
        egress.send(session, frame, 0, MessageHeaderEncoder.ENCODED_LENGTH + statusEncoder.encodedLength());
    }

    // ------------------------------------------------------------------------------------------- snapshot

    private void snapshot(final ClientSession session, final long correlationId, final long nowNs)
    {
        if (0 != snapshotSessionId)
        {
            respond(session, correlationId, AdminResponseCode.REFUSED, 0,
                "a snapshot requested earlier is still being taken on member " + ctx.memberId());
            return;
        }
        final long applied = node.lastApplied();
        if (applied <= node.snapshotIndex())
        {
            respond(session, correlationId, AdminResponseCode.OK, node.snapshotIndex(),
                "the snapshot at index " + node.snapshotIndex() + " already covers everything member " +
                ctx.memberId() + " applied");
            return;
        }
        node.requestSnapshot();
        snapshotSessionId = session.id;
        snapshotCorrelationId = correlationId;
        snapshotAfterIndex = applied;
        snapshotDeadlineNs = nowNs + SNAPSHOT_TIMEOUT_NS;
    }

    private int checkSnapshot(final long nowNs)
    {
        final long snapshotIndex = node.snapshotIndex();
        if (snapshotIndex >= snapshotAfterIndex)
        {
            respond(snapshotSessionId, snapshotCorrelationId, AdminResponseCode.OK, snapshotIndex,
                "member " + ctx.memberId() + " took a snapshot at index " + snapshotIndex);
        }
        else if (nowNs >= snapshotDeadlineNs)
        {
            respond(snapshotSessionId, snapshotCorrelationId, AdminResponseCode.REFUSED, snapshotIndex,
                "member " + ctx.memberId() + " did not finish the snapshot within " +
                SNAPSHOT_TIMEOUT_NS / 1_000_000_000L + " s (see its errors counter)");
        }
        else
        {
            return 0;
        }
        snapshotSessionId = 0;
        return 1;
    }

    // ------------------------------------------------------------------------------------------- transfer

    private void transfer(final ClientSession session, final long correlationId, final int requestedTarget,
        final long nowNs)
    {
        if (RaftRole.LEADER != node.role())
        {
            notLeader(session, correlationId);
            return;
        }
        if (requestedTarget == ctx.memberId())
        {
            respond(session, correlationId, AdminResponseCode.OK, 0,
                "member " + ctx.memberId() + " already leads term " + node.currentTerm());
            return;
        }
        if (isTransferring)
        {
            respond(session, correlationId, AdminResponseCode.REFUSED, 0,
                "a leadership transfer to member " + transferTarget + " is in progress");
            return;
        }
        final int target = RaftNode.NO_MEMBER == requestedTarget ? membership.transferTarget(0) : requestedTarget;
        final String refusal = membership.transferRefusal(target);
        if (null != refusal)
        {
            respond(session, correlationId, AdminResponseCode.REFUSED, 0, refusal);
            return;
        }
        if (!startTransfer(target, nowNs))
        {
            respond(session, correlationId, AdminResponseCode.REFUSED, 0,
                "member " + ctx.memberId() + " could not start a transfer to member " + target);
            return;
        }
        transferSessionId = session.id;
        transferCorrelationId = correlationId;
    }

    private boolean startTransfer(final int target, final long nowNs)
    {
        if (RaftNode.NO_MEMBER == target || !node.transferLeadership(target, nowNs))
        {
            return false;
        }
        isTransferring = true;
        transferTarget = target;
        transferStartNs = nowNs;
        // The core gives up after an election timeout; a little more lets the target's election finish.
        transferDeadlineNs = nowNs + ctx.raftConfig().electionTimeoutMaxNs() +
            2 * ctx.raftConfig().heartbeatIntervalNs();
        return true;
    }

    private int startHandover(final long nowNs)
    {
        if (RaftRole.LEADER != node.role())
        {
            isHandoverDone = true;
            return 1;
        }
        if (isTransferring)
        {
            // An operator's transfer is under way: it is the hand-over (and if it gives up, the next voter is
            // tried).
            return 0;
        }
        return nextHandoverAttempt(nowNs);
    }

    private int nextHandoverAttempt(final long nowNs)
    {
        while (true)
        {
            final int target = membership.transferTarget(handoverAttempts);
            if (RaftNode.NO_MEMBER == target)
            {
                // Every voter was tried, or this member is the only one.
                isHandoverDone = true;
                return 1;
            }
            handoverAttempts++;
            if (startTransfer(target, nowNs))
            {
                return 1;
            }
        }
    }

    private int checkTransfer(final long nowNs)
    {
        if (RaftRole.LEADER != node.role())
        {
            final int leader = node.leaderId();
            if (leader < 0 && nowNs < transferDeadlineNs)
            {
                // Deposed by the target's vote request: the answer waits until the new leader makes itself known.
                return 0;
            }
            isTransferring = false;
            if (0 != transferSessionId)
            {
                respond(transferSessionId, transferCorrelationId, AdminResponseCode.OK, 0,
                    (leader == transferTarget ? "member " + leader + " leads" : "member " + ctx.memberId() +
                    " stepped down" + (leader >= 0 ? "; member " + leader + " leads" : "")) +
                    " (" + (nowNs - transferStartNs) / 1_000_000 + " ms)");
                transferSessionId = 0;
            }
            if (isHandingOver)
            {
                isHandoverDone = true;
            }
            return 1;
        }
        if (nowNs < transferDeadlineNs)
        {
            return 0;
        }
        isTransferring = false;
        if (0 != transferSessionId)
        {
            respond(transferSessionId, transferCorrelationId, AdminResponseCode.REFUSED, 0,
                "member " + transferTarget + " did not take over within an election timeout (not caught up, or " +
                "unreachable); member " + ctx.memberId() + " leads on");
            transferSessionId = 0;
        }
        if (isHandingOver)
        {
            return nextHandoverAttempt(nowNs);
        }
        return 1;
    }

    // ------------------------------------------------------------------------------------------- answers

    void notLeader(final ClientSession session, final long correlationId)
    {
        respond(session, correlationId, AdminResponseCode.NOT_LEADER, 0,
            "member " + ctx.memberId() + " does not lead" +
            (node.leaderId() >= 0 ? "; member " + node.leaderId() + " does" : "; no leader is known"));
    }

    void respond(final long clientSessionId, final long correlationId, final AdminResponseCode code,
        final long logIndex, final String detail)
    {
        final ClientSession session = table.session(clientSessionId);
        if (null != session)
        {
            respond(session, correlationId, code, logIndex, detail);
        }
    }

    void respond(final ClientSession session, final long correlationId, final AdminResponseCode code,
        final long logIndex, final String detail)
    {
        responseEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(session.id)
            .correlationId(correlationId)
            .logIndex(logIndex)
            .leadershipTerm(node.currentTerm())
            .leaderMemberId(node.leaderId())
            .responderId(ctx.memberId())
            .code(code)
            .detail(detail);
        egress.send(session, frame, 0, MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength());
    }
}
