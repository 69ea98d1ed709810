package io.raftline.engine.core;

import io.raftline.log.MetadataStore;
import io.raftline.log.RaftLog;
import io.raftline.log.SnapshotStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.random.RandomGenerator;

import static io.raftline.engine.core.RaftRole.CANDIDATE;
import static io.raftline.engine.core.RaftRole.LEADER;
import static io.raftline.engine.core.RaftRole.PRE_CANDIDATE;

/**
 * The Raft core of one member: a deterministic state machine with no threads, clocks or I/O of its own.
 * <p>
 * Inputs are decoded messages ({@code on...}), proposals and {@link #doWork(long)}, each with the current time as
 * {@code nowNs}. Effects go to the {@link RaftLog}, the {@link MetadataStore}, the {@link Outbox} and the
 * {@link StateMachine} it was given. Randomness (election timeouts) comes only from the injected generator, so a
 * seed reproduces every behaviour.
 * <p>
 * The driver's contract, once per duty cycle: feed inputs, call {@link #doWork(long)}, release the outbox's
 * immediate lane, sync the log and metadata, call {@link #onPersisted()}, release the after-persist lane.
 * <p>
 * Every inbound message passes one admission gate (sender, then term: {@link #admit}) before role-specific
 * handling, which may then assume the message's term equals {@link #currentTerm()}. Every change of role goes through
 * {@link #transitionTo}. Not thread safe: one agent thread owns a node.
 */
public final class RaftNode
{
    /**
     * No member: no leader known, or no vote cast.
     */
    public static final int NO_MEMBER = MetadataStore.NO_VOTE;

    /**
     * {@link #propose} result: this member is not the leader; see {@link #leaderId()}.
     */
    public static final long NOT_LEADER = -1;

    /**
     * {@link #propose} result: the payload is longer than {@link RaftConfig#maxEntryLength()}.
     */
    public static final long ENTRY_TOO_LARGE = -2;

    /**
     * {@link #propose} result: leadership is being handed to another member.
     */
    public static final long TRANSFER_IN_PROGRESS = -3;

    /**
     * {@link #propose} result: the payload is a configuration entry, which only the core itself appends.
     */
    public static final long RESERVED_PAYLOAD = -4;

    /**
     * Snapshot chunk status: stored, send the next.
     */
    public static final int SNAPSHOT_ACCEPTED = 0;

    /**
     * Snapshot chunk status: the snapshot is complete and installed.
     */
    public static final int SNAPSHOT_INSTALLED = 1;

    /**
     * Snapshot chunk status: the chunk did not fit; resend from the offset given.
     */
    public static final int SNAPSHOT_REJECTED = 2;

    /**
     * Election round of a vote message from a peer that does not tag its rounds (schema version 1): matched on the
     * term alone.
     */
    public static final long NO_ROUND = 0;

    /**
     * {@link #nextDeadlineNs()} when there is work to do at once.
     */
    public static final long NOW = Long.MIN_VALUE;

    static final DirectBuffer EMPTY_PAYLOAD = new UnsafeBuffer(new byte[0]);

    final RaftConfig config;
    private final CoreLog log;
    private final int memberId;
    final Members members;
    private final ConfigurationChanges changes;
    private final CommitState commit;
    private final Rejections rejections;
    private final Election election;
    private final Replicator replicator;
    private final Applier applier;
    private final ReadTracker readTracker;
    private final RaftReads reads;

    private final RoleState roles;
    private final AdmissionGate gate;
    private final InboundMessages inbound;
    // The time of the current duty cycle (clock or doWork), for what the driver's onPersisted brings about.
    private long nowNs;

