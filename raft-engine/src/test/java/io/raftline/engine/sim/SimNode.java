package io.raftline.engine.sim;

import io.raftline.engine.agent.TimerTable;
import io.raftline.engine.core.DeferredOutbox;
import io.raftline.engine.core.DutyCycle;
import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftEventListener;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftReads;
import io.raftline.engine.core.ReadListener;
import io.raftline.engine.core.RaftRole;
import io.raftline.engine.core.StateMachine;
import io.raftline.engine.protocol.ConsensusDecoder;
import io.raftline.engine.protocol.FrameRejectionHandler;
import io.raftline.log.InMemoryMetadataStore;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.InMemorySnapshotStore;
import io.raftline.log.SnapshotMetadata;
import io.raftline.log.SnapshotReader;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated member: a {@link RaftNode} over an in-memory log and metadata store that survive its crashes (up to
 * what was synced), an outbox and the real SBE decoder.
 * <p>
 * Each event the member handles (a frame, a proposal, a timer) is one step: the production {@link DutyCycle}, with
 * the event as its input, then more cycles until the member is idle. A crash injected inside the sync (after the
 * immediate lane went out) shows whether the core put anything that depends on unsynced state in the immediate
 * lane.
 */
final class SimNode implements StateMachine, RaftEventListener, ReadListener
{
    private static final int MAX_WORK_LOOPS = 100_000;

    private final Simulation sim;
    private final int id;
    private final RaftConfig config;
    private final InMemoryRaftLog storage = new InMemoryRaftLog();
    private final ObservedLog log;
    private final InMemoryMetadataStore metadata = new InMemoryMetadataStore();
    private final InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    // The state machine: a hash chain over every entry applied (or restored from a snapshot).
    private long stateHash;
    private long snapshotsTaken;
    private long snapshotsRestored;
    private final UnsafeBuffer proposalBuffer = new UnsafeBuffer(0, 0);
    private final ConsensusDecoder decoder;
    private RaftNode core;
    private SimOutbox outbox;
    private DutyCycle cycle;
    // The input of the step under way, handed to the node by the cycle's poll.
    private byte[] inputFrame;
    private byte[] inputProposal;
    private long inputProposalResult;
    private long inputSnapshotIndex = -1;
    // Reads: the level of the read under way (-1: none), and the reads waiting in the core, per track, in order.
    private int inputReadLevel = -1;
    private double clockRate = 1.0;
    private long clockBaseSimNs;
    private long clockBaseLocalNs;
    private long inputReadResult;
    private final java.util.ArrayDeque<long[]>[] pendingReads = newReadQueues();
    private final long[] readsAnswered = new long[3];
    private boolean isAlive;
    private int incarnation;
    private long commitSeen;
    private long appliedSeen;
    private long nextTickNs = Long.MAX_VALUE;
    // Service timers (SimTimers) and cluster time: this member's clock is the simulator's plus a skew of its own, so
    // that leaders disagree about the time and a stamp that went back across a change of leader would show.
    private final long clockSkewNs;
    private TimerTable timers;
    private long serviceTime;
    private final ExpandableArrayBuffer timerEntryBuffer = new ExpandableArrayBuffer(64);
    private final TimerTable.DueHandler proposeTimer = this::proposeTimer;

    SimNode(final Simulation sim, final int id, final RaftConfig config)
    {
        this.sim = sim;
        this.id = id;
        this.config = config;
        this.decoder = new ConsensusDecoder(config, FrameRejectionHandler.NO_OP);
        this.log = new ObservedLog(storage, (index) -> sim.invariants().committedChain(index));
        // From the seed, but not from the run's generator: the runs' other choices stay as they were.
        this.clockSkewNs = new SplittableRandom(sim.seed() * 31 + id).nextLong(300_000_000L);
    }

    TimerTable timers()
    {
        return timers;
    }

    InMemorySnapshotStore snapshots()
    {
        return snapshots;
    }

    long stateHash()
    {
        return stateHash;
    }

    long snapshotsTaken()
    {
        return snapshotsTaken;
    }

    long snapshotsRestored()
    {
        return snapshotsRestored;
    }

    int id()
    {
        return id;
    }

    RaftConfig config()
    {
        return config;
    }

    RaftNode core()
    {
        return core;
    }

    ObservedLog log()
    {
        return log;
    }

    InMemoryMetadataStore metadata()
    {
        return metadata;
    }

    boolean isAlive()
    {
        return isAlive;
    }

    int incarnation()
    {
        return incarnation;
    }

    long commitSeen()
    {
        return commitSeen;
    }

    void commitSeen(final long commitIndex)
    {
        commitSeen = commitIndex;
    }

    long appliedSeen()
    {
        return appliedSeen;
    }

