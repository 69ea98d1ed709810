package io.raftline.engine.core;

import static io.raftline.engine.core.RaftNode.NO_MEMBER;
import static io.raftline.engine.core.RaftNode.NOW;
import static io.raftline.engine.core.RaftRole.FOLLOWER;
import static io.raftline.engine.core.RaftRole.LEADER;

/**
 * Linearizable reads without a log write (Raft thesis §6.4): ReadIndex with batched confirmation rounds, lease reads
 * and follower reads. Each read is a ticket in one of three tracks; within a track tickets resolve in order, each
 * exactly once, through the {@link ReadListener}.
 * <p>
 * <b>ReadIndex</b> (leader, {@link RaftReads#LINEARIZABLE}). A read records the read index, the commit index
 * when it arrived (at least the first index of the leader's term, so every entry committed before the term is
 * below it), and the next confirmation round. A round is a {@code ReadIndexRequest} to every follower carrying a
 * round number that only grows; a follower that still follows this leader in this term echoes it. Once a majority
 * (the leader counts itself) echoed round r, every read of round r or earlier is confirmed: each of those members
 * was in this term after the read arrived, so no newer leader had been elected with its vote before then, and no
 * write of a newer leader can have completed before the read arrived. The read is answered once the leader has
 * committed an entry of its own term and applied up to the read index. One round serves every read that arrived
 * before it started: at most one round is in flight, and the reads that arrive meanwhile wait for the next
 * (batching); a round unconfirmed after a heartbeat interval is replaced by a new one (a lost message).
 * <p>
 * <b>Lease</b> ({@link RaftReads#LEASE}, off by default). A confirmed round started at {@code s} on the
 * leader's clock gives a lease to {@code s + electionTimeoutMin - leaseClockDrift}: every member that echoed it heard
 * from the leader after {@code s}, so its election timer does not fire, and with leader stickiness it refuses
 * pre-votes and (with leases on) votes, for a minimum election timeout after that. The clock assumption: members'
 * monotonic clocks advance at rates whose difference over one minimum election timeout stays below
 * {@code leaseClockDrift}; there is no assumption on their offsets. While the lease holds a read needs no round.
 * A read is checked against the lease only at a {@link #doWork} whose time was read after the read arrived: the
 * driver reads the clock before it polls, so a read polled after a stall (SIGSTOP, GC) of the thread is judged by a
 * later clock reading, which shows the stall; a lease that expired during the stall is not trusted. Leadership
 * transfer revokes the lease for the rest of the term (its target campaigns with votes that ignore stickiness).
 * <p>
 * <b>Follower reads</b> ({@link RaftReads#FOLLOWER}). A follower asks its leader for a read index
 * ({@code ReadIndexRequest} with fromLeader false); the leader puts the request in a confirmation round as a read of
 * its own and answers with the read index once the round is confirmed; the follower answers its reads once it has
 * applied that index. One request serves every read that arrived before it was sent; one is in flight at a time and
 * it is resent after two heartbeat intervals without an answer, or when the leader changes. Request numbers only
 * grow, across restarts too (they start from the clock), so an answer names one request of this member's life.
 * <p>
 * Pure, and allocation free: every queue is a preallocated ring of primitives.
 */
final class ReadTracker
{
    // Confirmation rounds whose start time is remembered for the lease; an older round confirmed renews nothing.
    private static final int ROUND_HISTORY = 64;

    private final RaftConfig config;
    private final CoreLog log;
    private final CommitState commit;
    private final Outbox outbox;
    private final Peer[] peers;
    private final int selfPosition;
    private final RoleState roles;
    private final long[] scratch;
    private final long[] roundStartNs = new long[ROUND_HISTORY];
    private final Ring linear;
    private final Ring lease;
    private final Ring remote;
    private final Ring follower;
    private ReadListener listener = ReadListener.NO_OP;

