package io.raftline.engine.core;

import io.raftline.log.LogEntryView;
import org.agrona.DirectBuffer;

import java.util.Arrays;

import static io.raftline.engine.core.RaftNode.NO_MEMBER;

/**
 * The member's effective configuration and the peers it implies: the dynamic peer set of the core.
 * <p>
 * The rule is Ongaro's (thesis §4.1): a configuration is in effect as soon as its entry is in the log, committed or
 * not; a truncation that removes an uncommitted configuration entry brings back the one before it. So the core keeps
 * the configurations of its log as a history: the base (from the snapshot, or the bootstrap list) and every
 * configuration entry after it, newest last. A leader appends a configuration only once the previous one is
 * committed, so every configuration of a log but the last is committed, and a truncation removes at most the last.
 * A snapshot covers the configuration in effect at its index; once one is durable, older ones are forgotten.
 * <p>
 * The peers are every member of the effective configuration but this one, plus, on the leader, the members the last
 * change removed until they hold the entry that removed them (otherwise, dropped from the peers as that entry is
 * appended, they would never learn they were removed). Peers are rebuilt (allocating) only when the configuration
 * changes; quorum arithmetic on the hot path uses preallocated scratch.
 */
final class Members
{
    static final int PENDING = 0;
    static final int WON = 1;
    static final int LOST = 2;

    private static final Peer[] NO_PEERS = new Peer[0];

    private final RaftConfig config;
    private final int selfId;
    private final CoreLog log;
    private MembershipListener listener = MembershipListener.NO_OP;
    private final RaftEventListener events;
    private final LogEntryView scanView = new LogEntryView();
    private Outbox outbox;
    private RoleState roles;
    private Membership[] history = new Membership[4];
    private int historyCount;
    // Every member of the effective configuration, this one included when it is a member, and departing peers.
    private Peer[] peers = NO_PEERS;
    private Peer self;
    private long[] scratch = new long[0];
    // Whether this member knows itself removed by a committed configuration (reported once per removal).
    private boolean isRemoved;
    private CommitState commit;
    private long removedCount;
    private String bootstrapMismatch;
    private Membership notified;
    // The term in which this member lost an election, or probed for the term, since it last knew a leader: only
    // then does it suspect that the others moved on to a configuration it has not seen.
    private long suspectTerm = -1;

    Members(
        final RaftConfig config,
        final CoreLog log,
        final RaftEventListener events)
    {
        this.config = config;
        this.selfId = config.memberId();
        this.log = log;
        this.events = events;
        this.self = new Peer(selfId, 0, config.maxInflightBatches());
    }

    void attach(final Outbox outbox, final RoleState roles, final CommitState commit)
    {
        this.commit = commit;
        this.outbox = outbox;
        this.roles = roles;
    }

    /**
     * At start: the snapshot's configuration (or, with none, the bootstrap list), then the configuration entries of
     * the log after it. A configuration found in the log or snapshot wins over the bootstrap list; a difference is
     * reported, not obeyed.
     *
     * @param fromSnapshot the configuration the newest snapshot holds, or null.
     */
    void start(final Membership fromSnapshot)
    {
        final Membership bootstrap = config.bootstrapMembership();
        final Membership base = null != fromSnapshot ? fromSnapshot : bootstrap;
        historyCount = 0;
        push(base);
        // Every configuration entry after the base: a snapshot taken later needs the one in effect at its index.
        Membership newest = null;
        for (long index = log.baseIndex() + 1; index <= log.lastIndex(); index++)
        {
            if (log.read(index, scanView) &&
                MembershipCodec.isMembershipEntry(scanView.buffer(), scanView.offset(), scanView.length()))
            {
                try
                {
                    newest = MembershipCodec.decode(scanView.buffer(), scanView.offset(), scanView.length(), index);
                    push(newest);
                }
                catch (final IllegalArgumentException ex)
                {
                    events.onMembershipEvent(selfId, "member " + selfId + ": ignoring malformed configuration " +
                        "entry at " + index + ": " + ex.getMessage());
                }
            }
        }
        final Membership effective = effective();
        if ((null != fromSnapshot || null != newest) && !config.isJoining() && !effective.sameVoters(bootstrap) &&
            !bootstrap.sameVoters(Membership.EMPTY))
        {
            bootstrapMismatch = "member " + selfId + ": the configuration in the log and snapshot, " + effective +
                ", differs from the bootstrap member list " + Arrays.toString(bootstrap.voters()) +
                "; the log's configuration is used";
            events.onMembershipEvent(selfId, bootstrapMismatch);
        }
        apply(0);
    }