    void appliedSeen(final long index)
    {
        appliedSeen = index;
    }

    ConsensusDecoder decoder()
    {
        return decoder;
    }

    void start()
    {
        if (isAlive)
        {
            throw new IllegalStateException("member " + id + " is already running");
        }
        isAlive = true;
        incarnation++;
        outbox = new SimOutbox(id, log, snapshots, sim.memberCount(), sim.maxFrameLength());
        commitSeen = storage.baseIndex();
        appliedSeen = storage.baseIndex();
        stateHash = 0;
        timers = new TimerTable(4096);
        serviceTime = 0;
        final DeferredOutbox lanes = new DeferredOutbox(outbox);
        core = new RaftNode(config, log, metadata, snapshots, lanes, this,
            new SplittableRandom(sim.random().nextLong()), this, localNowNs());
        core.clusterClock().epochOffsetNs(clockSkewNs);
        cycle = new DutyCycle(core, this::pollInput, this::sync, this::flush, lanes);
        decoder.node(core);
        core.reads().listener(this);
        for (final java.util.ArrayDeque<long[]> queue : pendingReads)
        {
            queue.clear();
        }
        nextTickNs = Long.MAX_VALUE;
        sim.trace(id, "start incarnation " + incarnation + " " + core);
        scheduleTick();
    }

    /**
     * Crash: the process is gone; the log and metadata keep what was synced (all of it, between steps).
     */
    void crash()
    {
        if (!isAlive)
        {
            return;
        }
        sim.trace(id, "crash " + core);
        isAlive = false;
        core = null;
        outbox.clear();
        storage.crash();
        metadata.crash();
        log.onCrash();
    }

    void deliver(final byte[] frame)
    {
        if (!isAlive)
        {
            return;
        }
        inputFrame = frame;
        endStep();
    }

    void tick()
    {
        if (isAlive)
        {
            endStep();
        }
    }

    /**
     * Propose a command here, as a client would.
     *
     * @return the index, or a negative {@link RaftNode} propose result.
     */
    long propose(final byte[] command)
    {
        if (!isAlive)
        {
            return RaftNode.NOT_LEADER;
        }
        inputProposal = command;
        inputProposalResult = RaftNode.NOT_LEADER;
        endStep();
        return inputProposalResult;
    }

    /**
     * Reads: let this member's clock run at {@code rate} times the simulator's (1 is the simulator's own clock), to
     * test leases against clocks that drift apart.
     *
     * @param rate of this member's clock.
     */
    void clockRate(final double rate)
    {
        // Continuous at the change: a monotonic clock never goes back.
        clockBaseLocalNs = localNowNs();
        clockBaseSimNs = sim.nowNs();
        clockRate = rate;
    }

    private long localNowNs()
    {
        final long sinceBaseNs = sim.nowNs() - clockBaseSimNs;
        return clockBaseLocalNs + (1.0 == clockRate ? sinceBaseNs : (long)(sinceBaseNs * clockRate));
    }

    private long toSimNs(final long localNs)
    {
        if (Long.MIN_VALUE == localNs || Long.MAX_VALUE == localNs)
        {
            return localNs;
        }
        if (1.0 == clockRate)
        {
            return clockBaseSimNs + (localNs - clockBaseLocalNs);
        }
        // One nanosecond late rather than early: at the simulator's time the member's clock has reached it.
        return clockBaseSimNs + (long)Math.ceil((localNs - clockBaseLocalNs) / clockRate) + 1;
    }

    /**
     * Take a read here, as a client's query would.
     *
     * @param level a {@link RaftReads} level.
     * @return the ticket, or a negative {@link RaftReads#read} result.
     */
    long read(final int level)
    {
        if (!isAlive)
        {
            return RaftNode.NOT_LEADER;
        }
        inputReadLevel = level;
        inputReadResult = RaftNode.NOT_LEADER;
        endStep();
        return inputReadResult;
    }

    /**
     * @return reads answered so far, per track.
     */
    long[] readsAnswered()
    {
        return readsAnswered;
    }

    public void onReadReady(final int track, final long ticket, final long readIndex)
    {
        final long[] read = pendingReads[track].poll();
        if (null == read || read[0] != ticket)
        {
            throw sim.failure("member " + id + " resolved read " + ticket + " of track " + track + " out of order");
        }
        if (core.lastApplied() < readIndex)
        {
            throw sim.failure("member " + id + " answered read " + ticket + " at applied index " +
                core.lastApplied() + " below its read index " + readIndex);
        }
        readsAnswered[track]++;
        sim.invariants().onReadAnswered(this, TRACK_NAMES[track], read[1], core.lastApplied(), stateHash);
    }