    // The leader's confirmation rounds; numbers only grow over the member's life, so an echo names one round.
    private long round;
    private long confirmedRound;
    private boolean isRoundWanted;
    private long leaseEndNs = Long.MIN_VALUE;
    private boolean isLeaseRevoked;
    // Far in the past, yet safe to subtract from any clock reading.
    private long lastLeaseReadNs = Long.MIN_VALUE / 4;
    // doWork calls so far; a lease read that arrived at step k is judged by a doWork of a later step.
    private long step;
    private long leaseConfirmedStep = -1;
    private long lastNowNs;

    // The follower's read index requests.
    private long requestSeq;
    private long answeredSeq;
    private long requestSentNs;
    private int requestLeaderId = NO_MEMBER;
    private long followerConfirmed = 1;

    ReadTracker(
        final RaftConfig config,
        final CoreLog log,
        final CommitState commit,
        final Outbox outbox,
        final Peer[] peers,
        final int selfPosition,
        final RoleState roles,
        final long nowNs)
    {
        this.config = config;
        this.log = log;
        this.commit = commit;
        this.outbox = outbox;
        this.peers = peers;
        this.selfPosition = selfPosition;
        this.roles = roles;
        this.scratch = new long[peers.length];
        final int capacity = config.maxPendingReads();
        this.linear = new Ring(capacity);
        this.lease = new Ring(capacity);
        this.remote = new Ring(capacity);
        this.follower = new Ring(capacity);
        // Request numbers start at the clock's reading when the member starts, so that a member that restarted (in
        // the same term) never takes an answer to its earlier life's request, delayed or replayed by the network,
        // for one of its own: that answer's read index may be older than its reads (a request per nanosecond would
        // be needed to catch up with the next start's numbers).
        this.requestSeq = Math.max(1, nowNs);
        this.answeredSeq = requestSeq;
    }

    void listener(final ReadListener listener)
    {
        this.listener = null == listener ? ReadListener.NO_OP : listener;
    }

    /**
     * @return the track a read of {@code level} takes on this member now.
     */
    int trackFor(final int level)
    {
        final boolean isLeader = LEADER == roles.role();
        switch (level)
        {
            case RaftReads.LEASE:
                return config.isLeaseReadEnabled() ? RaftReads.LEASE : RaftReads.LINEARIZABLE;
            case RaftReads.FOLLOWER:
                return isLeader ? RaftReads.LINEARIZABLE : RaftReads.FOLLOWER;
            default:
                return RaftReads.LINEARIZABLE;
        }
    }

    long read(final int track, final long nowNs)
    {
        switch (track)
        {
            case RaftReads.LINEARIZABLE:
                if (LEADER != roles.role())
                {
                    return RaftNode.NOT_LEADER;
                }
                if (linear.isFull())
                {
                    return RaftReads.READS_FULL;
                }
                isRoundWanted = true;
                return linear.add(leaderReadIndex(), round + 1, 0, 0);

            case RaftReads.LEASE:
                if (LEADER != roles.role() || !config.isLeaseReadEnabled())
                {
                    return RaftNode.NOT_LEADER;
                }
                if (lease.isFull())
                {
                    return RaftReads.READS_FULL;
                }
                lastLeaseReadNs = nowNs;
                return lease.add(leaderReadIndex(), round + 1, step, 0);

            case RaftReads.FOLLOWER:
                if (FOLLOWER != roles.role() || NO_MEMBER == roles.leaderId())
                {
                    return RaftNode.NOT_LEADER;
                }
                if (follower.isFull())
                {
                    return RaftReads.READS_FULL;
                }
                return follower.add(0, requestSeq + 1, 0, 0);

            default:
                throw new IllegalArgumentException("unknown read track " + track);
        }
    }

    /**
     * Everything committed before the read arrived is at or below this: the commit index, and at least the first
     * index of the leader's term (a new leader's commit index may lag its predecessor's, but its log holds every
     * committed entry below the start of its term).
     */
    private long leaderReadIndex()
    {
        return Math.max(commit.commitIndex(), roles.termStartIndex());
    }

    int doWork(final long nowNs)
    {
        lastNowNs = nowNs;
        int work = 0;
        if (LEADER == roles.role())
        {
            work += leaderWork(nowNs);
        }
        else if (followerConfirmed < follower.tail)
        {
            work += followerWork(nowNs);
        }
        work += serve();
        step++;
        return work;
    }

