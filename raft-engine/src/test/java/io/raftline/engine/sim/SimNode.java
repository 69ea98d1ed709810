package io.raftline.engine.sim;

import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftEventListener;
import io.raftline.engine.core.RaftNode;
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
 * Each event the member handles (a frame, a proposal, a timer) is one step, driven as the real agent drives a duty
 * cycle: the input, {@code doWork} until idle, release of the immediate lane, sync, {@code onPersisted}, release of
 * the after-persist lane. A crash injected between the first release and the sync shows whether the core put
 * anything that depends on unsynced state in the immediate lane.
 */
final class SimNode implements StateMachine, RaftEventListener
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
    private boolean isAlive;
    private int incarnation;
    private long commitSeen;
    private long appliedSeen;
    private long nextTickNs = Long.MAX_VALUE;

    SimNode(final Simulation sim, final int id, final RaftConfig config)
    {
        this.sim = sim;
        this.id = id;
        this.config = config;
        this.decoder = new ConsensusDecoder(config, FrameRejectionHandler.NO_OP);
        this.log = new ObservedLog(storage, (index) -> sim.invariants().committedChain(index));
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
        core = new RaftNode(config, log, metadata, snapshots, outbox, this,
            new SplittableRandom(sim.random().nextLong()), this, sim.nowNs());
        decoder.node(core);
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
        decoder.onFrame(new UnsafeBuffer(frame), 0, frame.length, sim.nowNs());
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
        proposalBuffer.wrap(command);
        final long result = core.propose(proposalBuffer, 0, command.length, sim.nowNs());
        endStep();
        return result;
    }

    private void endStep()
    {
        final long nowNs = sim.nowNs();
        int cycles = 0;
        do
        {
            if (++cycles > MAX_WORK_LOOPS)
            {
                throw sim.failure("member " + id + " always has work due: " + core);
            }
            int loops = 0;
            while (core.doWork(nowNs) > 0)
            {
                if (++loops > MAX_WORK_LOOPS)
                {
                    throw sim.failure("member " + id + " does not go idle: " + core);
                }
            }
            release(outbox.takeImmediate());
            if (sim.shouldCrashBeforeSync())
            {
                crashBeforeSync();
                return;
            }
            storage.sync();
            metadata.sync();
            core.onPersisted(nowNs);
            release(outbox.takeAfterPersist());
        }
        while (core.nextDeadlineNs() <= nowNs);
        sim.afterStep();
        scheduleTick();
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

    private void release(final List<SimOutbox.Frame> frames)
    {
        for (final SimOutbox.Frame frame : frames)
        {
            sim.network().send(id, frame);
        }
    }

    private void scheduleTick()
    {
        if (!isAlive)
        {
            return;
        }
        final long deadlineNs = Math.max(core.nextDeadlineNs(), sim.nowNs());
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
        stateHash = Hashing.chain(stateHash, Hashing.entry(term, buffer, offset, length));
        sim.invariants().onApply(this, index, term);
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        sim.onApplied(id, index, term, payload);
    }

    /**
     * Capture the state now; write it to the snapshot store after a random delay, as a background writer would,
     * while the member goes on applying. A crash before then loses it.
     */
    public boolean takeSnapshot(final long index, final long term)
    {
        final byte[] service = sim.serviceSnapshot(id, index);
        final int filler = (int)Math.floorMod(stateHash, 2000L);
        final ByteBuffer data = ByteBuffer.allocate(20 + service.length + filler)
            .putLong(index).putLong(stateHash).putInt(service.length).put(service);
        Arrays.fill(data.array(), 20 + service.length, data.capacity(), (byte)index);
        final int takenIncarnation = incarnation;
        sim.schedule(sim.nowNs() + sim.random().nextLong(sim.snapshotWriteDelayMaxNs() + 1), () ->
        {
            if (isAlive && incarnation == takenIncarnation)
            {
                snapshots.put(index, term, data.array());
                snapshotsTaken++;
                core.onSnapshotTaken(index, sim.nowNs());
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
        sim.invariants().onRoleChange(this, to, term);
    }

    public void onCommit(final int memberId, final long commitIndex)
    {
        sim.invariants().onCommit(this, commitIndex);
    }
}