    // ------------------------------------------------------------------------------------------------ log hooks

    /**
     * A configuration entry was appended at {@code index}: it is in effect now.
     */
    void onAppend(final long index, final DirectBuffer buffer, final int offset, final int length)
    {
        final Membership membership;
        try
        {
            membership = MembershipCodec.decode(buffer, offset, length, index);
        }
        catch (final IllegalArgumentException ex)
        {
            // Every member appends the same entry, so every member ignores it alike.
            events.onMembershipEvent(selfId, "member " + selfId + ": ignoring malformed configuration entry at " +
                index + ": " + ex.getMessage());
            return;
        }
        push(membership);
        apply(index);
    }

    /**
     * The log was truncated after {@code index}: configurations of the removed entries are no longer in effect.
     */
    void onTruncate(final long index)
    {
        boolean isChanged = false;
        while (historyCount > 1 && history[historyCount - 1].index() > index)
        {
            history[--historyCount] = null;
            isChanged = true;
        }
        if (isChanged)
        {
            apply(index);
        }
    }

    /**
     * A snapshot was installed or restored: its configuration replaces every one at or below its index, and the
     * log after it keeps its own.
     *
     * @param fromSnapshot the snapshot's configuration, or null for a snapshot that holds none (written before
     *                     configurations were part of snapshots): the base stays.
     */
    void onSnapshot(final long snapshotIndex, final Membership fromSnapshot)
    {
        final Membership base = null != fromSnapshot ? fromSnapshot : history[0];
        int kept = 0;
        final Membership[] newer = new Membership[historyCount];
        for (int i = 1; i < historyCount; i++)
        {
            if (history[i].index() > snapshotIndex && history[i].index() <= log.lastIndex())
            {
                newer[kept++] = history[i];
            }
        }
        final Membership before = effective();
        historyCount = 0;
        push(base);
        for (int i = 0; i < kept; i++)
        {
            push(newer[i]);
        }
        if (before != effective())
        {
            apply(snapshotIndex);
        }
    }

    /**
     * A snapshot up to {@code index} is durable: configurations before the one in effect there are not needed again.
     */
    void onSnapshotTaken(final long index)
    {
        int base = 0;
        for (int i = 1; i < historyCount; i++)
        {
            if (history[i].index() <= index)
            {
                base = i;
            }
        }
        if (base > 0)
        {
            System.arraycopy(history, base, history, 0, historyCount - base);
            for (int i = historyCount - base; i < historyCount; i++)
            {
                history[i] = null;
            }
            historyCount -= base;
        }
    }

    private void push(final Membership membership)
    {
        if (historyCount == history.length)
        {
            history = Arrays.copyOf(history, history.length * 2);
        }
        history[historyCount++] = membership;
    }

    /**
     * @return the configuration at {@code index}: the newest one whose entry is at or below it.
     */
    Membership at(final long index)
    {
        for (int i = historyCount - 1; i > 0; i--)
        {
            if (history[i].index() <= index)
            {
                return history[i];
            }
        }
        return history[0];
    }

    // ------------------------------------------------------------------------------------------------ peers

    /**
     * Rebuild the peers for the effective configuration, keeping the progress of members that stay.
     */
    private void apply(final long index)
    {
        final Membership effective = effective();
        final Membership previous = historyCount > 1 ? history[historyCount - 2] : null;
        final boolean isLeader = null != roles && RaftRole.LEADER == roles.role();
        final int[] ids = effective.members();
        int count = ids.length;
        final int[] departing = departing(effective, previous, isLeader);
        count += departing.length;
        final Peer[] rebuilt = new Peer[count];
        int at = 0;
        for (final int id : ids)
        {
            rebuilt[at] = reuse(id, at, isLeader);
            rebuilt[at].isVoter = effective.isNewVoter(id);
            rebuilt[at].isOldVoter = effective.isOldVoter(id);
            rebuilt[at].isDeparting = false;
            at++;
        }
        for (final int id : departing)
        {
            rebuilt[at] = reuse(id, at, isLeader);
            rebuilt[at].isVoter = false;
            rebuilt[at].isOldVoter = false;
            rebuilt[at].isDeparting = true;
            at++;
        }
        if (isLeader && null != outbox)
        {
            for (final Peer peer : peers)
            {
                if (Peer.SNAPSHOT == peer.state && find(rebuilt, peer.memberId) == null)
                {
                    outbox.endSnapshotTransfer(peer.memberId);
                }
            }
        }
        peers = rebuilt;
        final Peer selfPeer = find(rebuilt, selfId);
        if (null != selfPeer)
        {
            self = selfPeer;
        }
        else
        {
            self.isVoter = false;
            self.isOldVoter = false;
        }
        scratch = new long[count];
        if (!effective.isRetired(selfId))
        {
            isRemoved = false;
        }
        if (effective != notified)
        {
            notified = effective;
            listener.onMembershipChange(effective);
        }
    }

