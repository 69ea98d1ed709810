package io.raftline.engine.core;

import io.raftline.log.MetadataStore;
import io.raftline.log.RaftLog;
import io.raftline.log.SnapshotStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.random.RandomGenerator;

import static io.raftline.engine.core.RaftRole.CANDIDATE;
import static io.raftline.engine.core.RaftRole.FOLLOWER;
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
 * immediate lane, sync the log and metadata, call {@link #onPersisted(long)}, release the after-persist lane.
 * <p>
 * Every inbound message passes one term check ({@link #acceptTerm}) before role-specific handling, which may then
 * assume the message's term equals {@link #currentTerm()}. Every change of role goes through
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
     * {@link #nextDeadlineNs()} when there is work to do at once.
     */
    public static final long NOW = Long.MIN_VALUE;

    static final DirectBuffer EMPTY_PAYLOAD = new UnsafeBuffer(new byte[0]);

    final RaftConfig config;
    final RaftLog log;
    final MetadataStore metadata;
    final SnapshotStore snapshots;
    final Outbox outbox;
    final StateMachine stateMachine;
    final RandomGenerator random;
    final RaftEventListener listener;
    private final RoleListener roleListener;
    final int memberId;
    final int selfPosition;
    final int memberCount;
    final Peer[] peers;
    final long[] scratchIndices;
    private final Election election;
    private final Replicator replicator;
    private final LogReceiver receiver;
    private final SnapshotReceiver snapshotReceiver;
    final Applier applier;

    RaftRole role = FOLLOWER;
    // Invariant: currentTerm and votedFor equal what the metadata store holds (written through on every change).
    long currentTerm;
    int votedFor;
    int leaderId = NO_MEMBER;
    // Invariant: commitIndex never decreases within a member's lifetime; lastApplied <= commitIndex.
    long commitIndex;
    long lastApplied;
    // Highest index known durable in this member's own log; a leader counts itself only up to here.
    long persistedIndex;
    // As leader: the index of the first entry of its term (the noop, when it appends one).
    long termStartIndex = Long.MAX_VALUE;
    long electionDeadlineNs;
    long lastLeaderContactNs;
    long electionCount;
    long rejectedMessageCount;
    // Set by every change to the log or the term/vote; cleared when the driver reports them durable.
    boolean isPersistPending;

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
        this.roleListener = roleListener;
        this.config = config;
        this.log = log;
        this.metadata = metadata;
        this.snapshots = snapshots;
        this.outbox = outbox;
        this.stateMachine = stateMachine;
        this.random = random;
        this.listener = listener;
        this.memberId = config.memberId();
        this.selfPosition = config.positionOf(memberId);
        this.memberCount = config.memberCount();
        this.peers = new Peer[memberCount];
        for (int i = 0; i < memberCount; i++)
        {
            peers[i] = new Peer(config.memberIdAt(i), i, config.maxInflightBatches());
        }
        this.scratchIndices = new long[memberCount];
        this.election = new Election(this);
        this.replicator = new Replicator(this);
        this.receiver = new LogReceiver(this);
        this.snapshotReceiver = new SnapshotReceiver(this);
        this.applier = new Applier(this);

        currentTerm = metadata.currentTerm();
        votedFor = metadata.votedFor();
        commitIndex = log.baseIndex();
        lastApplied = log.baseIndex();
        applier.restoreNewestSnapshot();
        persistedIndex = log.lastIndex();
        lastLeaderContactNs = nowNs;
        if (config.isPreVoteEnabled())
        {
            // A member that just started looks for a leader sooner: if one exists, its followers refuse the
            // pre-vote (they hear from it), so a short first timeout disturbs nobody; if none does, the cluster
            // elects one in a quarter to a half of the usual time.
            final long minNs = config.electionTimeoutMinNs();
            electionDeadlineNs = nowNs + random.nextLong(minNs / 4, minNs / 2 + 1);
        }
        else
        {
            resetElectionDeadline(nowNs);
        }
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
        int workCount = 0;
        if (LEADER == role)
        {
            workCount += replicator.checkQuorum(nowNs);
            if (LEADER == role)
            {
                workCount += replicator.replicate(nowNs);
                workCount += replicator.transferWork(nowNs);
            }
        }
        else if (nowNs >= electionDeadlineNs)
        {
            election.onElectionTimeout(nowNs);
            workCount++;
        }
        else if (PRE_CANDIDATE == role || CANDIDATE == role)
        {
            workCount += election.sendPendingVoteRequests();
        }
        workCount += applier.applyBatch();
        workCount += applier.maybeTakeSnapshot();
        return workCount;
    }

    /**
     * The state machine's snapshot up to {@code index} is durable in the snapshot store: compact the log below it
     * (keeping {@link RaftConfig#compactionRetainEntries()} entries for followers slightly behind).
     *
     * @param index of the snapshot.
     * @param nowNs the current time.
     */
    public void onSnapshotTaken(final long index, final long nowNs)
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
     *
     * @param nowNs the current time.
     */
    public void onPersisted(final long nowNs)
    {
        isPersistPending = false;
        persistedIndex = log.lastIndex();
        if (LEADER == role)
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
     * @param nowNs  the current time.
     * @return the index the command will have once committed, or {@link #NOT_LEADER}, {@link #ENTRY_TOO_LARGE}
     * or {@link #TRANSFER_IN_PROGRESS}.
     */
    public long propose(final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        if (LEADER != role)
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
        isPersistPending = true;
        return log.append(currentTerm, buffer, offset, length);
    }

    /**
     * A (pre-)vote request arrived.
     *
     * @param candidateId  of the sender.
     * @param term         of the candidate, or the term it would stand in for a pre-vote.
     * @param lastLogIndex of the candidate.
     * @param lastLogTerm  of the candidate.
     * @param preVote      whether it is a pre-vote.
     * @param nowNs        the current time.
     */
    public void onRequestVote(
        final int candidateId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long nowNs)
    {
        if (isUnknownSender(candidateId, "RequestVote"))
        {
            return;
        }
        election.onRequestVote(candidateId, term, lastLogIndex, lastLogTerm, preVote, nowNs);
    }

    /**
     * An answer to this member's (pre-)vote request arrived.
     *
     * @param voterId       of the sender.
     * @param term          of the voter.
     * @param candidateTerm the term the vote was asked for.
     * @param granted       whether the vote was granted.
     * @param preVote       whether it answers a pre-vote.
     * @param nowNs         the current time.
     */
    public void onRequestVoteResponse(
        final int voterId,
        final long term,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long nowNs)
    {
        if (isUnknownSender(voterId, "RequestVoteResponse"))
        {
            return;
        }
        election.onRequestVoteResponse(voterId, term, candidateTerm, granted, preVote, nowNs);
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
     */
    public void onAppendEntries(
        final int leaderId,
        final long term,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final EntryBatch entries,
        final long nowNs)
    {
        if (isUnknownSender(leaderId, "AppendEntries"))
        {
            return;
        }
        if (!acceptTerm(term, leaderId, true, nowNs))
        {
            // A stale leader: tell it the current term so that it steps down (§5.1).
            outbox.appendEntriesResponse(leaderId, currentTerm, prevLogIndex, false, 0, 0, 0, log.lastIndex());
            return;
        }
        followLeader(leaderId, nowNs, "AppendEntries");
        receiver.onAppendEntries(leaderId, prevLogIndex, prevLogTerm, leaderCommit, entries);
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
     */
    public void onAppendEntriesResponse(
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
        if (isUnknownSender(followerId, "AppendEntriesResponse"))
        {
            return;
        }
        if (!acceptTerm(term, followerId, false, nowNs) || LEADER != role)
        {
            return;
        }
        replicator.onAppendEntriesResponse(
            peerOf(followerId), prevLogIndex, success, matchIndex, conflictIndex, conflictTerm, lastLogIndex, nowNs);
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
     */
    public void onInstallSnapshot(
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
        if (isUnknownSender(leaderId, "InstallSnapshot"))
        {
            return;
        }
        if (!acceptTerm(term, leaderId, true, nowNs))
        {
            outbox.installSnapshotResponse(leaderId, currentTerm, snapshotIndex, 0, SNAPSHOT_REJECTED, transferId);
            return;
        }
        followLeader(leaderId, nowNs, "InstallSnapshot");
        snapshotReceiver.onChunk(leaderId, snapshotIndex, snapshotTerm, chunkOffset, snapshotLength, snapshotChecksum,
            isLast, data, dataOffset, dataLength, transferId);
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
     */
    public void onInstallSnapshotResponse(
        final int followerId,
        final long term,
        final long snapshotIndex,
        final long nextOffset,
        final int status,
        final long transferId,
        final long nowNs)
    {
        if (isUnknownSender(followerId, "InstallSnapshotResponse"))
        {
            return;
        }
        if (!acceptTerm(term, followerId, false, nowNs) || LEADER != role)
        {
            return;
        }
        replicator.onInstallSnapshotResponse(peerOf(followerId), snapshotIndex, nextOffset, status, transferId, nowNs);
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
     */
    public void onTimeoutNow(final int leaderId, final long term, final long nowNs)
    {
        if (isUnknownSender(leaderId, "TimeoutNow"))
        {
            return;
        }
        if (!acceptTerm(term, leaderId, true, nowNs) || FOLLOWER != role || leaderId != this.leaderId)
        {
            return;
        }
        election.campaign(nowNs, false, "TimeoutNow from leader " + leaderId);
    }

    /**
     * Hand leadership to another member: stop accepting proposals, bring it up to date, then tell it to start an
     * election. Abandoned after an election timeout.
     *
     * @param targetId the member to hand over to.
     * @param nowNs    the current time.
     * @return false if this member is not the leader or the target is not another member.
     */
    public boolean transferLeadership(final int targetId, final long nowNs)
    {
        if (LEADER != role || targetId == memberId || config.positionOf(targetId) < 0)
        {
            return false;
        }
        replicator.startTransfer(peerOf(targetId), nowNs);
        return true;
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
        return role;
    }

    /**
     * @return the current term.
     */
    public long currentTerm()
    {
        return currentTerm;
    }

    /**
     * @return the member voted for in the current term, or {@link #NO_MEMBER}.
     */
    public int votedFor()
    {
        return votedFor;
    }

    /**
     * @return the leader of the current term as far as this member knows, or {@link #NO_MEMBER}.
     */
    public int leaderId()
    {
        return leaderId;
    }

    /**
     * @return the highest index known to be committed.
     */
    public long commitIndex()
    {
        return commitIndex;
    }

    /**
     * @return the highest index applied to the state machine.
     */
    public long lastApplied()
    {
        return lastApplied;
    }

    /**
     * Whether this member leads and has applied an entry of its own term. Only then does the state it applied hold
     * every entry committed before its term: a new leader may have applied less than its predecessor did.
     *
     * @return true for a leader whose applied index reached the first entry of its term.
     */
    public boolean hasAppliedEntryOfTerm()
    {
        return LEADER == role && lastApplied >= termStartIndex;
    }

    /**
     * @return how many elections this member has started as a candidate.
     */
    public long electionCount()
    {
        return electionCount;
    }

    /**
     * @return how many inbound messages were rejected as invalid (unknown sender, malformed batch).
     */
    public long rejectedMessageCount()
    {
        return rejectedMessageCount;
    }

    /**
     * @return the log this core writes.
     */
    public RaftLog log()
    {
        return log;
    }

    /**
     * @return true if the log or the term/vote changed since the last {@link #onPersisted(long)}: the driver must
     * sync before it releases the outbox's after-persist lane.
     */
    public boolean isPersistPending()
    {
        return isPersistPending;
    }

    /**
     * Apply committed entries now, without the rest of a duty cycle: for the driver to call right after
     * {@link #onPersisted(long)} advanced the commit index.
     *
     * @return entries applied.
     */
    public int applyCommitted()
    {
        return applier.applyBatch();
    }

    /**
     * When {@link #doWork(long)} next has something to do, so that a simulator need not call it every tick.
     *
     * @return the earliest time of a pending timer, or {@link #NOW} if there is work to do already.
     */
    public long nextDeadlineNs()
    {
        if (lastApplied < commitIndex)
        {
            return NOW;
        }
        if (LEADER == role)
        {
            return replicator.nextDeadlineNs();
        }
        if ((PRE_CANDIDATE == role || CANDIDATE == role) && election.hasPendingVoteRequests())
        {
            return NOW;
        }
        return electionDeadlineNs;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        final StringBuilder builder = new StringBuilder()
            .append("RaftNode{id=").append(memberId)
            .append(", role=").append(role)
            .append(", term=").append(currentTerm)
            .append(", votedFor=").append(votedFor)
            .append(", leader=").append(leaderId)
            .append(", commit=").append(commitIndex)
            .append(", applied=").append(lastApplied)
            .append(", last=").append(log.lastIndex()).append('/').append(log.lastTerm())
            .append(", base=").append(log.baseIndex())
            .append(", snapshot=").append(applier.snapshotIndex);
        if (LEADER == role)
        {
            builder.append(", peers=[");
            for (final Peer peer : peers)
            {
                if (peer.position != selfPosition)
                {
                    builder.append(' ').append(peer);
                }
            }
            builder.append(" ]");
        }
        return builder.append('}').toString();
    }

    // ------------------------------------------------------------------------------------------------ shared rules

    /**
     * The one term check every inbound message passes (§5.1): a higher term makes this member a follower in that
     * term; a lower term marks the message stale.
     *
     * @param term         of the message.
     * @param senderId     of the message.
     * @param isFromLeader whether the sender claims leadership of {@code term} (AppendEntries, TimeoutNow).
     * @param nowNs        the current time.
     * @return true if the message is of the current term (after any step-down).
     */
    boolean acceptTerm(final long term, final int senderId, final boolean isFromLeader, final long nowNs)
    {
        if (term > currentTerm)
        {
            stepDown(term, isFromLeader ? senderId : NO_MEMBER, nowNs, "higher term " + term + " from " + senderId);
            return true;
        }
        return term == currentTerm;
    }

    /**
     * Become a follower in {@code term} (not lower than the current one), forgetting the vote if the term is new.
     */
    void stepDown(final long term, final int newLeaderId, final long nowNs, final String reason)
    {
        if (term < currentTerm)
        {
            throw new RaftSafetyException("term would go backwards: currentTerm=" + currentTerm + " term=" + term);
        }
        if (term > currentTerm)
        {
            persistTermAndVote(term, NO_MEMBER);
        }
        leaderId = newLeaderId;
        if (FOLLOWER != role)
        {
            transitionTo(FOLLOWER, nowNs, reason);
        }
    }

    /**
     * A message from the leader of the current term arrived: follow it. A second leader in the term is a broken
     * safety invariant and throws.
     */
    void followLeader(final int newLeaderId, final long nowNs, final String messageType)
    {
        if (LEADER == role)
        {
            throw new RaftSafetyException("two leaders in term " + currentTerm + ": " + memberId + " and " +
                newLeaderId + " (" + messageType + ")");
        }
        if (FOLLOWER != role)
        {
            transitionTo(FOLLOWER, nowNs, messageType + " from leader " + newLeaderId);
        }
        leaderId = newLeaderId;
        lastLeaderContactNs = nowNs;
        resetElectionDeadline(nowNs);
    }

    void persistTermAndVote(final long term, final int vote)
    {
        isPersistPending = true;
        currentTerm = term;
        votedFor = vote;
        metadata.update(term, vote);
    }

    /**
     * The single place the role changes; it owns each role's entry actions.
     */
    void transitionTo(final RaftRole next, final long nowNs, final String reason)
    {
        final RaftRole previous = role;
        role = next;
        switch (next)
        {
            case FOLLOWER:
                replicator.cancelTransfer();
                replicator.onStepDown();
                resetElectionDeadline(nowNs);
                break;

            case PRE_CANDIDATE:
                leaderId = NO_MEMBER;
                resetElectionDeadline(nowNs);
                election.resetVotes();
                break;

            case CANDIDATE:
                leaderId = NO_MEMBER;
                persistTermAndVote(currentTerm + 1, memberId);
                electionCount++;
                resetElectionDeadline(nowNs);
                election.resetVotes();
                break;

            case LEADER:
                leaderId = memberId;
                termStartIndex = log.lastIndex() + 1;
                replicator.onBecomeLeader(nowNs);
                break;

            default:
                throw new IllegalStateException("unknown role " + next);
        }
        roleListener.onRoleChange(previous, next, currentTerm, nowNs);
        listener.onRoleChange(memberId, previous, next, currentTerm, reason, nowNs);
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
        if (pausedNs <= 0)
        {
            return;
        }
        electionDeadlineNs += pausedNs;
        lastLeaderContactNs += pausedNs;
        replicator.onPause(pausedNs);
    }

    void resetElectionDeadline(final long nowNs)
    {
        electionDeadlineNs = nowNs + random.nextLong(config.electionTimeoutMinNs(), config.electionTimeoutMaxNs());
    }

    boolean isLogUpToDate(final long lastLogIndex, final long lastLogTerm)
    {
        // §5.4.1: the later last term wins; with equal last terms the longer log wins.
        final long myLastTerm = log.lastTerm();
        return lastLogTerm > myLastTerm || (lastLogTerm == myLastTerm && lastLogIndex >= log.lastIndex());
    }

    void advanceCommitIndex(final long newCommitIndex)
    {
        if (newCommitIndex > commitIndex)
        {
            commitIndex = newCommitIndex;
            listener.onCommit(memberId, newCommitIndex);
        }
    }

    Peer peerOf(final int id)
    {
        return peers[config.positionOf(id)];
    }

    void countRejected(final int senderId, final String reason)
    {
        rejectedMessageCount++;
        listener.onRejectedMessage(memberId, senderId, reason);
    }

    private boolean isUnknownSender(final int senderId, final String messageType)
    {
        if (senderId == memberId || config.positionOf(senderId) < 0)
        {
            countRejected(senderId, messageType + " from unknown member " + senderId);
            return true;
        }
        return false;
    }
}