    /**
     * Create the core of a member from its durable state. The member starts as a follower with a fresh election
     * timeout. If there is a snapshot the state machine is restored from it first; entries after it are applied
     * again as they are (re)learned to be committed.
     *
     * @param config       of the member.
     * @param log          of the member, as recovered from disk.
     * @param metadata     the member's durable term and vote.
     * @param snapshots    the member's snapshot store.
     * @param outbox       to send messages through.
     * @param stateMachine to apply committed entries to.
     * @param random       seeded source of election timeouts.
     * @param listener     trace hooks, or {@link RaftEventListener#NO_OP}.
     * @param nowNs        the current time.
     */
    public RaftNode(
        final RaftConfig config,
        final RaftLog log,
        final MetadataStore metadata,
        final SnapshotStore snapshots,
        final Outbox outbox,
        final StateMachine stateMachine,
        final RandomGenerator random,
        final RaftEventListener listener,
        final long nowNs)
    {
        this(config, log, metadata, snapshots, outbox, stateMachine, random, listener, RoleListener.NO_OP, nowNs);
    }

    /**
     * Create the core of a member as the constructor above does, telling {@code roleListener} of every change of
     * role (how leadership reaches the client sessions).
     */
    public RaftNode(
        final RaftConfig config,
        final RaftLog log,
        final MetadataStore metadata,
        final SnapshotStore snapshots,
        final Outbox outbox,
        final StateMachine stateMachine,
        final RandomGenerator random,
        final RaftEventListener listener,
        final RoleListener roleListener,
        final long nowNs)
    {
        this.config = config;
        this.nowNs = nowNs;
        this.log = new CoreLog(log, metadata);
        this.memberId = config.memberId();
        final MembershipSnapshots store = MembershipSnapshots.wrap(snapshots);
        this.members = new Members(config, this.log, listener);
        this.commit = new CommitState(memberId, listener, log.baseIndex());
        this.rejections = new Rejections(memberId, listener);
        this.roles = new RoleState(config, this.log, random, listener, roleListener);
        this.gate = new AdmissionGate(config, this.log, roles, rejections, members);
        this.election = new Election(config, this.log, outbox, members, roles);
        this.replicator = new Replicator(
            config, this.log, commit, store, outbox, members, roles, rejections);
        final LogReceiver receiver = new LogReceiver(this.log, commit, outbox, rejections);
        this.applier = new Applier(config, this.log, commit, store, members, stateMachine);
        final SnapshotReceiver snapshotReceiver = new SnapshotReceiver(
            this.log, commit, store.raw(), applier, members, outbox, rejections);
        this.changes = new ConfigurationChanges(config, this.log, commit, members, roles, replicator, listener);

        this.readTracker = new ReadTracker(config, this.log, commit, outbox, members, roles, nowNs);
        this.reads = new RaftReads(config, this.log, outbox, roles, gate, this, readTracker);
        this.inbound = new InboundMessages(
            this.log, outbox, members, roles, gate, election, replicator, receiver, snapshotReceiver, reads);
        roles.attach(election, replicator);
        members.attach(outbox, roles, commit);
        members.start(applier.restoreNewestSnapshot());
        this.log.members(members);
        roles.attachReads(readTracker);
        roles.start(nowNs);
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /**
     * One duty cycle of the core: election and heartbeat timers, replication to followers, applying committed
     * entries.
     *
     * @param nowNs the current time.
     * @return the amount of work done, 0 if there was none.
     */
    public int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        log.clock().tick(nowNs);
        int workCount = 0;
        if (LEADER == roles.role())
        {
            workCount += replicator.checkQuorum(nowNs);
            if (LEADER == roles.role())
            {
                workCount += changes.work(nowNs);
                workCount += replicator.replicate(nowNs);
                workCount += replicator.transferWork(nowNs);
            }
        }
        else if (nowNs >= roles.electionDeadlineNs())
        {
            election.onElectionTimeout(nowNs);
            workCount++;
        }
        else if (PRE_CANDIDATE == roles.role() || CANDIDATE == roles.role())
        {
            workCount += election.sendPendingVoteRequests();
        }
        workCount += applier.applyBatch();
        workCount += applier.maybeTakeSnapshot();
        workCount += readTracker.doWork(nowNs);
        return workCount;
    }