    private int leaderWork(final long nowNs)
    {
        int work = 0;
        if (isLeaseValid(nowNs))
        {
            // Reads that arrived before the previous doWork arrived before this time was read.
            leaseConfirmedStep = step - 1;
        }
        else if (lease.hasHead() && !isLeaseReadConfirmed(lease.slot(lease.head)))
        {
            isRoundWanted = true;
        }
        final long sinceRoundNs = nowNs - roundStartNs[(int)(round & (ROUND_HISTORY - 1))];
        final boolean isRoundIdle = round == confirmedRound;
        final boolean isRenewing = config.isLeaseReadEnabled() && !isLeaseRevoked &&
            nowNs - lastLeaseReadNs < config.electionTimeoutMaxNs();
        if ((isRoundWanted && isRoundIdle) ||
            ((isRoundWanted || hasUnconfirmed()) && sinceRoundNs >= config.heartbeatIntervalNs()) ||
            (isRenewing && isRoundIdle && sinceRoundNs >= config.heartbeatIntervalNs()))
        {
            startRound(nowNs);
            work++;
        }
        work += sendRound();
        return work;
    }

    private boolean isLeaseValid(final long nowNs)
    {
        return config.isLeaseReadEnabled() && !isLeaseRevoked && nowNs < leaseEndNs;
    }

    private boolean hasUnconfirmed()
    {
        return (linear.hasHead() && linear.tag[linear.slot(linear.head)] > confirmedRound) || remote.hasHead();
    }

    private void startRound(final long nowNs)
    {
        round++;
        roundStartNs[(int)(round & (ROUND_HISTORY - 1))] = nowNs;
        isRoundWanted = false;
        if (maybeConfirm())
        {
            serve();
        }
    }

    private int sendRound()
    {
        int sent = 0;
        final long term = log.currentTerm();
        for (final Peer peer : peers)
        {
            if (peer.position != selfPosition && peer.readRoundSent < round &&
                outbox.readIndexRequest(peer.memberId, term, round, true))
            {
                peer.readRoundSent = round;
                sent++;
            }
        }
        return sent;
    }

    /**
     * @return whether a majority's echoes confirmed a later round than before; renews the lease from its start.
     */
    private boolean maybeConfirm()
    {
        final long[] rounds = scratch;
        for (final Peer peer : peers)
        {
            rounds[peer.position] = peer.position == selfPosition ? round : peer.readRoundAcked;
        }
        final long majorityRound = Quorum.majorityIndex(rounds, peers.length);
        if (majorityRound <= confirmedRound)
        {
            return false;
        }
        confirmedRound = majorityRound;
        if (config.isLeaseReadEnabled() && !isLeaseRevoked && round - majorityRound < ROUND_HISTORY)
        {
            final long endNs = roundStartNs[(int)(majorityRound & (ROUND_HISTORY - 1))] +
                config.electionTimeoutMinNs() - config.leaseClockDriftNs();
            leaseEndNs = Math.max(leaseEndNs, endNs);
        }
        return true;
    }

    /**
     * A follower echoed a confirmation round of this leader's term.
     */
    void onRoundAck(final Peer peer, final long ackedRound)
    {
        peer.isRecentlyActive = true;
        if (ackedRound > peer.readRoundAcked && ackedRound <= round)
        {
            peer.readRoundAcked = ackedRound;
            if (maybeConfirm())
            {
                serve();
            }
        }
    }

    /**
     * A follower asks this leader for a read index: it joins the next round as a read of its own.
     */
    void onRemoteRequest(final int followerId, final long requestSeq)
    {
        if (LEADER != roles.role() || remote.isFull())
        {
            // As if lost: the follower asks again.
            return;
        }
        isRoundWanted = true;
        remote.add(leaderReadIndex(), round + 1, followerId, requestSeq);
    }

