package io.raftline.engine.script;

import io.raftline.engine.core.ConfigurationChanges;
import io.raftline.engine.core.DeferredOutbox;
import io.raftline.engine.core.DutyCycle;
import io.raftline.engine.core.Membership;
import io.raftline.engine.core.MembershipCodec;
import io.raftline.engine.core.MembershipSnapshots;
import io.raftline.engine.core.Outbox;
import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftEventListener;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import io.raftline.engine.core.StateMachine;
import io.raftline.engine.protocol.ConsensusDecoder;
import io.raftline.engine.protocol.ConsensusEncoder;
import io.raftline.engine.protocol.SnapshotChunkReader;
import io.raftline.log.InMemoryMetadataStore;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.InMemorySnapshotStore;
import io.raftline.log.LogEntryView;
import io.raftline.log.SnapshotMetadata;
import io.raftline.log.SnapshotReader;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;

/**
 * The one seam between the script runner and the core: a {@link RaftNode} over in-memory storage that survives its
 * crashes, stepped by the production {@link DutyCycle} (poll, step, flush, sync, onPersisted, apply, release), with a
 * {@link DeferredOutbox} in front of an outbox that only encodes (with the real SBE codecs) and queues. So the order
 * of the cycle and which message waits for the sync are the production's; this class only plugs in the inputs, the
 * storage and the network. Everything else the runner sees is a frame (bytes) with a one-line description and the
 * member's queries.
 */
final class ScriptMember implements StateMachine, RaftEventListener
{
    private static final int MAX_WORK_LOOPS = 10_000;

    /**
     * Where the member's frames go, in the order they leave it.
     */
    interface Network
    {
        void send(int from, int to, byte[] frame, String description);
    }

    /**
     * Told of what the core reports (role changes, rejected messages) and of the member's own violations.
     */
    interface Events
    {
        void onEvent(int memberId, String line);

        void onRoleChange(ScriptMember member, RaftRole to, long term);

        void onCommit(ScriptMember member, long commitIndex);

        void onApply(ScriptMember member, long index, long term, String payload);

        void onRestore(ScriptMember member, long index);
    }

    private final int id;
    private final RaftConfig config;
    private final long seed;
    private final boolean isManualSync;
    private final Network network;
    private final Events events;
    private final InMemoryRaftLog log = new InMemoryRaftLog();
    private final InMemoryMetadataStore metadata = new InMemoryMetadataStore();
    private final InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    private final MembershipSnapshots snapshotWriter = MembershipSnapshots.wrap(snapshots);
    // Snapshot transfers by follower: a slot per follower id, whatever the configuration.
    private final Map<Integer, Integer> chunkSlots = new HashMap<>();
    private final UnsafeBuffer proposal = new UnsafeBuffer(0, 0);
    // The state machine: the payloads applied so far, in order (restored from a snapshot as a whole).
    private final List<String> state = new ArrayList<>();
    private RaftNode core;
    private ConsensusDecoder decoder;
    private Frames outbox;
    private DeferredOutbox lanes;
    private DutyCycle dutyCycle;
    private boolean isAlive;
    // With manual sync, the cycle's sync refuses (the cycle ends before onPersisted and the release, as if the
    // sync were still under way) until persist() grants exactly one.
    private boolean isSyncGranted;
    // The one input of the next cycle's poll step, if any.
    private Runnable input;
    private int incarnation;
    private long nowNs;
    private long commitSeen;
    private long appliedSeen;

    ScriptMember(
        final int id,
        final RaftConfig config,
        final long seed,
        final boolean isManualSync,
        final Network network,
        final Events events)
    {
        this.id = id;
        this.config = config;
        this.seed = seed;
        this.isManualSync = isManualSync;
        this.network = network;
        this.events = events;
    }

    // ------------------------------------------------------------------------------------------ durable setup