    /**
     * The time of the cycle, before its inputs: what a leader stamps the entries it appends with (cluster time).
     *
     * @param nowNs the current time.
     */
    public void clock(final long nowNs)
    {
        this.nowNs = nowNs;
        log.clock().tick(nowNs);
    }

    /**
     * @return the cluster clock: this member's stamps and the floor below which none goes.
     */
    public ClusterClock clusterClock()
    {
        return log.clock();
    }

    /**
     * The state machine's snapshot up to {@code index} is durable in the snapshot store: compact the log below it
     * (keeping {@link RaftConfig#compactionRetainEntries()} entries for followers slightly behind).
     *
     * @param index of the snapshot.
     */
    public void onSnapshotTaken(final long index)
    {
        applier.onSnapshotTaken(index);
    }

    /**
     * Abandon the snapshot in progress (the state machine failed to write it); a later one will be tried.
     */
    public void onSnapshotFailed()
    {
        applier.onSnapshotFailed();
    }

    /**
     * The driver has made every log and metadata change so far durable.
     */
    public void onPersisted()
    {
        log.onPersisted();
        election.onPersisted(nowNs);
        if (LEADER == roles.role())
        {
            replicator.maybeCommit();
        }
    }

    /**
     * Propose a command. Only the leader accepts one; it is appended to the leader's log and replicated on the
     * next {@link #doWork(long)}.
     *
     * @param buffer holding the command.
     * @param offset of the command.
     * @param length of the command.
     * @return the index the command will have once committed, or {@link #NOT_LEADER}, {@link #ENTRY_TOO_LARGE}
     * or {@link #TRANSFER_IN_PROGRESS}.
     */
    public long propose(final DirectBuffer buffer, final int offset, final int length)
    {
        if (LEADER != roles.role())
        {
            return NOT_LEADER;
        }
        if (length > config.maxEntryLength())
        {
            return ENTRY_TOO_LARGE;
        }
        if (replicator.isTransferring())
        {
            return TRANSFER_IN_PROGRESS;
        }
        if (MembershipCodec.isMembershipEntry(buffer, offset, length))
        {
            return RESERVED_PAYLOAD;
        }
        return log.append(log.currentTerm(), buffer, offset, length);
    }

    /**
     * A (pre-)vote request arrived.
     *
     * @param candidateId  of the sender.
     * @param term         of the candidate, or the term it would stand in for a pre-vote.
     * @param lastLogIndex of the candidate.
     * @param lastLogTerm  of the candidate.
     * @param preVote      whether it is a pre-vote.
     * @param round        the candidate's election round, echoed in the answer, or {@link #NO_ROUND}.
     * @param nowNs        the current time.
     * @return false if the sender is not another member of the cluster (counted, ignored).
     */
    public boolean onRequestVote(
        final int candidateId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round,
        final long nowNs)
    {
        return onRequestVote(candidateId, term, lastLogIndex, lastLogTerm, preVote, round, false, nowNs);
    }

    /**
     * A (pre-)vote request, saying whether the candidate campaigns for a leadership transfer (see
     * {@link RaftReads#ignoresVote}).
     */
    public boolean onRequestVote(
        final int candidateId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round,
        final boolean transfer,
        final long nowNs)
    {
        return inbound.onRequestVote(candidateId, term, lastLogIndex, lastLogTerm, preVote, round, transfer, nowNs);
    }

    /**
     * A (pre-)vote request without a round tag, as a schema version 1 peer sends it.
     *
     * @see #onRequestVote(int, long, long, long, boolean, long, long)
     */
    public boolean onRequestVote(
        final int candidateId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long nowNs)
    {
        return onRequestVote(candidateId, term, lastLogIndex, lastLogTerm, preVote, NO_ROUND, nowNs);
    }