    private int[] departing(final Membership effective, final Membership previous, final boolean isLeader)
    {
        if (!isLeader || null == previous)
        {
            return new int[0];
        }
        int count = 0;
        final int[] candidates = previous.members();
        final int[] result = new int[candidates.length];
        for (final int id : candidates)
        {
            if (id != selfId && !effective.contains(id))
            {
                final Peer known = find(peers, id);
                if (null == known || known.matchIndex < effective.index())
                {
                    result[count++] = id;
                }
            }
        }
        return Arrays.copyOf(result, count);
    }

    private Peer reuse(final int id, final int position, final boolean isLeader)
    {
        Peer peer = find(peers, id);
        if (null == peer)
        {
            peer = id == selfId ? self : new Peer(id, position, config.maxInflightBatches());
            if (isLeader && id != selfId)
            {
                // A member new to this leader: probe from the end of the log, as a new leader does.
                peer.resetForLeadership(log.lastIndex(), Long.MIN_VALUE / 2);
            }
        }
        peer.position = position;
        return peer;
    }

    private static Peer find(final Peer[] in, final int id)
    {
        for (final Peer peer : in)
        {
            if (peer.memberId == id)
            {
                return peer;
            }
        }
        return null;
    }

    /**
     * The leader learned that a departing member holds the entry that removed it: stop replicating to it.
     */
    void onAcknowledged(final Peer peer)
    {
        if (peer.isDeparting && peer.matchIndex >= effective().index())
        {
            final Peer[] remaining = new Peer[peers.length - 1];
            int at = 0;
            for (final Peer p : peers)
            {
                if (p != peer)
                {
                    p.position = at;
                    remaining[at++] = p;
                }
            }
            if (Peer.SNAPSHOT == peer.state)
            {
                outbox.endSnapshotTransfer(peer.memberId);
            }
            peers = remaining;
        }
    }

    /**
     * The member became leader: departing members of the last change get the entry that removed them too.
     */
    void onBecomeLeader()
    {
        apply(effective().index());
    }

    void listener(final MembershipListener listener)
    {
        this.listener = null == listener ? MembershipListener.NO_OP : listener;
        notified = effective();
        this.listener.onMembershipChange(notified);
    }

    StringBuilder describePeers(final StringBuilder builder, final boolean isLeader)
    {
        if (effective().index() > 0 || effective().isJoint())
        {
            builder.append(", config=").append(effective().index());
        }
        if (isLeader)
        {
            builder.append(", peers=[");
            for (final Peer peer : peers)
            {
                if (peer != self)
                {
                    builder.append(' ').append(peer);
                }
            }
            builder.append(" ]");
        }
        return builder;
    }

    Membership effective()
    {
        return history[historyCount - 1];
    }

    Peer[] peers()
    {
        return peers;
    }

    /**
     * @return this member's peer; not in {@link #peers()} when this member is not in the configuration.
     */
    Peer self()
    {
        return self;
    }

    Peer peer(final int id)
    {
        return find(peers, id);
    }

    /**
     * Whether this member may campaign: it votes in the effective configuration, or in the one before while the
     * effective one is not known committed. A leader that removed itself and crashed before C_new committed may hold
     * the longest log, which the remaining voters need (they may still count it, in C_old,new); only once the
     * removal is committed does a removed member fall silent.
     */
    boolean isSelfVoter()
    {
        if (self.isVoter || self.isOldVoter)
        {
            return true;
        }
        final Membership effective = effective();
        return historyCount > 1 && commit.commitIndex() < effective.index() &&
            history[historyCount - 2].isVoter(selfId);
    }