    /**
     * Before the first start: put an entry in the durable log, as a previous life left it.
     */
    void preloadEntry(final long term, final String payload)
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        log.append(term, new UnsafeBuffer(bytes), 0, bytes.length);
        log.sync();
    }

    /**
     * Before the first start: the durable term and vote.
     */
    void preloadTerm(final long term, final int votedFor)
    {
        metadata.update(term, votedFor);
        metadata.sync();
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    void start()
    {
        if (isAlive)
        {
            throw new IllegalStateException("member " + id + " is already running");
        }
        isAlive = true;
        isSyncGranted = false;
        input = null;
        incarnation++;
        state.clear();
        commitSeen = log.baseIndex();
        appliedSeen = log.baseIndex();
        outbox = new Frames();
        lanes = new DeferredOutbox(outbox);
        core = new RaftNode(config, log, metadata, snapshots, lanes, this,
            new SplittableRandom(seed * 1_000_003L + incarnation), this, nowNs);
        dutyCycle = new DutyCycle(core, this::poll, this::sync, outbox::flush, lanes);
        decoder = new ConsensusDecoder(config, (reason, templateId, senderId, length) ->
            events.onEvent(id, "frame from " + senderId + " rejected: " + reason));
        decoder.node(core);
        // A restarted member may owe work at once (entries to apply after restoring a snapshot).
        cycle();
    }

    /**
     * The process is gone: storage keeps what was synced (everything, unless the member syncs by hand) and the
     * after-persist lane never leaves.
     */
    void crash()
    {
        if (!isAlive)
        {
            return;
        }
        isAlive = false;
        core = null;
        decoder = null;
        dutyCycle = null;
        lanes.clear();
        lanes = null;
        outbox.close();
        outbox = null;
        log.crash();
        metadata.crash();
    }

    // ------------------------------------------------------------------------------------------ inputs

    void deliver(final byte[] frame)
    {
        input = () -> decoder.onFrame(new UnsafeBuffer(frame), 0, frame.length, nowNs);
        cycle();
    }

    long propose(final String payload)
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        final long[] result = new long[1];
        input = () ->
        {
            proposal.wrap(bytes);
            result[0] = core.propose(proposal, 0, bytes.length);
        };
        cycle();
        return result[0];
    }

    /**
     * A configuration change at this member (its leader's), as the admin tool would ask for it.
     *
     * @return the configuration entry's index or a refusal code.
     */
    long changeMembership(final ToLongFunction<ConfigurationChanges> change)
    {
        final long[] result = new long[1];
        input = () -> result[0] = change.applyAsLong(core.membershipChanges());
        cycle();
        return result[0];
    }

    boolean transferLeadership(final int targetId)
    {
        final boolean[] started = new boolean[1];
        input = () -> started[0] = core.transferLeadership(targetId, nowNs);
        cycle();
        return started[0];
    }

    /**
     * Move this member's clock forward, running a cycle at every deadline of the core on the way.
     */
    void advanceTo(final long targetNs)
    {
        if (!isAlive)
        {
            nowNs = Math.max(nowNs, targetNs);
            return;
        }
        int loops = 0;
        long deadlineNs;
        while ((deadlineNs = core.nextDeadlineNs()) <= targetNs)
        {
            if (++loops > MAX_WORK_LOOPS)
            {
                throw new IllegalStateException("member " + id + " always has a deadline due: " + core);
            }
            nowNs = Math.max(nowNs, deadlineNs);
            cycle();
        }
        nowNs = Math.max(nowNs, targetNs);
    }

    /**
     * The state machine writes a snapshot of what it has applied and tells the core it is durable.
     *
     * @return the snapshot's index, or 0 if nothing was applied since the last one.
     */
    long takeSnapshotNow()
    {
        final long index = core.lastApplied();
        if (index <= core.snapshotIndex() || index <= log.baseIndex())
        {
            return 0;
        }
        final Membership membership = core.membershipChanges().membershipAt(index);
        if (membership.index() > 0)
        {
            // Once the configuration changed, a snapshot holds it as production snapshots do; before that, the
            // scripts' snapshots stay the state machine's bytes alone, so the byte counts of the goldens hold.
            snapshotWriter.prepare(index, membership);
            snapshotWriter.put(index, log.termAt(index), encodeState());
        }
        else
        {
            snapshots.put(index, log.termAt(index), encodeState());
        }
        input = () -> core.onSnapshotTaken(index);
        cycle();
        return index;
    }

    /**
     * Grant the sync a cycle of this member is waiting for (manual sync only) and run the cycle that takes it: the
     * core is told what is durable, applies, and the after-persist lane is released.
     *
     * @return false if nothing was waiting for a sync.
     */
    boolean persist()
    {
        if (!isSyncHeld())
        {
            return false;
        }
        isSyncGranted = true;
        cycle();
        isSyncGranted = false;
        return true;
    }

    /**
     * @return whether the member's last cycle stopped at its sync: it has unsynced writes, and what promises them
     * waits in the after-persist lane.
     */
    boolean isSyncHeld()
    {
        return isAlive && isManualSync && core.isPersistPending();
    }

    /**
     * Run the shared duty cycle at the member's current time, with the pending input, until the core is idle and has
     * nothing due now.
     */
    private void cycle()
    {
        int cycles = 0;
        while (isAlive)
        {
            if (++cycles > MAX_WORK_LOOPS)
            {
                throw new IllegalStateException("member " + id + " does not go idle: " + core);
            }
            final int workCount = dutyCycle.run(nowNs);
            if (0 == workCount && null == input && core.nextDeadlineNs() > nowNs)
            {
                break;
            }
        }
    }

    private int poll(final long nowNs)
    {
        if (null == input)
        {
            return 0;
        }
        final Runnable next = input;
        input = null;
        next.run();
        return 1;
    }

    /**
     * The cycle's sync. With manual sync it refuses until {@link #persist()}: the cycle then ends where a crash
     * before the sync would end it, with the writes unsynced and the after-persist lane held.
     */
    private boolean sync()
    {
        if (isManualSync)
        {
            if (!isSyncGranted)
            {
                return false;
            }
            isSyncGranted = false;
        }
        log.sync();
        metadata.sync();
        return true;
    }

    // ------------------------------------------------------------------------------------------ queries

    int id()
    {
        return id;
    }

    boolean isAlive()
    {
        return isAlive;
    }

    int incarnation()
    {
        return incarnation;
    }

    long nowNs()
    {
        return nowNs;
    }

    RaftNode core()
    {
        return core;
    }

    /**
     * @return frames the decoder refused in this incarnation (the core's own refusals are {@code core()}'s).
     */
    long framesRejected()
    {
        return decoder.totalRejections();
    }

    InMemoryRaftLog log()
    {
        return log;
    }

    InMemoryMetadataStore metadata()
    {
        return metadata;
    }

    SnapshotMetadata latestSnapshot()
    {
        return snapshots.latest();
    }

    List<String> state()
    {
        return state;
    }

    long commitSeen()
    {
        return commitSeen;
    }

    void commitSeen(final long index)
    {
        commitSeen = index;
    }

    long appliedSeen()
    {
        return appliedSeen;
    }

    void appliedSeen(final long index)
    {
        appliedSeen = index;
    }

    /**
     * @return the payload of the entry at {@code index}, or null if the log does not hold it.
     */
    String payloadAt(final long index)
    {
        final LogEntryView view = new LogEntryView();
        if (index <= log.baseIndex() || index > log.lastIndex() || !log.read(index, view))
        {
            return null;
        }
        if (MembershipCodec.isMembershipEntry(view.buffer(), view.offset(), view.length()))
        {
            // The state machine sees a configuration entry as an empty one.
            return "";
        }
        final byte[] bytes = new byte[view.length()];
        view.buffer().getBytes(view.offset(), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * @return the configuration entry at {@code index} as {@code config(voters...)}, or null for another entry.
     */
    String configAt(final long index)
    {
        final LogEntryView view = new LogEntryView();
        if (index <= log.baseIndex() || index > log.lastIndex() || !log.read(index, view) ||
            !MembershipCodec.isMembershipEntry(view.buffer(), view.offset(), view.length()))
        {
            return null;
        }
        final Membership membership = MembershipCodec.read(view.buffer(), view.offset(), view.length(), index);
        return "config(" + (membership.isJoint() ? "old=" + Arrays.toString(membership.oldVoters()) + " " : "") +
            "voters=" + Arrays.toString(membership.voters()) +
            (membership.learners().length > 0 ? " learners=" + Arrays.toString(membership.learners()) : "") + ")";
    }

    // ------------------------------------------------------------------------------------------ state machine

    public void onApply(final long index, final long term, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        final String payload = new String(bytes, StandardCharsets.UTF_8);
        if (!payload.isEmpty())
        {
            state.add(payload);
        }
        events.onApply(this, index, term, payload);
    }

    public void restoreSnapshot(final SnapshotMetadata snapshot, final SnapshotReader reader)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer((int)Math.max(1, snapshot.length()));
        int read = 0;
        while (read < snapshot.length())
        {
            read += reader.read(read, buffer, read, (int)snapshot.length() - read);
        }
        final String text = buffer.getStringWithoutLengthUtf8(0, (int)snapshot.length());
        state.clear();
        if (!text.isEmpty())
        {
            state.addAll(Arrays.asList(text.split("\n")));
        }
        events.onRestore(this, snapshot.index());
    }

    private byte[] encodeState()
    {
        return String.join("\n", state).getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------ trace hooks

    public void onRoleChange(final int memberId, final RaftRole from, final RaftRole to, final long term,
        final String reason, final long nowNs)
    {
        events.onEvent(id, from + " -> " + to + " in term " + term + " (" + reason + ")");
        events.onRoleChange(this, to, term);
    }

    public void onCommit(final int memberId, final long commitIndex)
    {
        events.onCommit(this, commitIndex);
    }

    public void onRejectedMessage(final int memberId, final int senderId, final String reason)
    {
        events.onEvent(id, "rejected a message from " + senderId + ": " + reason);
    }

    // ------------------------------------------------------------------------------------------ outbox

    private record Pending(int to, byte[] frame, String description)
    {
    }

    /**
     * The transport's outbox: encodes with the real SBE encoder and queues, in the order the calls come. It knows
     * nothing of lanes: the {@link DeferredOutbox} in front of it calls it for an after-persist message only once the
     * sync is done, and the cycle's flush step hands the queue to the network.
     */
    private int chunkSlot(final int followerId)
    {
        return chunkSlots.computeIfAbsent(followerId, (id) -> chunkSlots.size());
    }

    private final class Frames implements Outbox
    {
        private final ConsensusEncoder encoder = new ConsensusEncoder();
        private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(4096);
        private final SnapshotChunkReader chunks = new SnapshotChunkReader(snapshots, 16);
        private final List<Pending> queued = new ArrayList<>();

        public int appendEntries(
            final int followerId,
            final long term,
            final long prevLogIndex,
            final long prevLogTerm,
            final long leaderCommit,
            final long firstIndex,
            final int maxEntries)
        {
            final int count = encoder.entriesThatFit(log, firstIndex, maxEntries, 1 << 20);
            final int length = encoder.appendEntries(
                scratch, 0, id, followerId, term, prevLogIndex, prevLogTerm, leaderCommit, log, firstIndex, count);
            final StringBuilder entries = new StringBuilder();
            for (long index = firstIndex; index < firstIndex + count; index++)
            {
                entries.append(0 == entries.length() ? "" : " ").append(log.termAt(index)).append('/').append(index);
            }
            queued.add(new Pending(followerId, copy(length), "AppendEntries term=" + term + " prev=" + prevLogTerm +
                "/" + prevLogIndex + " commit=" + leaderCommit + " entries=[" + entries + "]"));
            return count;
        }

        public void appendEntriesResponse(
            final int leaderId,
            final long term,
            final long prevLogIndex,
            final boolean success,
            final long matchIndex,
            final long conflictIndex,
            final long conflictTerm,
            final long lastLogIndex)
        {
            final int length = encoder.appendEntriesResponse(
                scratch, 0, id, leaderId, term, prevLogIndex, success, matchIndex, conflictIndex, conflictTerm,
                lastLogIndex);
            queued.add(new Pending(leaderId, copy(length), "AppendEntriesResponse term=" + term +
                (success ? " ok match=" + matchIndex :
                " reject prev=" + prevLogIndex + " hint=" + conflictTerm + "/" + conflictIndex) +
                " last=" + lastLogIndex));
        }

        public boolean requestVote(
            final int recipientId,
            final long term,
            final long lastLogIndex,
            final long lastLogTerm,
            final boolean preVote,
            final long round)
        {
            final int length = encoder.requestVote(
                scratch, 0, id, recipientId, term, lastLogIndex, lastLogTerm, preVote, round);
            // A pre-vote round keeps the term, so its round is what tells a late answer (defect 4); a real vote's
            // term already does.
            queued.add(new Pending(recipientId, copy(length), (preVote ? "PreVote" : "RequestVote") + " term=" +
                term + (preVote ? " round=" + round : "") + " last=" + lastLogTerm + "/" + lastLogIndex));
            return true;
        }

        public void voteResponse(
            final int candidateId, final long term, final long candidateTerm, final boolean granted,
            final boolean preVote, final long round)
        {
            final int length = encoder.voteResponse(
                scratch, 0, id, candidateId, term, candidateTerm, granted, preVote, round);
            queued.add(new Pending(candidateId, copy(length), (preVote ? "PreVoteResponse" : "VoteResponse") +
                " term=" + term + " for=" + candidateTerm + (preVote ? " round=" + round : "") +
                (granted ? " granted" : " refused")));
        }

        public boolean timeoutNow(final int followerId, final long term)
        {
            final int length = encoder.timeoutNow(scratch, 0, id, followerId, term);
            queued.add(new Pending(followerId, copy(length), "TimeoutNow term=" + term));
            return true;
        }

        public int installSnapshot(
            final int followerId,
            final long term,
            final long snapshotIndex,
            final long snapshotTerm,
            final long chunkOffset,
            final int maxChunkLength,
            final long transferId)
        {
            if (!chunks.read(chunkSlot(followerId), snapshotIndex, chunkOffset, maxChunkLength))
            {
                return SNAPSHOT_CHANGED;
            }
            final int chunkLength = chunks.chunkLength();
            final long snapshotLength = chunks.metadata().length();
            final boolean isLast = chunkOffset + chunkLength >= snapshotLength;
            final int length = encoder.installSnapshot(scratch, 0, id, followerId, term, snapshotIndex, snapshotTerm,
                chunkOffset, snapshotLength, chunks.metadata().checksum(), isLast, chunks.chunk(), 0, chunkLength,
                transferId);
            queued.add(new Pending(followerId, copy(length), "InstallSnapshot term=" + term + " snapshot=" +
                snapshotTerm + "/" + snapshotIndex + " bytes=" + chunkOffset + "+" + chunkLength + " of " +
                snapshotLength + (isLast ? " last" : "") + " tag=" + transferId));
            return chunkLength;
        }

        public void endSnapshotTransfer(final int followerId)
        {
            chunks.release(chunkSlot(followerId));
        }

        public void installSnapshotResponse(
            final int leaderId,
            final long term,
            final long snapshotIndex,
            final long nextOffset,
            final int status,
            final long transferId)
        {
            final int length = encoder.installSnapshotResponse(
                scratch, 0, id, leaderId, term, snapshotIndex, nextOffset, status, transferId);
            queued.add(new Pending(leaderId, copy(length), "InstallSnapshotResponse term=" + term +
                " snapshot=" + snapshotIndex + " next=" + nextOffset + " " + snapshotStatus(status) + " tag=" +
                transferId));
        }

        int flush()
        {
            final int count = queued.size();
            for (final Pending pending : queued)
            {
                network.send(id, pending.to(), pending.frame(), pending.description());
            }
            queued.clear();
            return count;
        }

        void close()
        {
            queued.clear();
            chunks.close();
        }

        private byte[] copy(final int length)
        {
            return Arrays.copyOf(scratch.byteArray(), length);
        }
    }

    private static String snapshotStatus(final int status)
    {
        switch (status)
        {
            case RaftNode.SNAPSHOT_ACCEPTED:
                return "accepted";
            case RaftNode.SNAPSHOT_INSTALLED:
                return "installed";
            case RaftNode.SNAPSHOT_REJECTED:
                return "rejected";
            default:
                return "status " + status;
        }
    }
}