    /**
     * An answer to this member's (pre-)vote request arrived.
     *
     * @param voterId       of the sender.
     * @param term          of the voter.
     * @param candidateTerm the term the vote was asked for.
     * @param granted       whether the vote was granted.
     * @param preVote       whether it answers a pre-vote.
     * @param round         the round of the request answered, or {@link #NO_ROUND}.
     * @param nowNs         the current time.
     * @return false if the sender is not another member of the cluster (counted, ignored).
     */
    public boolean onRequestVoteResponse(
        final int voterId,
        final long term,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long round,
        final long nowNs)
    {
        return inbound.onRequestVoteResponse(voterId, term, candidateTerm, granted, preVote, round, nowNs);
    }

    /**
     * An answer without a round tag, as a schema version 1 peer sends it.
     *
     * @see #onRequestVoteResponse(int, long, long, boolean, boolean, long, long)
     */
    public boolean onRequestVoteResponse(
        final int voterId,
        final long term,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long nowNs)
    {
        return onRequestVoteResponse(voterId, term, candidateTerm, granted, preVote, NO_ROUND, nowNs);
    }

    /**
     * An AppendEntries (or heartbeat) arrived.
     *
     * @param leaderId     of the sender.
     * @param term         of the leader.
     * @param prevLogIndex index of the entry before the batch.
     * @param prevLogTerm  term of that entry.
     * @param leaderCommit the leader's commit index.
     * @param entries      the batch, possibly empty.
     * @param nowNs        the current time.
     * @return false if the sender is not another member of the cluster (counted, ignored).
     */
    public boolean onAppendEntries(
        final int leaderId,
        final long term,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final EntryBatch entries,
        final long nowNs)
    {
        return inbound.onAppendEntries(leaderId, term, prevLogIndex, prevLogTerm, leaderCommit, entries, nowNs);
    }

    /**
     * A follower answered an AppendEntries.
     *
     * @param followerId    of the sender.
     * @param term          of the follower.
     * @param prevLogIndex  of the request answered.
     * @param success       whether the entries were accepted.
     * @param matchIndex    on success, the last index known to match.
     * @param conflictIndex on rejection, where to look next.
     * @param conflictTerm  on rejection, the follower's term at prevLogIndex, or 0.
     * @param lastLogIndex  the follower's last index.
     * @param nowNs         the current time.
     * @return false if the sender is not another member of the cluster (counted, ignored).
     */
    public boolean onAppendEntriesResponse(
        final int followerId,
        final long term,
        final long prevLogIndex,
        final boolean success,
        final long matchIndex,
        final long conflictIndex,
        final long conflictTerm,
        final long lastLogIndex,
        final long nowNs)
    {
        return inbound.onAppendEntriesResponse(
            followerId, term, prevLogIndex, success, matchIndex, conflictIndex, conflictTerm, lastLogIndex, nowNs);
    }

    /**
     * A chunk of the leader's snapshot arrived.
     *
     * @param leaderId         of the sender.
     * @param term             of the leader.
     * @param snapshotIndex    last index the snapshot covers.
     * @param snapshotTerm     term of that index.
     * @param chunkOffset      of the chunk in the snapshot.
     * @param snapshotLength   of the whole snapshot.
     * @param snapshotChecksum CRC32C of the whole snapshot.
     * @param isLast           whether the chunk ends the snapshot.
     * @param data             holding the chunk.
     * @param dataOffset       of the chunk.
     * @param dataLength       of the chunk.
     * @param transferId       the leader's tag of the transfer and rewind, echoed in the answer.
     * @param nowNs            the current time.
     * @return false if the sender is not another member of the cluster (counted, ignored).
     */
    public boolean onInstallSnapshot(
        final int leaderId,
        final long term,
        final long snapshotIndex,
        final long snapshotTerm,
        final long chunkOffset,
        final long snapshotLength,
        final long snapshotChecksum,
        final boolean isLast,
        final DirectBuffer data,
        final int dataOffset,
        final int dataLength,
        final long transferId,
        final long nowNs)
    {
        return inbound.onInstallSnapshot(leaderId, term, snapshotIndex, snapshotTerm, chunkOffset, snapshotLength,
            snapshotChecksum, isLast, data, dataOffset, dataLength, transferId, nowNs);
    }

