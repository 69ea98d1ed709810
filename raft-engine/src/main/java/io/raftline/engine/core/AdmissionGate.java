package io.raftline.engine.core;

import static io.raftline.engine.core.RaftNode.NO_MEMBER;

/**
 * The one gate every inbound message passes before its role handler: the sender check and the term rule, once
 * (etcd's {@code Step}). {@link RaftNode}'s handlers ask it first and act on its verdict.
 */
final class AdmissionGate
{
    // Kinds of inbound message, as the admission gate tells them apart.
    static final int FROM_LEADER = 0;
    static final int RESPONSE = 1;
    static final int VOTE_REQUEST = 2;
    static final int VOTE_RESPONSE = 3;
    static final int PRE_VOTE_REQUEST = 4;
    static final int PRE_VOTE_GRANT = 5;
    static final int PRE_VOTE_REFUSAL = 6;

    /**
     * The highest term a message may carry: a cluster that started a term every microsecond would reach it after
     * 4,500 years. Above it (or below 0) the term is corrupt or forged, and since a member's term only grows, one
     * such frame would otherwise leave the member in a term whose successor overflows.
     */
    static final long MAX_TERM = Long.MAX_VALUE / 64;

    // Verdicts of the admission gate.
    static final int ADMITTED = 0;
    static final int STALE = 1;
    static final int ANSWERED = 2;
    static final int REFUSED = 3;

    private final RaftConfig config;
    private final CoreLog log;
    private final RoleState roles;
    private final Rejections rejections;
    private final Members members;
    private final int memberId;

    AdmissionGate(final RaftConfig config, final CoreLog log, final RoleState roles, final Rejections rejections,
        final Members members)
    {
        this.members = members;
        this.config = config;
        this.log = log;
        this.roles = roles;
        this.rejections = rejections;
        this.memberId = config.memberId();
    }

    /**
     * The admission gate every inbound message passes once, before any handler (etcd's {@code Step}): the sender
     * must be another member of the cluster; then the term rule of §5.1. A higher term makes this member a follower
     * in that term (following the sender if it claims leadership of it); a lower one makes the message stale. The
     * exceptions are PreVote's (thesis §9.6): a pre-vote request carries the term its candidate would stand in, not
     * one it holds, so it moves nothing here; a pre-vote answer carries the voter's own term, which may be lower than
     * ours without being stale; only a refusal with a higher term tells of a term this member must join. A handler
     * that is given an admitted message may assume its term is the current one (the pre-vote kinds excepted).
     *
     * @return {@link #ADMITTED}, {@link #STALE}, {@link #ANSWERED} (the step-down was all there was to do) or
     * {@link #REFUSED}.
     */
    int admit(final int senderId, final long term, final int kind, final String type, final long nowNs)
    {
        if (term < 0 || term > MAX_TERM)
        {
            return refuseTerm(senderId, term, type);
        }
        if (senderId == memberId || !members.admits(senderId, kind, term))
        {
            if (FROM_LEADER == kind && senderId >= 0 && senderId != memberId && term < log.currentTerm())
            {
                // A leader of an older term hears of nothing else: tell it the current term (the stale answer), so
                // that it steps down; still counted. A removed member that still leads, or one this member does not
                // know yet (seed 31608: a voter dragged to a later term by a removed member's campaigns never told
                // the leader it did not know, which waited for it in a joint configuration forever).
                final String what = members.effective().isRetired(senderId) ? "removed" : "unknown";
                rejections.reject(senderId, type + " from " + what + " member " + senderId + " of term " + term);
                return STALE;
            }
            return refuse(senderId, type);
        }
        final long currentTerm = log.currentTerm();
        // Every kind admits a message of the current term. That is nearly every message: its path stays this short so
        // that the method is small enough for the JIT to inline into each handler (the rare paths below build
        // strings).
        return term == currentTerm ? ADMITTED : admitOtherTerm(senderId, term, kind, nowNs, currentTerm);
    }

    /**
     * Whether the decoder counts a leader's frame as taken, given the verdict {@link #admit} gave it: not when it was
     * refused, nor when it was answered as stale but came from a member outside the configuration (the answer is
     * for liveness; the frame still counts as one from an unknown sender, see {@link Members#isCountedStranger}).
     *
     * @param verdict  of {@link #admit} for the frame.
     * @param senderId of the frame.
     * @return true if the frame counts as taken.
     */
    boolean isTaken(final int verdict, final int senderId)
    {
        return REFUSED != verdict && !(STALE == verdict && members.isCountedStranger(senderId));
    }

    private int refuseTerm(final int senderId, final long term, final String type)
    {
        // Out of admit's short path, which the JIT inlines into every handler: this one builds a string.
        rejections.reject(senderId, type + " from member " + senderId + " with implausible term " + term);
        return REFUSED;
    }

    private int refuse(final int senderId, final String type)
    {
        final Membership effective = members.effective();
        final String what = senderId == memberId || !(effective.contains(senderId) || effective.isRetired(senderId)) ?
            "unknown" : effective.isRetired(senderId) ? "removed" : "non-voting";
        rejections.reject(senderId, type + " from " + what + " member " + senderId);
        return REFUSED;
    }

    private int admitOtherTerm(
        final int senderId, final long term, final int kind, final long nowNs, final long currentTerm)
    {
        switch (kind)
        {
            case PRE_VOTE_REQUEST:
                return ADMITTED;

            case PRE_VOTE_GRANT:
                // A voter grants only a term above its own, so a grant never carries a term above ours.
                return term > currentTerm ? ANSWERED : ADMITTED;

            case PRE_VOTE_REFUSAL:
                if (term > currentTerm)
                {
                    roles.stepDown(term, NO_MEMBER, nowNs, "pre-vote refused in term " + term + " by " + senderId);
                    return ANSWERED;
                }
                return ADMITTED;

            default:
                if (term < currentTerm)
                {
                    return STALE;
                }
                if (term > currentTerm)
                {
                    final boolean isFromLeader = FROM_LEADER == kind;
                    roles.stepDown(term, isFromLeader ? senderId : NO_MEMBER, nowNs,
                        "higher term " + term + " from " + senderId);
                    // An answer to a request of an older term has nothing more to say.
                    return isFromLeader || VOTE_REQUEST == kind ? ADMITTED : ANSWERED;
                }
                return ADMITTED;
        }
    }
}