    private int followerWork(final long nowNs)
    {
        final int leaderId = roles.leaderId();
        if (NO_MEMBER == leaderId)
        {
            return 0;
        }
        final boolean isInFlight = requestSeq > answeredSeq;
        final boolean isWanted = follower.tag[follower.slot(follower.tail - 1)] > requestSeq;
        if ((!isInFlight && isWanted) ||
            (isInFlight && (leaderId != requestLeaderId || nowNs - requestSentNs >= 2 * config.heartbeatIntervalNs())))
        {
            if (outbox.readIndexRequest(leaderId, log.currentTerm(), requestSeq + 1, false))
            {
                requestSeq++;
                requestSentNs = nowNs;
                requestLeaderId = leaderId;
                return 1;
            }
        }
        return 0;
    }

    /**
     * The leader of this term answered a read index request.
     */
    void onReadIndexAnswer(final int leaderId, final long answeredRequest, final long readIndex)
    {
        if (FOLLOWER != roles.role() || leaderId != roles.leaderId() || answeredRequest <= answeredSeq ||
            answeredRequest > requestSeq)
        {
            return;
        }
        answeredSeq = answeredRequest;
        while (followerConfirmed < follower.tail && follower.tag[follower.slot(followerConfirmed)] <= answeredRequest)
        {
            follower.index[follower.slot(followerConfirmed)] = readIndex;
            followerConfirmed++;
        }
        serve();
    }

    /**
     * Answer every read whose confirmation and applied index allow it, in ticket order per track.
     */
    int serve()
    {
        int work = 0;
        final long applied = commit.lastApplied();
        if (LEADER == roles.role())
        {
            if (commit.commitIndex() < roles.termStartIndex())
            {
                // Not before the leader committed an entry of its own term (§6.4, step 1).
                return 0;
            }
            while (linear.hasHead())
            {
                final int slot = linear.slot(linear.head);
                if (linear.tag[slot] > confirmedRound || linear.index[slot] > applied)
                {
                    break;
                }
                listener.onReadReady(RaftReads.LINEARIZABLE, linear.head++, linear.index[slot]);
                work++;
            }
            while (remote.hasHead())
            {
                final int slot = remote.slot(remote.head);
                if (remote.tag[slot] > confirmedRound ||
                    !outbox.readIndexResponse((int)remote.extra[slot], log.currentTerm(), remote.extra2[slot],
                    remote.index[slot], true))
                {
                    break;
                }
                remote.head++;
                work++;
            }
            while (lease.hasHead())
            {
                final int slot = lease.slot(lease.head);
                if (!isLeaseReadConfirmed(slot) || lease.index[slot] > applied)
                {
                    break;
                }
                listener.onReadReady(RaftReads.LEASE, lease.head++, lease.index[slot]);
                work++;
            }
        }
        while (follower.head < followerConfirmed)
        {
            final int slot = follower.slot(follower.head);
            if (follower.index[slot] > applied)
            {
                break;
            }
            listener.onReadReady(RaftReads.FOLLOWER, follower.head++, follower.index[slot]);
            work++;
        }
        return work;
    }

    /**
     * A lease read is confirmed by a lease that held after it arrived, or, failing that, by a confirmation round that
     * started after it arrived (the ReadIndex way).
     */
    private boolean isLeaseReadConfirmed(final int slot)
    {
        return lease.extra[slot] <= leaseConfirmedStep || lease.tag[slot] <= confirmedRound;
    }

    /**
     * Leadership changed: a leader's pending reads fail when it steps down; a new leader starts with no lease and no
     * round in flight, and a follower's reads fail when it becomes the leader (the client asks again).
     */
    void onRoleChange(final RaftRole previous, final RaftRole next)
    {
        if (LEADER == previous && LEADER != next)
        {
            failAll(linear, RaftReads.LINEARIZABLE);
            failAll(lease, RaftReads.LEASE);
            remote.head = remote.tail;
            leaseEndNs = Long.MIN_VALUE;
            leaseConfirmedStep = -1;
        }
        if (LEADER == next && LEADER != previous)
        {
            confirmedRound = round;
            isRoundWanted = false;
            isLeaseRevoked = false;
            leaseEndNs = Long.MIN_VALUE;
            leaseConfirmedStep = -1;
            for (final Peer peer : peers)
            {
                peer.readRoundSent = round;
                peer.readRoundAcked = round;
            }
            failAll(follower, RaftReads.FOLLOWER);
            followerConfirmed = follower.tail;
            answeredSeq = requestSeq;
        }
    }