    /**
     * A follower answered a snapshot chunk.
     *
     * @param followerId    of the sender.
     * @param term          of the follower.
     * @param snapshotIndex of the snapshot being sent.
     * @param nextOffset    the first byte the follower still needs.
     * @param status        {@link #SNAPSHOT_ACCEPTED}, {@link #SNAPSHOT_INSTALLED} or {@link #SNAPSHOT_REJECTED}.
     * @param transferId    the tag of the chunk answered.
     * @param nowNs         the current time.
     * @return false if the sender is not another member of the cluster (counted, ignored).
     */
    public boolean onInstallSnapshotResponse(
        final int followerId,
        final long term,
        final long snapshotIndex,
        final long nextOffset,
        final int status,
        final long transferId,
        final long nowNs)
    {
        return inbound.onInstallSnapshotResponse(
            followerId, term, snapshotIndex, nextOffset, status, transferId, nowNs);
    }

    /**
     * Take a snapshot of everything applied as soon as no other is in progress, whatever the snapshot intervals say
     * (an operator's request). Nothing happens while nothing new was applied since the newest snapshot.
     */
    public void requestSnapshot()
    {
        applier.isSnapshotRequested = true;
    }

    /**
     * @return the index of the newest durable snapshot this member knows of.
     */
    public long snapshotIndex()
    {
        return applier.snapshotIndex;
    }

    /**
     * The leader asks this member to start an election at once (leadership transfer).
     *
     * @param leaderId of the sender.
     * @param term     of the leader.
     * @param nowNs    the current time.
     * @return false if the sender is not another member of the cluster (counted, ignored).
     */
    public boolean onTimeoutNow(final int leaderId, final long term, final long nowNs)
    {
        return inbound.onTimeoutNow(leaderId, term, nowNs);
    }

    /**
     * Hand leadership to another member: stop accepting proposals, bring it up to date, then tell it to start an
     * election. Abandoned after an election timeout.
     *
     * @param targetId the member to hand over to.
     * @param nowNs    the current time.
     * @return false if this member is not the leader or the target is not another voter.
     */
    public boolean transferLeadership(final int targetId, final long nowNs)
    {
        final Peer target = members.peer(targetId);
        if (LEADER != roles.role() || targetId == memberId || null == target || !target.isVoter)
        {
            return false;
        }
        readTracker.revokeLease();
        replicator.startTransfer(target, nowNs);
        return true;
    }

    // ------------------------------------------------------------------------------------------------ membership

    /**
     * @return the leader's configuration changes (add a learner, promote, remove, replace) and what the agent and
     * an operator read about the configuration.
     */
    public ConfigurationChanges membershipChanges()
    {
        return changes;
    }

    /**
     * Tell {@code listener} (on this thread) of every change of the effective configuration, starting at once with
     * the one in effect now: how the agent learns which members to talk to.
     */
    public void membershipListener(final MembershipListener listener)
    {
        members.listener(listener);
    }

    /**
     * @return the effective configuration (effective as soon as its entry is in the log).
     */
    public Membership membership()
    {
        return members.effective();
    }

    // ------------------------------------------------------------------------------------------------ queries

    /**
     * @return the id of this member.
     */
    public int memberId()
    {
        return memberId;
    }

    /**
     * @return the current role.
     */
    public RaftRole role()
    {
        return roles.role();
    }

    /**
     * @return the current term.
     */
    public long currentTerm()
    {
        return log.currentTerm();
    }

    /**
     * @return the member voted for in the current term, or {@link #NO_MEMBER}.
     */
    public int votedFor()
    {
        return log.votedFor();
    }

