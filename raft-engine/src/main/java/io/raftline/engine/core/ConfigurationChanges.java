package io.raftline.engine.core;

import org.agrona.concurrent.UnsafeBuffer;

import static io.raftline.engine.core.MembershipChange.ALREADY_MEMBER;
import static io.raftline.engine.core.MembershipChange.CHANGE_IN_FLIGHT;
import static io.raftline.engine.core.MembershipChange.ID_REUSED;
import static io.raftline.engine.core.MembershipChange.INVALID_ID;
import static io.raftline.engine.core.MembershipChange.LAST_VOTER;
import static io.raftline.engine.core.MembershipChange.NOT_A_LEARNER;
import static io.raftline.engine.core.MembershipChange.NOT_CAUGHT_UP;
import static io.raftline.engine.core.MembershipChange.NOT_LEADER;
import static io.raftline.engine.core.MembershipChange.NO_ENTRY_OF_TERM;
import static io.raftline.engine.core.MembershipChange.TRANSFER_IN_PROGRESS;
import static io.raftline.engine.core.MembershipChange.UNKNOWN_MEMBER;
import static io.raftline.engine.core.RaftNode.NO_MEMBER;
import static io.raftline.engine.core.RaftRole.FOLLOWER;
import static io.raftline.engine.core.RaftRole.LEADER;

/**
 * The leader's side of configuration changes: the safety rules that admit a change, the configuration entry that
 * makes it, leaving a joint configuration once it commits, and a leader that removed itself handing over.
 * <p>
 * The rules: one change at a time (the effective configuration is committed and not joint); a new leader first
 * commits an entry of its own term (until then it may not know of a configuration entry its predecessor committed:
 * the flaw of single-server changes the thesis errata describe); ids are never reused; a learner is promoted only
 * when caught up, unless forced; no change while leadership is being transferred. Every change of voters goes
 * through joint consensus: C_old,new first, then, as soon as that commits, C_new, appended here without being asked.
 * <p>
 * The change methods return the log index of the configuration entry appended, or a negative {@link
 * MembershipChange} code ({@link MembershipChange#describe(long)} says why). Endpoints are opaque here: the agent
 * validates them before it asks. Call on the member's agent thread only, like every method of {@link RaftNode}.
 */
public final class ConfigurationChanges
{
    private final RaftConfig config;
    private final CoreLog log;
    private final CommitState commit;
    private final Members members;
    private final RoleState roles;
    private final Replicator replicator;
    private final RaftEventListener events;
    private final int selfId;
    // A leader that removed itself: the term in which it tried to hand over.
    private long handOverTerm = -1;

    ConfigurationChanges(
        final RaftConfig config,
        final CoreLog log,
        final CommitState commit,
        final Members members,
        final RoleState roles,
        final Replicator replicator,
        final RaftEventListener events)
    {
        this.config = config;
        this.log = log;
        this.commit = commit;
        this.members = members;
        this.roles = roles;
        this.replicator = replicator;
        this.events = events;
        this.selfId = config.memberId();
    }

    /**
     * Add a learner: it receives the log and snapshots, never votes and never counts towards a commit.
     *
     * @param id       of the new member; never used before.
     * @param endpoint of the new member, for the agent.
     * @return the configuration entry's index, or a {@link MembershipChange} refusal.
     */
    public long addLearner(final int id, final String endpoint)
    {
        final long refusal = precheck();
        if (0 != refusal)
        {
            return refusal;
        }
        final Membership effective = members.effective();
        final long idRefusal = checkNewId(effective, id);
        if (0 != idRefusal)
        {
            return idRefusal;
        }
        return append(effective.addLearner(id, endpoint), "add learner " + id);
    }

    /**
     * Make a learner a voter (through joint consensus), only if it lags the leader's last index by at most
     * {@link RaftConfig#promotionMaxLag()} entries, unless forced.
     *
     * @param id    of the learner.
     * @param force promote even if it is not caught up.
     * @return the configuration entry's index, or a {@link MembershipChange} refusal.
     */
    public long promote(final int id, final boolean force)
    {
        final long refusal = precheck();
        if (0 != refusal)
        {
            return refusal;
        }
        final Membership effective = members.effective();
        if (!effective.contains(id))
        {
            return effective.isRetired(id) ? ID_REUSED : UNKNOWN_MEMBER;
        }
        if (!effective.isLearner(id))
        {
            return NOT_A_LEARNER;
        }
        if (!force && !isCaughtUp(id))
        {
            return NOT_CAUGHT_UP;
        }
        return append(effective.promote(id), "promote " + id);
    }

    /**
     * Remove a member: a learner at once, a voter through joint consensus. A leader that removes itself leads until
     * C_new commits, then hands over to the most caught-up voter and steps down.
     *
     * @param id of the member.
     * @return the configuration entry's index, or a {@link MembershipChange} refusal.
     */
    public long remove(final int id)
    {
        final long refusal = precheck();
        if (0 != refusal)
        {
            return refusal;
        }
        final Membership effective = members.effective();
        if (!effective.contains(id))
        {
            return UNKNOWN_MEMBER;
        }
        if (effective.isVoter(id) && 1 == effective.voters().length)
        {
            return LAST_VOTER;
        }
        return append(effective.remove(id), "remove " + id);
    }