    public void onReadFailed(final int track, final long ticket)
    {
        final long[] read = pendingReads[track].poll();
        if (null == read || read[0] != ticket)
        {
            throw sim.failure("member " + id + " failed read " + ticket + " of track " + track + " out of order");
        }
    }

    private static final String[] TRACK_NAMES = {"ReadIndex", "lease", "follower"};

    @SuppressWarnings("unchecked")
    private static java.util.ArrayDeque<long[]>[] newReadQueues()
    {
        final java.util.ArrayDeque<long[]>[] queues = new java.util.ArrayDeque[3];
        for (int i = 0; i < queues.length; i++)
        {
            queues[i] = new java.util.ArrayDeque<>();
        }
        return queues;
    }

    private void endStep()
    {
        final long nowNs = localNowNs();
        final int stepIncarnation = incarnation;
        int cycles = 0;
        while (true)
        {
            if (++cycles > MAX_WORK_LOOPS)
            {
                throw sim.failure("member " + id + " does not go idle: " + core);
            }
            final int workCount = cycle.run(nowNs);
            if (!isAlive || incarnation != stepIncarnation)
            {
                return;
            }
            if (0 == workCount && core.nextDeadlineNs() > nowNs)
            {
                break;
            }
        }
        sim.afterStep();
        scheduleTick();
    }

    private int pollInput(final long nowNs)
    {
        int workCount = 0;
        if (null != inputFrame)
        {
            final byte[] frame = inputFrame;
            inputFrame = null;
            decoder.onFrame(new UnsafeBuffer(frame), 0, frame.length, nowNs);
            workCount++;
        }
        if (null != inputProposal)
        {
            proposalBuffer.wrap(inputProposal);
            inputProposalResult = core.propose(proposalBuffer, 0, inputProposal.length);
            inputProposal = null;
            workCount++;
        }
        if (inputReadLevel >= 0)
        {
            final int track = core.reads().trackFor(inputReadLevel);
            inputReadResult = core.reads().read(track, nowNs);
            if (inputReadResult > 0)
            {
                pendingReads[track].add(new long[]{inputReadResult, sim.invariants().committedMax()});
            }
            inputReadLevel = -1;
            workCount++;
        }
        if (inputSnapshotIndex >= 0)
        {
            core.onSnapshotTaken(inputSnapshotIndex);
            inputSnapshotIndex = -1;
            workCount++;
        }
        if (RaftRole.LEADER == core.role())
        {
            final long clusterNowNs = Math.max(core.clusterClock().epochNowNs(), core.clusterClock().floorNs());
            workCount += timers.pollDue(clusterNowNs, proposeTimer, 64);
        }
        return workCount;
    }

    private boolean proposeTimer(final long correlationId, final long deadlineNs)
    {
        final int length = SimTimers.encodeTimerEntry(timerEntryBuffer, correlationId, deadlineNs);
        return core.propose(timerEntryBuffer, 0, length) > 0;
    }

    /**
     * The cycle's sync: where the simulator may crash the member, after the immediate lane went out and before
     * anything unsynced is durable.
     */
    private boolean sync()
    {
        if (sim.shouldCrashBeforeSync())
        {
            crashBeforeSync();
            return false;
        }
        storage.sync();
        metadata.sync();
        return true;
    }

    private int flush()
    {
        final List<SimOutbox.Frame> frames = outbox.take();
        for (final SimOutbox.Frame frame : frames)
        {
            sim.network().send(id, frame);
        }
        return frames.size();
    }

    /**
     * A crash after the immediate lane went out but before the sync: a random prefix of the unsynced log
     * operations and perhaps the metadata reached the disk; the after-persist lane never left.
     */
    private void crashBeforeSync()
    {
        sim.trace(id, "crash before sync " + core);
        isAlive = false;
        core = null;
        outbox.clear();
        storage.crash(sim.random().nextInt(storage.unsyncedOperations() + 1));
        metadata.crash(sim.random().nextBoolean());
        log.onCrash();
        sim.onUnplannedCrash(this);
    }

    private void scheduleTick()
    {
        if (!isAlive)
        {
            return;
        }
        long nextNs = core.nextDeadlineNs();
        if (RaftRole.LEADER == core.role() && timers.nextDeadlineNs() != Long.MAX_VALUE)
        {
            // The leader wakes when its clock reaches the next timer's deadline. A timer already due is one whose
            // proposal was refused (a leadership transfer refuses proposals): it is tried again a millisecond later,
            // as the agent's next duty cycles would, never at the same instant, which would stop simulated time.
            nextNs = Math.min(nextNs, Math.max(timers.nextDeadlineNs() - clockSkewNs, localNowNs() + 1_000_000L));
        }
        final long deadlineNs = Math.max(toSimNs(nextNs), sim.nowNs());
        if (deadlineNs == Long.MAX_VALUE || (nextTickNs >= sim.nowNs() && deadlineNs >= nextTickNs))
        {
            return;
        }
        nextTickNs = deadlineNs;
        final int tickIncarnation = incarnation;
        sim.schedule(deadlineNs, () ->
        {
            if (isAlive && incarnation == tickIncarnation && nextTickNs == deadlineNs)
            {
                nextTickNs = Long.MAX_VALUE;
                tick();
            }
        });
    }