    /**
     * @return the leader of the current term as far as this member knows, or {@link #NO_MEMBER}.
     */
    public int leaderId()
    {
        return roles.leaderId();
    }

    /**
     * @return the highest index known to be committed.
     */
    public long commitIndex()
    {
        return commit.commitIndex();
    }

    /**
     * @return the highest index applied to the state machine.
     */
    public long lastApplied()
    {
        return commit.lastApplied();
    }

    /**
     * Whether this member leads and has applied an entry of its own term. Only then does the state it applied hold
     * every entry committed before its term: a new leader may have applied less than its predecessor did.
     *
     * @return true for a leader whose applied index reached the first entry of its term.
     */
    public boolean hasAppliedEntryOfTerm()
    {
        return LEADER == roles.role() && commit.lastApplied() >= roles.termStartIndex();
    }

    /**
     * @return how many elections this member has started as a candidate.
     */
    public long electionCount()
    {
        return roles.electionCount();
    }

    /**
     * @return how many inbound messages were rejected as invalid (unknown sender, malformed batch).
     */
    public long rejectedMessageCount()
    {
        return rejections.count();
    }

    /**
     * @return the log this core writes.
     */
    public RaftLog log()
    {
        return log.raftLog();
    }

    /**
     * @return true if the log or the term/vote changed since the last {@link #onPersisted()}: the driver must
     * sync before it releases the outbox's after-persist lane.
     */
    public boolean isPersistPending()
    {
        return log.isPersistPending();
    }

    /**
     * Apply committed entries now, without the rest of a duty cycle: for the driver to call right after
     * {@link #onPersisted()} advanced the commit index.
     *
     * @return entries applied.
     */
    public int applyCommitted()
    {
        final int applied = applier.applyBatch();
        return applied > 0 ? applied + readTracker.serve() : 0;
    }

    /**
     * @return this node's reads without a log write: ReadIndex, lease and follower reads.
     */
    public RaftReads reads()
    {
        return reads;
    }

    /**
     * When {@link #doWork(long)} next has something to do, so that a simulator need not call it every tick.
     *
     * @return the earliest time of a pending timer, or {@link #NOW} if there is work to do already.
     */
    public long nextDeadlineNs()
    {
        if (commit.hasUnapplied())
        {
            return NOW;
        }
        final long readsDeadlineNs = readTracker.nextDeadlineNs();
        if (LEADER == roles.role())
        {
            return changes.hasWork() ? NOW : Math.min(replicator.nextDeadlineNs(), readsDeadlineNs);
        }
        if (NOW == readsDeadlineNs)
        {
            return NOW;
        }
        if ((PRE_CANDIDATE == roles.role() || CANDIDATE == roles.role()) && election.hasPendingVoteRequests())
        {
            return NOW;
        }
        return Math.min(roles.electionDeadlineNs(), readsDeadlineNs);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return NodeDescription.describe(memberId, roles, log, commit, applier.snapshotIndex, members);
    }

    /**
     * The node's own thread did not run for {@code pausedNs} (a stall of its process, or of a thread it shares with
     * other members), so it could not have heard anyone: move every time-based judgement by the pause, as if its
     * clock had stopped with it (as a tick-based Raft's clock does). The election deadline, the last contact with
     * the leader (which PreVote's stickiness uses) and the leader's quorum-check window all shift. Liveness only:
     * no safety property depends on time.
     *
     * @param pausedNs how long the node's thread did not run.
     */
    public void onPause(final long pausedNs)
    {
        if (pausedNs > 0)
        {
            roles.onPause(pausedNs);
            replicator.onPause(pausedNs);
        }
    }

    void resetElectionDeadline(final long nowNs)
    {
        roles.resetElectionDeadline(nowNs);
    }

    Peer peerOf(final int id)
    {
        return members.peer(id);
    }
}