    /**
     * Replace a voter by another member in one change: C_old,new, then C_new automatically. Majorities of both sets
     * are needed, never every live member: with {1,2,3} and 3 dead, {1,2} commit both entries of "replace 3 by 4".
     * The new member may be a learner (then it must be caught up) or a new id.
     *
     * @param oldId       the voter to replace.
     * @param newId       the member that takes its place.
     * @param newEndpoint of the new member, or null to keep a learner's.
     * @return the configuration entry's index, or a {@link MembershipChange} refusal.
     */
    public long replace(final int oldId, final int newId, final String newEndpoint)
    {
        final long refusal = precheck();
        if (0 != refusal)
        {
            return refusal;
        }
        final Membership effective = members.effective();
        if (!effective.isVoter(oldId))
        {
            return UNKNOWN_MEMBER;
        }
        if (effective.isLearner(newId))
        {
            if (!isCaughtUp(newId))
            {
                return NOT_CAUGHT_UP;
            }
        }
        else
        {
            final long idRefusal = checkNewId(effective, newId);
            if (0 != idRefusal)
            {
                return idRefusal;
            }
        }
        return append(effective.replace(oldId, newId, newEndpoint), "replace " + oldId + " by " + newId);
    }

    /**
     * @return 0 if a change may start now, else the refusal.
     */
    private long precheck()
    {
        if (LEADER != roles.role())
        {
            return NOT_LEADER;
        }
        if (replicator.isTransferring())
        {
            return TRANSFER_IN_PROGRESS;
        }
        if (commit.commitIndex() < roles.termStartIndex())
        {
            return NO_ENTRY_OF_TERM;
        }
        final Membership effective = members.effective();
        if (effective.isJoint() || effective.index() > commit.commitIndex())
        {
            return CHANGE_IN_FLIGHT;
        }
        return 0;
    }

    private static long checkNewId(final Membership effective, final int id)
    {
        if (id < 0)
        {
            return INVALID_ID;
        }
        if (effective.isRetired(id))
        {
            return ID_REUSED;
        }
        return effective.contains(id) ? ALREADY_MEMBER : 0;
    }

    private boolean isCaughtUp(final int id)
    {
        // Replicating means it answered this leader (a probe that matched), so its match index is known, not 0 by
        // default.
        final Peer peer = members.peer(id);
        return null != peer && Peer.REPLICATE == peer.state &&
            log.lastIndex() - peer.matchIndex <= config.promotionMaxLag();
    }

    private long append(final Membership next, final String what)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MembershipCodec.encodedLength(next)]);
        final int length = MembershipCodec.encode(next, buffer, 0);
        final long index = log.append(log.currentTerm(), buffer, 0, length);
        events.onMembershipEvent(selfId, "member " + selfId + " appended configuration at index " + index + " (" +
            what + "): " + members.effective());
        return index;
    }

    /**
     * @param id of a member.
     * @return the leader's view of how far that member's log matches its own (its own last index for itself), or -1
     * if this member does not lead or the id is not a peer.
     */
    public long matchIndexOf(final int id)
    {
        if (LEADER != roles.role())
        {
            return -1;
        }
        if (id == selfId)
        {
            return log.lastIndex();
        }
        final Peer peer = members.peer(id);
        return null == peer ? -1 : peer.matchIndex;
    }

    /**
     * @return true if this member found itself removed from the configuration: it no longer campaigns.
     */
    public boolean isRemoved()
    {
        return members.isRemoved();
    }

    /**
     * @return true while this member leads and hands leadership over (it refuses proposals meanwhile).
     */
    public boolean isTransferring()
    {
        return LEADER == roles.role() && replicator.isTransferring();
    }

    /**
     * @return the voter to hand leadership to before shutting down (the most caught up), or {@link
     * RaftNode#NO_MEMBER} if this member does not lead or there is none.
     */
    public int bestTransferTarget()
    {
        return LEADER == roles.role() ? members.bestTransferTarget() : NO_MEMBER;
    }

    /**
     * @param index of a committed entry.
     * @return the configuration in effect at that index: what a snapshot up to it holds.
     */
    public Membership membershipAt(final long index)
    {
        return members.at(index);
    }

    /**
     * @return how many times this member found itself removed from the configuration (a counter for the agent).
     */
    public long removedCount()
    {
        return members.removedCount();
    }

    /**
     * @return how the configuration of the log and snapshot differs from the bootstrap member list (the agent logs
     * it; the log's configuration is the one used), or null if it does not.
     */
    public String bootstrapMismatch()
    {
        return members.bootstrapMismatch();
    }

    /**
     * Whether {@link #work} has something to do now.
     */
    boolean hasWork()
    {
        if (LEADER != roles.role())
        {
            return false;
        }
        final Membership effective = members.effective();
        final boolean isCommitted = effective.index() <= commit.commitIndex();
        return isCommitted && (effective.isJoint() || (!effective.isVoter(selfId) && !replicator.isTransferring()));
    }

    /**
     * The leader's automatic steps: leave a committed joint configuration; once a C_new without this member is
     * committed, hand leadership to the most caught-up voter and step down (at once if there is none, or when the
     * transfer gives up).
     */
    int work(final long nowNs)
    {
        if (!hasWork())
        {
            return 0;
        }
        final Membership effective = members.effective();
        if (effective.isJoint())
        {
            append(effective.leaveJoint(), "leave joint configuration " + effective.index());
            return 1;
        }
        final boolean hasTried = handOverTerm == log.currentTerm();
        final int target = hasTried ? NO_MEMBER : members.bestTransferTarget();
        if (NO_MEMBER != target)
        {
            handOverTerm = log.currentTerm();
            roles.revokeLease();
            replicator.startTransfer(members.peer(target), nowNs);
            return 1;
        }
        roles.transitionTo(FOLLOWER, nowNs, "removed from the configuration " + effective + ", which committed");
        return 1;
    }
}