    public void onApply(
        final long index, final long term, final DirectBuffer buffer, final int offset, final int length)
    {
        onApply(index, term, 0, buffer, offset, length);
    }

    public void onApply(
        final long index, final long term, final long timestamp, final DirectBuffer buffer, final int offset,
        final int length)
    {
        stateHash = Hashing.chain(stateHash, Hashing.entry(term, timestamp, buffer, offset, length));
        sim.invariants().onApply(this, index, term);
        serviceTime = Math.max(serviceTime, timestamp);
        sim.timers().apply(this, timers, index, timestamp, buffer, offset, length);
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        sim.onApplied(id, index, term, payload);
    }

    public long restoredTimestamp()
    {
        return serviceTime;
    }

    /**
     * Capture the state now; write it to the snapshot store after a random delay, as a background writer would,
     * while the member goes on applying. A crash before then loses it.
     */
    public boolean takeSnapshot(final long index, final long term)
    {
        final byte[] service = sim.serviceSnapshot(id, index);
        final int filler = (int)Math.floorMod(stateHash, 2000L);
        final int timersLength = 12 + 16 * timers.size();
        final ByteBuffer data = ByteBuffer.allocate(20 + service.length + timersLength + filler)
            .putLong(index).putLong(stateHash).putInt(service.length).put(service)
            .putLong(serviceTime).putInt(timers.size());
        timers.forEach((correlationId, deadlineNs) ->
        {
            data.putLong(correlationId).putLong(deadlineNs);
            return true;
        });
        Arrays.fill(data.array(), 20 + service.length + timersLength, data.capacity(), (byte)index);
        sim.timers().onSnapshot(this, index, timers);
        final int takenIncarnation = incarnation;
        sim.schedule(sim.nowNs() + sim.random().nextLong(sim.snapshotWriteDelayMaxNs() + 1), () ->
        {
            if (isAlive && incarnation == takenIncarnation)
            {
                snapshots.put(index, term, data.array());
                snapshotsTaken++;
                inputSnapshotIndex = index;
                endStep();
            }
        });
        return true;
    }

    public void restoreSnapshot(final SnapshotMetadata snapshot, final SnapshotReader reader)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer((int)snapshot.length());
        int read = 0;
        while (read < snapshot.length())
        {
            read += reader.read(read, buffer, read, (int)snapshot.length() - read);
        }
        final long index = buffer.getLong(0, java.nio.ByteOrder.BIG_ENDIAN);
        final long restoredHash = buffer.getLong(8, java.nio.ByteOrder.BIG_ENDIAN);
        final int serviceLength = buffer.getInt(16, java.nio.ByteOrder.BIG_ENDIAN);
        final byte[] service = new byte[serviceLength];
        buffer.getBytes(20, service);
        if (index != snapshot.index())
        {
            throw sim.failure("member " + id + " restored a snapshot claiming index " + snapshot.index() +
                " that holds index " + index);
        }
        stateHash = restoredHash;
        serviceTime = buffer.getLong(20 + serviceLength, java.nio.ByteOrder.BIG_ENDIAN);
        final int timerCount = buffer.getInt(28 + serviceLength, java.nio.ByteOrder.BIG_ENDIAN);
        timers.clear();
        for (int i = 0; i < timerCount; i++)
        {
            final int at = 32 + serviceLength + 16 * i;
            timers.schedule(buffer.getLong(at, java.nio.ByteOrder.BIG_ENDIAN),
                buffer.getLong(at + 8, java.nio.ByteOrder.BIG_ENDIAN));
        }
        sim.timers().onRestore(this, index, timers);
        snapshotsRestored++;
        sim.invariants().onRestore(this, index, restoredHash);
        sim.serviceRestore(id, index, service);
    }

    public void onRoleChange(
        final int memberId,
        final RaftRole from,
        final RaftRole to,
        final long term,
        final String reason,
        final long nowNs)
    {
        sim.trace(id, from + " -> " + to + " term " + term + ": " + reason);
        if (RaftRole.LEADER == to)
        {
            // A new leader proposes again whatever is due, also what it handed over as an earlier leader.
            timers.rebuildHeap();
        }
        sim.invariants().onRoleChange(this, to, term);
    }

    public void onCommit(final int memberId, final long commitIndex)
    {
        sim.invariants().onCommit(this, commitIndex);
    }
}