    /**
     * Leadership is being handed over: its target will campaign with votes that ignore leader stickiness, so no
     * lease of this term can be trusted any more.
     */
    void revokeLease()
    {
        isLeaseRevoked = true;
        leaseEndNs = Long.MIN_VALUE;
        leaseConfirmedStep = -1;
    }

    private void failAll(final Ring ring, final int track)
    {
        while (ring.hasHead())
        {
            listener.onReadFailed(track, ring.head++);
        }
    }

    /**
     * @return when {@link #doWork} next has something to do for reads, {@link RaftNode#NOW}, or
     * {@code Long.MAX_VALUE}.
     */
    long nextDeadlineNs()
    {
        long deadlineNs = Long.MAX_VALUE;
        if (LEADER == roles.role())
        {
            for (final Peer peer : peers)
            {
                if (peer.position != selfPosition && peer.readRoundSent < round)
                {
                    return NOW;
                }
            }
            final long roundDueNs = roundStartNs[(int)(round & (ROUND_HISTORY - 1))] + config.heartbeatIntervalNs();
            if (isRoundWanted && round == confirmedRound)
            {
                return NOW;
            }
            if (isRoundWanted || hasUnconfirmed())
            {
                deadlineNs = roundDueNs;
            }
            if (lease.hasHead() && lease.extra[lease.slot(lease.head)] >= step)
            {
                // Arrived after the last doWork: the next one judges it by the lease, or asks for a round.
                return NOW;
            }
            if (config.isLeaseReadEnabled() && !isLeaseRevoked && round == confirmedRound &&
                lastNowNs - lastLeaseReadNs < config.electionTimeoutMaxNs())
            {
                deadlineNs = Math.min(deadlineNs, roundDueNs);
            }
        }
        else if (followerConfirmed < follower.tail && NO_MEMBER != roles.leaderId())
        {
            if (requestSeq == answeredSeq || roles.leaderId() != requestLeaderId)
            {
                return NOW;
            }
            deadlineNs = requestSentNs + 2 * config.heartbeatIntervalNs();
        }
        return deadlineNs;
    }

    /**
     * @return reads of {@code track} waiting in the core.
     */
    int pending(final int track)
    {
        switch (track)
        {
            case RaftReads.LINEARIZABLE:
                return (int)(linear.tail - linear.head);
            case RaftReads.LEASE:
                return (int)(lease.tail - lease.head);
            default:
                return (int)(follower.tail - follower.head);
        }
    }

    /**
     * @return the end of the leader's lease on its clock, {@code Long.MIN_VALUE} for none.
     */
    long leaseEndNs()
    {
        return isLeaseRevoked ? Long.MIN_VALUE : leaseEndNs;
    }

    /**
     * @return the newest confirmation round a majority echoed.
     */
    long confirmedRound()
    {
        return confirmedRound;
    }

    /**
     * A queue of reads: tickets {@code [head, tail)}, each with its read index, its confirmation tag and two
     * values of its track's own, in preallocated arrays.
     */
    private static final class Ring
    {
        final long[] index;
        final long[] tag;
        final long[] extra;
        final long[] extra2;
        final int mask;
        long head = 1;
        long tail = 1;

        Ring(final int capacity)
        {
            index = new long[capacity];
            tag = new long[capacity];
            extra = new long[capacity];
            extra2 = new long[capacity];
            mask = capacity - 1;
        }

        boolean hasHead()
        {
            return head < tail;
        }

        boolean isFull()
        {
            return tail - head > mask;
        }

        int slot(final long ticket)
        {
            return (int)(ticket & mask);
        }

        long add(final long readIndex, final long readTag, final long value, final long value2)
        {
            final int slot = slot(tail);
            index[slot] = readIndex;
            tag[slot] = readTag;
            extra[slot] = value;
            extra2[slot] = value2;
            return tail++;
        }
    }
}
