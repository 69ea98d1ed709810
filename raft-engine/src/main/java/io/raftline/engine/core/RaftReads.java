package io.raftline.engine.core;

import static io.raftline.engine.core.AdmissionGate.ADMITTED;
import static io.raftline.engine.core.AdmissionGate.FROM_LEADER;
import static io.raftline.engine.core.AdmissionGate.REFUSED;
import static io.raftline.engine.core.AdmissionGate.RESPONSE;
import static io.raftline.engine.core.AdmissionGate.STALE;
import static io.raftline.engine.core.RaftRole.LEADER;

/**
 * A node's reads without a log write: the driver's entry points (a read, the read index messages) and what it may
 * ask of them. The rules and the safety argument are {@link ReadTracker}'s. Every message passes the node's one
 * admission gate first, as every other message does. Not thread safe: the node's thread owns it.
 */
public final class RaftReads
{
    /**
     * A read of the leader, confirmed by a round of heartbeats (ReadIndex).
     */
    public static final int LINEARIZABLE = 0;

    /**
     * A read of the leader, confirmed by its lease.
     */
    public static final int LEASE = 1;

    /**
     * A read of a follower, at a read index its leader confirmed.
     */
    public static final int FOLLOWER = 2;

    /**
     * {@link #read} result: {@link RaftConfig#maxPendingReads()} reads of that track wait already.
     */
    public static final long READS_FULL = -4;

    private final RaftConfig config;
    private final CoreLog log;
    private final Outbox outbox;
    private final RoleState roles;
    private final AdmissionGate gate;
    private final RaftNode node;
    private final ReadTracker tracker;

    RaftReads(
        final RaftConfig config,
        final CoreLog log,
        final Outbox outbox,
        final RoleState roles,
        final AdmissionGate gate,
        final RaftNode node,
        final ReadTracker tracker)
    {
        this.config = config;
        this.log = log;
        this.outbox = outbox;
        this.roles = roles;
        this.gate = gate;
        this.node = node;
        this.tracker = tracker;
    }

    /**
     * @param listener where reads are reported ready or failed; null for none.
     */
    public void listener(final ReadListener listener)
    {
        tracker.listener(listener);
    }

    /**
     * @param level {@link #LINEARIZABLE}, {@link #LEASE} or
     *              {@link #FOLLOWER}: the consistency a client asked for.
     * @return the track a read of that level takes on this member now: a lease read is a linearizable one when
     * leases are off, a follower read at the leader is a linearizable one.
     */
    public int trackFor(final int level)
    {
        return tracker.trackFor(level);
    }

    /**
     * Take a read. It resolves through the {@link ReadListener}, exactly once, in ticket order within its track.
     * The driver's contract for lease reads: the time of each {@link RaftNode#doWork} is read after every input given
     * before the previous {@code doWork} arrived (reading the clock at the start of a cycle, before polling, does).
     *
     * @param track as {@link #trackFor} gave it.
     * @param nowNs the current time.
     * @return the read's ticket (positive), {@link RaftNode#NOT_LEADER} if this member cannot take a read of that
     * track now (not the leader; for a follower read, no leader known), or {@link #READS_FULL}.
     */
    public long read(final int track, final long nowNs)
    {
        return tracker.read(track, nowNs);
    }

    /**
     * A ReadIndexRequest arrived: the leader's confirmation round ({@code fromLeader}), or a follower's request.
     *
     * @param senderId   of the sender.
     * @param term       of the sender.
     * @param round      the round, or the follower's request number.
     * @param fromLeader which of the two it is.
     * @param nowNs      the current time.
     * @return false if the sender is not another member of the cluster (counted, ignored).
     */
    public boolean onReadIndexRequest(
        final int senderId, final long term, final long round, final boolean fromLeader, final long nowNs)
    {
        if (fromLeader)
        {
            final int verdict = gate.admit(senderId, term, FROM_LEADER, "ReadIndexRequest", nowNs);
            if (STALE == verdict)
            {
                // A deposed leader: tell it the current term so that it steps down (§5.1).
                outbox.readIndexResponse(senderId, log.currentTerm(), round, 0, false);
            }
            else if (ADMITTED == verdict)
            {
                roles.followLeader(senderId, nowNs, "ReadIndexRequest");
                outbox.readIndexResponse(senderId, log.currentTerm(), round, 0, false);
            }
            return gate.isTaken(verdict, senderId);
        }
        final int verdict = gate.admit(senderId, term, RESPONSE, "ReadIndexRequest", nowNs);
        if (ADMITTED == verdict && LEADER == roles.role())
        {
            tracker.onRemoteRequest(senderId, round);
        }
        return REFUSED != verdict;
    }

    /**
     * A ReadIndexResponse arrived: a follower's echo of this leader's round, or the leader's read index for this
     * follower's request ({@code fromLeader}).
     *
     * @param senderId   of the sender.
     * @param term       of the sender.
     * @param round      the round or request answered.
     * @param readIndex  the read index, for the leader's answer.
     * @param fromLeader which of the two it is.
     * @param nowNs      the current time.
     * @return false if the sender is not another member of the cluster (counted, ignored).
     */
    public boolean onReadIndexResponse(
        final int senderId,
        final long term,
        final long round,
        final long readIndex,
        final boolean fromLeader,
        final long nowNs)
    {
        if (fromLeader)
        {
            final int verdict = gate.admit(senderId, term, FROM_LEADER, "ReadIndexResponse", nowNs);
            if (ADMITTED == verdict)
            {
                roles.followLeader(senderId, nowNs, "ReadIndexResponse");
                tracker.onReadIndexAnswer(senderId, round, readIndex);
            }
            return gate.isTaken(verdict, senderId);
        }
        final int verdict = gate.admit(senderId, term, RESPONSE, "ReadIndexResponse", nowNs);
        if (ADMITTED == verdict && LEADER == roles.role())
        {
            tracker.onRoundAck(node.peerOf(senderId), round);
        }
        return REFUSED != verdict;
    }

    /**
     * With lease reads on, a member that hears from a leader (or leads, or has just started) ignores a vote request of
     * a later term that is not a leadership transfer's, as it ignores pre-votes then (thesis §4.2.3): the leader's
     * lease rests on it.
     *
     * @return whether the vote request is to be ignored.
     */
    boolean ignoresVote(
        final int candidateId, final long term, final boolean preVote, final boolean transfer, final long nowNs)
    {
        return !preVote && !transfer && config.isLeaseReadEnabled() && term > log.currentTerm() &&
            candidateId != config.memberId() && config.positionOf(candidateId) >= 0 &&
            roles.isWithinLeaderLease(nowNs);
    }

    /**
     * @param track of the reads.
     * @return reads of that track waiting in the core.
     */
    public int pending(final int track)
    {
        return tracker.pending(track);
    }

    /**
     * @return as leader with lease reads on, the end of its lease on its own clock; {@code Long.MIN_VALUE} for none.
     */
    public long leaseEndNs()
    {
        return tracker.leaseEndNs();
    }

    /**
     * @return the newest confirmation round a majority echoed (as leader).
     */
    public long confirmedRound()
    {
        return tracker.confirmedRound();
    }
}