    /**
     * @return true once this member knows a committed configuration removed it; the first time, says so.
     */
    boolean isRemoved()
    {
        final Membership effective = effective();
        if (!isRemoved && effective.isRetired(selfId) && commit.commitIndex() >= effective.index())
        {
            isRemoved = true;
            removedCount++;
            events.onMembershipEvent(selfId, "member " + selfId + " is removed from the cluster by the " +
                "configuration at index " + effective.index() + " (" + effective + "): it no longer campaigns");
        }
        return isRemoved;
    }

    long removedCount()
    {
        return removedCount;
    }

    String bootstrapMismatch()
    {
        return bootstrapMismatch;
    }

    /**
     * @return true if some other member votes: only then can this member lose touch with a quorum.
     */
    boolean hasOtherVoters()
    {
        for (final Peer peer : peers)
        {
            if (peer != self && (peer.isVoter || peer.isOldVoter))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code senderId} may send a message of {@code kind}: a leader's message, a response or a vote only from
     * a member of the effective configuration (a vote's answer only from a voter), so a forged or misrouted
     * frame with an unknown id is refused and counted. Six exceptions for a leader's messages (each says which ids it
     * admits; the last four only ids never removed):
     * <ul>
     *     <li>from the leader this member follows, in this term or a later one, even once the newest configuration
     *     removed it or this member never saw the entry that added it (a leader that removes itself leads until that
     *     configuration commits, then hands over with TimeoutNow; a learner whose voters are gone still hears the
     *     leader it followed before);</li>
     *     <li>from a voter of the configuration before the newest one while the newest is not known committed, even if
     *     this member lost track of its leader meanwhile: the change may remove it, but it may lead until the change
     *     commits;</li>
     *     <li>in a member that is not in its own configuration (it joins and knows none yet, or was removed): that is
     *     how it learns the configuration;</li>
     *     <li>of the current term while this member knows no leader of it: a voter that missed the entry adding a
     *     member would otherwise never hear that member once it leads (its pre-votes, refused by the members it
     *     knows, bring it to the current term first). A stranger's frame passes a voter only if it names exactly
     *     that term.</li>
     *     <li>of a later term in a learner: it does not campaign, so no pre-vote brings it to the current term, and
     *     the voters it knows may all be gone (seed 6943: learner 3, following leader 4 in term 3, refused leader 5
     *     of term 4, added by an entry it never received; then 4 was removed and 3 never heard of a leader again).
     *     A learner's vote counts for nothing, so the term it adopts moves no election.</li>
     *     <li>of a later term in a voter that knows no leader and lost an election (or a probe) in its current
     *     term: the voters it knows did not bring it to the leader's term, and may all have been removed (seed
     *     16761: voter 3, in the configuration of index 613, asked only removed members, which never heard of
     *     the later terms; leader 5 of term 8 waited for it in a joint configuration forever). A member following a
     *     leader still refuses a stranger, so a forged frame with a huge term deposes no working leader.</li>
     * </ul>
     * A vote request is answered from any member of the effective configuration, a learner included (it campaigns
     * only once a newer configuration made it a voter), and a pre-vote or a vote request from the leader this member
     * follows. A member not in its own configuration also answers vote
     * requests from any id never removed, and any member that
     * knows no leader answers a stranger's pre-vote, and its vote request for the next term or the term of its
     * pre-vote. Terms, not membership,
     * keep leaders apart: one leader per term whoever admits it.
     */
    boolean admits(final int senderId, final int kind, final long term)
    {
        final Membership effective = effective();
        switch (kind)
        {
            case AdmissionGate.FROM_LEADER:
                return effective.contains(senderId) || isLeaderOfTerm(senderId, term) || isVoterBefore(senderId) ||
                    (senderId >= 0 && !effective.isRetired(senderId) &&
                    (!effective.contains(selfId) || (term == log.currentTerm() && NO_MEMBER == roles.leaderId()) ||
                    (term > log.currentTerm() && (!isSelfVoter() || hasLostCurrentTerm()))));

            case AdmissionGate.RESPONSE:
                return null != find(peers, senderId);

            case AdmissionGate.PRE_VOTE_REQUEST:
                // A learner's pre-vote is a probe for the current term (it never counts the answers). A pre-vote
                // moves nothing here, so a stranger's is heard whenever no leader is known.
                if (effective.contains(senderId) || isStranger(effective, senderId) || isFollowedLeader(senderId))
                {
                    return true;
                }
                return isUnknownCandidate(effective, senderId);

            case AdmissionGate.VOTE_REQUEST:
                // A member outside its own configuration may be a voter of one it has not learned yet (it joined
                // through a change that is not committed): its vote can be what elects the leader that tells it.
                // An unknown candidate's term is not bounded: without pre-votes the candidates of a configuration
                // this member never saw raise their terms against each other, past any bound, while waiting for
                // its vote (seeds 7026679 and 7045863), and a leader's frame of a later term is admitted alike.
                // A member this one knows as a learner may vote in a newer configuration that promoted it, which
                // this member has not received: it campaigns only then, and this member's vote may be the one it
                // needs (seed 13027645: learner 4 restarted far behind, still naming leader 3 of term 4, and refused
                // the vote requests of 3, whose joint configuration needed 4, for 26 terms).
                return isVoterSender(senderId) || effective.contains(senderId) || isStranger(effective, senderId) ||
                    isFollowedLeader(senderId) || isUnknownCandidate(effective, senderId);

            default:
                return isVoterSender(senderId);
        }
    }

