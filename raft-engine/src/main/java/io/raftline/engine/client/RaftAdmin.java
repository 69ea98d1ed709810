package io.raftline.engine.client;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftline.codecs.AdminAction;
import io.raftline.codecs.AdminRequestEncoder;
import io.raftline.codecs.AdminResponseCode;
import io.raftline.codecs.AdminResponseDecoder;
import io.raftline.codecs.BooleanType;
import io.raftline.codecs.MemberStatusDecoder;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An operator's client of a Raftline cluster: describe it, move its leader, take snapshots and change its members.
 * It opens an ordinary client session (so the cluster's {@link io.raftline.engine.Authenticator} admits it like any
 * client) and sends admin requests on it; each call blocks until the cluster answered or the timeout passed.
 * <pre>
 * try (RaftAdmin admin = RaftAdmin.connect(new ClientContext().members("0@h0:9000,1@h1:9000,2@h2:9000")))
 * {
 *     admin.describe().forEach(System.out::println);
 *     RaftAdmin.Result result = admin.transferLeadership(2);
 * }
 * </pre>
 * Not thread-safe: use from one thread.
 */
public final class RaftAdmin implements AutoCloseable
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final long DESCRIBE_RESEND_NS = 50_000_000L;

    /**
     * How long a request that follows the leader waits for the member it went to once another member leads, before
     * it takes that member for gone and sends the request to the new leader.
     */
    static final long UNANSWERED_GRACE_NS = 1_000_000_000L;

    private final RaftClient client;
    private final ClientContext ctx;
    private final long timeoutNs;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AdminRequestEncoder requestEncoder = new AdminRequestEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AdminResponseDecoder responseDecoder = new AdminResponseDecoder();
    private final MemberStatusDecoder statusDecoder = new MemberStatusDecoder();
    private final ExpandableArrayBuffer requestBuffer = new ExpandableArrayBuffer(256);
    private final Map<Integer, Status> statuses = new TreeMap<>();
    private long correlationId;
    private long awaitedCorrelationId = -1;
    // Since when another member leads while the member a request went to has not answered, or 0.
    private long otherLeaderSinceNs;
    private Result result;

    /**
     * The outcome of a request.
     *
     * @param isOk        whether it was done.
     * @param code        OK, REFUSED, NOT_LEADER, ERROR or TIMED_OUT (no answer in time).
     * @param logIndex    the configuration entry or snapshot it made, 0 if none.
     * @param leaderId    the leader as the member that answered knew it, or -1.
     * @param responderId the member that answered, or -1.
     * @param detail      one line saying what happened or why not.
     */
    public record Result(boolean isOk, String code, long logIndex, int leaderId, int responderId, String detail)
    {
        /**
         * @return the outcome in one line, as the admin tool prints it.
         */
        public String toString()
        {
            return (isOk ? "ok: " : code.toLowerCase().replace('_', ' ') + ": ") + detail;
        }
    }

    /**
     * One member's answer to {@link #describe()}: its own view, and for the leader the match index of each member.
     *
     * @param memberId          of the member.
     * @param leaderId          the leader it knows of, or -1.
     * @param role              FOLLOWER, PRE_CANDIDATE, CANDIDATE or LEADER.
     * @param term              its current term.
     * @param commitIndex       its commit index.
     * @param appliedIndex      the last index its state machine applied.
     * @param lastLogIndex      the last index in its log.
     * @param snapshotIndex     of its newest snapshot.
     * @param timeoutElections  campaigns its election timer started.
     * @param transferElections campaigns a leader's TimeoutNow started.
     * @param matchIndexes      the leader's only: each member's match index as the leader knows it.
     * @param configuration     its configuration, readable.
     */
    public record Status(
        int memberId,
        int leaderId,
        String role,
        long term,
        long commitIndex,
        long appliedIndex,
        long lastLogIndex,
        long snapshotIndex,
        long timeoutElections,
        long transferElections,
        Map<Integer, Long> matchIndexes,
        String configuration)
    {
    }

    private RaftAdmin(final RaftClient client, final ClientContext ctx, final long timeoutNs)
    {
        this.client = client;
        this.ctx = ctx;
        this.timeoutNs = timeoutNs;
        client.extensionHandler(new AnswerHandler());
    }

    /**
     * Open a session on the cluster.
     *
     * @param ctx of the client (its listener may be left unset); its command timeout is how long each request may
     *            take.
     * @return the connected admin client.
     * @throws ClientException if no leader answered within the connect timeout or the session was refused.
     */
    public static RaftAdmin connect(final ClientContext ctx)
    {
        if (null == ctx.listener())
        {
            // The admin client sends no commands: nothing answers to this listener.
            ctx.listener((correlationId, outcome, logIndex, buffer, offset, length) -> {});
        }
        final RaftClient client = RaftClient.connect(ctx);
        return new RaftAdmin(client, ctx, ctx.commandTimeoutNs());
    }

    /**
     * @return the client the requests go through (its leader, its session).
     */
    public RaftClient client()
    {
        return client;
    }

    /**
     * Ask every member for its view and wait up to the command timeout for all to answer: the members named when
     * connecting and those the leader named since (a configuration change is announced to every session).
     *
     * @return the answers, by member id; a member that did not answer in time is missing.
     */
    public List<Status> describe()
    {
        statuses.clear();
        final long describeCorrelationId = ++correlationId;
        // The members this client was started with, and those the leader told it of since.
        final int[] ids = client.memberIds().clone();
        final long[] sentNs = new long[ids.length];
        final long deadlineNs = System.nanoTime() + timeoutNs;
        awaitedCorrelationId = describeCorrelationId;
        final int length = encode(describeCorrelationId, AdminAction.DESCRIBE, -1, -1, false, "");
        long nowNs;
        while ((nowNs = System.nanoTime()) < deadlineNs)
        {
            int answered = 0;
            for (int i = 0; i < ids.length; i++)
            {
                if (statuses.containsKey(ids[i]))
                {
                    answered++;
                }
                else if (0 == sentNs[i] || nowNs - sentNs[i] > DESCRIBE_RESEND_NS)
                {
                    // A follower answers only once it applied the session's open entry, a heartbeat after the
                    // leader; a member that was down answers once it is back: ask again until the deadline.
                    sentNs[i] = client.offerFrame(ids[i], requestBuffer, 0, length) > 0 ? nowNs : 0;
                }
            }
            if (answered == ids.length)
            {
                break;
            }
            idle(client.poll());
        }
        awaitedCorrelationId = -1;
        return Collections.unmodifiableList(new ArrayList<>(statuses.values()));
    }

    /**
     * Take a snapshot now.
     *
     * @param memberId the member that takes it, or -1 for the leader.
     * @return the outcome; its log index is the snapshot's.
     */
    public Result snapshot(final int memberId)
    {
        return request(memberId, AdminAction.SNAPSHOT, -1, -1, false, "");
    }

    /**
     * The leader hands leadership to the most caught-up voter and steps down.
     *
     * @return the outcome.
     */
    public Result stepDown()
    {
        return request(-1, AdminAction.STEP_DOWN, -1, -1, false, "");
    }

    /**
     * The leader brings {@code memberId} up to date, stops taking commands meanwhile, and hands over to it.
     *
     * @param memberId the voter to lead.
     * @return the outcome: ok once another member leads; refused if the transfer gave up and the leader leads on.
     */
    public Result transferLeadership(final int memberId)
    {
        return request(-1, AdminAction.TRANSFER_LEADERSHIP, memberId, -1, false, "");
    }

    /**
     * Add a member that receives the log and snapshots but does not vote.
     *
     * @param memberId a new id, never used before in this cluster.
     * @param endpoint its {@code host:port}.
     * @return the outcome; its log index is the configuration entry's.
     */
    public Result addLearner(final int memberId, final String endpoint)
    {
        return request(-1, AdminAction.ADD_LEARNER, memberId, -1, false, endpoint);
    }

    /**
     * Make a learner a voter.
     *
     * @param memberId of the learner.
     * @param force    even if it has not caught up.
     * @return the outcome.
     */
    public Result promote(final int memberId, final boolean force)
    {
        return request(-1, AdminAction.PROMOTE, memberId, -1, force, "");
    }

    /**
     * Remove a member.
     *
     * @param memberId of the member.
     * @return the outcome.
     */
    public Result remove(final int memberId)
    {
        return request(-1, AdminAction.REMOVE, memberId, -1, false, "");
    }

    /**
     * Swap a voter for a new member in one joint-consensus step.
     *
     * @param oldMemberId the voter that leaves.
     * @param newMemberId a new id, never used before in this cluster.
     * @param endpoint    the new member's {@code host:port}.
     * @return the outcome.
     */
    public Result replace(final int oldMemberId, final int newMemberId, final String endpoint)
    {
        return request(-1, AdminAction.REPLACE, oldMemberId, newMemberId, false, endpoint);
    }

    /**
     * Close the session.
     */
    public void close()
    {
        client.close();
    }

    /**
     * Send to the member (or the leader) and wait for the answer; a NOT_LEADER answer naming the leader is followed
     * there, once per leader; an answer from a member the request is no longer waiting on is ignored
     * ({@link #isFromAnother(Result, int)}).
     */
    private Result request(
        final int memberId,
        final AdminAction action,
        final int targetId,
        final int newMemberId,
        final boolean force,
        final String endpoint)
    {
        final long requestCorrelationId = ++correlationId;
        final int length = encode(requestCorrelationId, action, targetId, newMemberId, force, endpoint);
        final long deadlineNs = System.nanoTime() + timeoutNs;
        int destination = memberId;
        int sentTo = Integer.MIN_VALUE;
        result = null;
        awaitedCorrelationId = requestCorrelationId;
        try
        {
            while (System.nanoTime() < deadlineNs)
            {
                final int work = client.poll();
                if (null != result && isFromAnother(result, sentTo))
                {
                    result = null;
                }
                if (null != result)
                {
                    if (!"NOT_LEADER".equals(result.code()) || memberId >= 0 || result.leaderId() < 0 ||
                        result.leaderId() == sentTo)
                    {
                        return result;
                    }
                    destination = result.leaderId();
                    result = null;
                    sentTo = Integer.MIN_VALUE;
                }
                // Sent once, then awaited from that member: the member answers even after it lost the lead (a
                // transfer's answer comes when another member leads), and a request sent again to the client's new
                // leader could run twice (a second transfer, a second change). Only a member that went away (its
                // subscription is gone, or another member has led for UNANSWERED_GRACE_NS with no answer from it)
                // is given up on, and the request goes again where it would go now.
                if (sentTo >= 0 && isGone(sentTo, memberId < 0 && destination < 0))
                {
                    sentTo = Integer.MIN_VALUE;
                    destination = memberId;
                }
                final int resolved = destination >= 0 ? destination : client.leaderId();
                if (sentTo < 0 && resolved >= 0 && client.offerFrame(resolved, requestBuffer, 0, length) > 0)
                {
                    sentTo = resolved;
                    otherLeaderSinceNs = 0;
                }
                idle(work);
            }
            return new Result(false, "TIMED_OUT", 0, client.leaderId(), -1, "no answer within " +
                timeoutNs / 1_000_000 + " ms" + (sentTo >= 0 ? " from member " + sentTo : ": no leader known"));
        }
        finally
        {
            awaitedCorrelationId = -1;
        }
    }

    /**
     * Whether to give up on the member a request went to: its publication lost its subscriber, or (for a request that
     * follows the leader) another member has led for {@link #UNANSWERED_GRACE_NS} with no answer from it. A live member
     * answers within a heartbeat or two, even one that lost the lead (a transfer's answer comes just when another
     * member leads); a process killed with -9 keeps its publication connected for Aeron's timeout, seconds.
     *
     * @param sentTo           the member the request went to.
     * @param isFollowingLeader whether the request goes wherever the client's leader is.
     * @return whether that member is taken for gone.
     */
    private boolean isGone(final int sentTo, final boolean isFollowingLeader)
    {
        if (!client.isConnectedTo(sentTo))
        {
            otherLeaderSinceNs = 0;
            return true;
        }
        final int leaderId = client.leaderId();
        if (!isFollowingLeader || leaderId < 0 || leaderId == sentTo)
        {
            otherLeaderSinceNs = 0;
            return false;
        }
        final long nowNs = System.nanoTime();
        if (0 == otherLeaderSinceNs)
        {
            otherLeaderSinceNs = nowNs;
            return false;
        }
        if (nowNs - otherLeaderSinceNs > UNANSWERED_GRACE_NS)
        {
            otherLeaderSinceNs = 0;
            return true;
        }
        return false;
    }

    /**
     * The outcome of a request is the answer of the member it was last sent to; an answer from any other member (one
     * the request went to before a NOT_LEADER answer sent it on) is late and ignored. Until this change a request that
     * followed the client's leader was also sent again whenever the client learnt of a new leader, and the first
     * member's answer was taken as the outcome: it failed a transfer in the perf suite's membership section ("not
     * leader: member 2 does not lead; member 0 does", just after the request had gone to member 0 as well).
     *
     * @param result of a request.
     * @param sentTo the member the request was last sent to, negative if it is not sent again yet.
     * @return whether the answer came from a member other than the one whose answer is awaited.
     */
    static boolean isFromAnother(final Result result, final int sentTo)
    {
        return sentTo >= 0 && result.responderId() >= 0 && result.responderId() != sentTo;
    }

    private int encode(
        final long requestCorrelationId,
        final AdminAction action,
        final int memberId,
        final int newMemberId,
        final boolean force,
        final String endpoint)
    {
        requestEncoder.wrapAndApplyHeader(requestBuffer, 0, headerEncoder)
            .clientSessionId(client.sessionId())
            .correlationId(requestCorrelationId)
            .action(action)
            .memberId(memberId)
            .newMemberId(newMemberId)
            .force(force ? BooleanType.TRUE : BooleanType.FALSE)
            .endpoint(endpoint);
        return HEADER_LENGTH + requestEncoder.encodedLength();
    }

    private void idle(final int work)
    {
        ctx.idleStrategy().idle(work);
    }

    /**
     * Decodes the answers to the request awaited; anything else is dropped.
     */
    private final class AnswerHandler implements FragmentHandler
    {
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            try
            {
                onAnswer(buffer, offset, length);
            }
            catch (final IndexOutOfBoundsException | IllegalArgumentException ex)
            {
                // A truncated or malformed answer: as if lost; the request times out.
            }
        }

        private void onAnswer(final DirectBuffer buffer, final int offset, final int length)
        {
            headerDecoder.wrap(buffer, offset);
            final int bodyOffset = offset + HEADER_LENGTH;
            final int blockLength = headerDecoder.blockLength();
            final int version = headerDecoder.version();
            switch (headerDecoder.templateId())
            {
                case AdminResponseDecoder.TEMPLATE_ID:
                {
                    responseDecoder.wrap(buffer, bodyOffset, blockLength, version);
                    if (responseDecoder.clientSessionId() != client.sessionId() ||
                        responseDecoder.correlationId() != awaitedCorrelationId)
                    {
                        return;
                    }
                    final short code = responseDecoder.codeRaw();
                    final String name = code >= 0 && code <= AdminResponseCode.ERROR.value() ?
                        AdminResponseCode.get(code).name() : "ERROR";
                    result = new Result(AdminResponseCode.OK.value() == code, name, responseDecoder.logIndex(),
                        responseDecoder.leaderMemberId(), responseDecoder.responderId(), responseDecoder.detail());
                    break;
                }

                case MemberStatusDecoder.TEMPLATE_ID:
                {
                    statusDecoder.wrap(buffer, bodyOffset, blockLength, version);
                    if (statusDecoder.clientSessionId() != client.sessionId() ||
                        statusDecoder.correlationId() != awaitedCorrelationId)
                    {
                        return;
                    }
                    final int memberId = statusDecoder.memberId();
                    final int leaderId = statusDecoder.leaderMemberId();
                    final int role = statusDecoder.role();
                    final long term = statusDecoder.term();
                    final long commitIndex = statusDecoder.commitIndex();
                    final long appliedIndex = statusDecoder.appliedIndex();
                    final long lastLogIndex = statusDecoder.lastLogIndex();
                    final long snapshotIndex = statusDecoder.snapshotIndex();
                    final long timeoutElections = statusDecoder.timeoutElections();
                    final long transferElections = statusDecoder.transferElections();
                    final Map<Integer, Long> matchIndexes = new LinkedHashMap<>();
                    for (final MemberStatusDecoder.FollowersDecoder follower : statusDecoder.followers())
                    {
                        matchIndexes.put(follower.memberId(), follower.matchIndex());
                    }
                    statuses.put(memberId, new Status(memberId, leaderId, roleName(role), term, commitIndex,
                        appliedIndex, lastLogIndex, snapshotIndex, timeoutElections, transferElections,
                        Collections.unmodifiableMap(matchIndexes), statusDecoder.configuration()));
                    break;
                }

                default:
                    break;
            }
        }
    }

    private static String roleName(final int code)
    {
        switch (code)
        {
            case 0:
                return "FOLLOWER";
            case 1:
                return "PRE_CANDIDATE";
            case 2:
                return "CANDIDATE";
            case 3:
                return "LEADER";
            default:
                return "UNKNOWN(" + code + ")";
        }
    }
}