    /**
     * A candidate this member does not know, while it knows no leader and lost an election in this term: a member
     * that missed the entry adding the candidate may be the vote it needs (its configuration is newer than this
     * member's). Its pre-vote and its vote request are heard, whatever their term (as a leader's frame of a later
     * term is after a lost election); granting stays subject to the one vote per term and the log rule.
     */
    private boolean isUnknownCandidate(final Membership effective, final int senderId)
    {
        return senderId >= 0 && !effective.isRetired(senderId) && NO_MEMBER == roles.leaderId() &&
            suspectTerm == log.currentTerm();
    }

    /**
     * A voter of the configuration before the effective one while the effective one is not known committed: the
     * change may have removed it, but until the change commits it may lead (a leader that removes itself), and the
     * entry that commits the change comes from it. Seed 13002362: leader 0 removed itself; voter 4 appended the
     * change, then lost the leader for an election timeout and refused 0 from then on as retired, while 5 kept
     * following 0 and refused 4's pre-votes; the change never committed.
     */
    private boolean isVoterBefore(final int senderId)
    {
        return historyCount > 1 && commit.commitIndex() < effective().index() &&
            history[historyCount - 2].isVoter(senderId);
    }

    /**
     * The leader this member follows, asking for its vote: it lost its leadership (it crashed and restarted, say),
     * and this member may never have received the entry that added it. A learner keeps naming its leader (it has no
     * election timer), so no other rule admits a candidate it knows only as its leader (seed 14006421: learner 3,
     * far behind and promoted by force in a configuration it had not received, refused the pre-votes of leader 5
     * after 5 restarted; 5's joint configuration needed 3, and no leader was elected again).
     */
    private boolean isFollowedLeader(final int senderId)
    {
        return NO_MEMBER != senderId && senderId == roles.leaderId();
    }

    private boolean hasLostCurrentTerm()
    {
        return NO_MEMBER == roles.leaderId() && suspectTerm == log.currentTerm();
    }

    /**
     * This member lost an election, or probed for the term as a member that may not campaign: the voters it knows
     * did not make it (or anyone it knows) leader.
     */
    void onLostElection()
    {
        suspectTerm = log.currentTerm();
    }

    /**
     * @return true for a sender outside the configuration of a member that is in it: a vote request it answered, or
     * an old leader's frame it answered with its term, for liveness, is still counted as a frame from an unknown
     * sender.
     */
    boolean isCountedStranger(final int senderId)
    {
        final Membership effective = effective();
        return !effective.contains(senderId) && effective.contains(selfId);
    }

    private boolean isStranger(final Membership effective, final int senderId)
    {
        return !effective.contains(selfId) && senderId >= 0 && !effective.isRetired(senderId);
    }

    private boolean isVoterSender(final int senderId)
    {
        final Peer peer = find(peers, senderId);
        return null != peer && (peer.isVoter || peer.isOldVoter);
    }

    private boolean isLeaderOfTerm(final int senderId, final long term)
    {
        return isFollowedLeader(senderId) && term >= log.currentTerm();
    }

    // ------------------------------------------------------------------------------------------------ quorums

    /**
     * @param selfIndex how far this member's own log counts (its durable end).
     * @return the highest index a quorum holds: a majority of the voters, and while joint of each voter set.
     */
    long quorumIndex(final long selfIndex)
    {
        final long newIndex = majorityIndex(true, selfIndex);
        return effective().isJoint() ? Math.min(newIndex, majorityIndex(false, selfIndex)) : newIndex;
    }

    /**
     * @param selfRound the leader's own newest read confirmation round.
     * @return the newest round a quorum echoed: a majority of the voters, and while joint of each voter set.
     */
    long quorumReadRound(final long selfRound)
    {
        final long newRound = majorityOf(true, true, selfRound);
        return effective().isJoint() ? Math.min(newRound, majorityOf(false, true, selfRound)) : newRound;
    }

    private long majorityIndex(final boolean isNewSet, final long selfIndex)
    {
        return majorityOf(isNewSet, false, selfIndex);
    }

    private long majorityOf(final boolean isNewSet, final boolean isReadRound, final long selfValue)
    {
        final long[] values = scratch;
        int count = 0;
        for (final Peer peer : peers)
        {
            if (isNewSet ? peer.isVoter : peer.isOldVoter)
            {
                values[count++] = peer == self ? selfValue : isReadRound ? peer.readRoundAcked : peer.matchIndex;
            }
        }
        return 0 == count ? 0 : Quorum.majorityIndex(values, count);
    }

    /**
     * @return {@link #WON}, {@link #LOST} or {@link #PENDING} for the votes recorded on the peers.
     */
    int voteOutcome()
    {
        final boolean isJoint = effective().isJoint();
        final int newOutcome = voteOutcome(true);
        final int oldOutcome = isJoint ? voteOutcome(false) : newOutcome;
        if (LOST == newOutcome || LOST == oldOutcome)
        {
            return LOST;
        }
        return WON == newOutcome && WON == oldOutcome ? WON : PENDING;
    }

    private int voteOutcome(final boolean isNewSet)
    {
        int voters = 0;
        int grants = 0;
        int refusals = 0;
        for (final Peer peer : peers)
        {
            if (isNewSet ? peer.isVoter : peer.isOldVoter)
            {
                voters++;
                if (peer.hasVoteResponse)
                {
                    if (peer.isVoteGranted)
                    {
                        grants++;
                    }
                    else
                    {
                        refusals++;
                    }
                }
            }
        }
        final int majority = Quorum.majority(voters);
        if (0 == voters || refusals > voters - majority)
        {
            return LOST;
        }
        return grants >= majority ? WON : PENDING;
    }

    /**
     * @return the votes granted so far, this member's own included.
     */
    int grantCount()
    {
        int grants = 0;
        for (final Peer peer : peers)
        {
            grants += peer.hasVoteResponse && peer.isVoteGranted ? 1 : 0;
        }
        return grants;
    }

    /**
     * Check-quorum: whether the leader heard from a quorum (each voter set) since the last check.
     */
    boolean isQuorumActive()
    {
        return isActive(true) && (!effective().isJoint() || isActive(false));
    }

    private boolean isActive(final boolean isNewSet)
    {
        int voters = 0;
        int active = 0;
        for (final Peer peer : peers)
        {
            if (isNewSet ? peer.isVoter : peer.isOldVoter)
            {
                voters++;
                if (peer == self || peer.isRecentlyActive)
                {
                    active++;
                }
            }
        }
        return 0 == voters || active >= Quorum.majority(voters);
    }

    /**
     * @return the voter of C_new other than this member whose log is the longest match, or {@link
     * RaftNode#NO_MEMBER}: the target of a transfer before shutdown.
     */
    int bestTransferTarget()
    {
        Peer best = null;
        for (final Peer peer : peers)
        {
            if (peer != self && peer.isVoter && (null == best || peer.matchIndex > best.matchIndex ||
                (peer.matchIndex == best.matchIndex && peer.isRecentlyActive && !best.isRecentlyActive)))
            {
                best = peer;
            }
        }
        return null == best ? NO_MEMBER : best.memberId;
    }
}
