package io.raftline.engine.sim;

import io.raftline.engine.core.RaftConfig;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A deterministic discrete-event simulation of a Raft cluster: one seeded generator, a simulated clock, an event
 * queue ordered by (time, sequence), members, and a faulty network. Everything random comes from the one seed, so a
 * failing run replays exactly with {@link #replayCommand()}.
 */
final class Simulation
{
    private static final int TRACE_LINES = 200;

    /**
     * Something scheduled at a simulated time.
     */
    static class Event implements Comparable<Event>
    {
        final long timeNs;
        final long sequence;
        final Runnable action;

        Event(final long timeNs, final long sequence, final Runnable action)
        {
            this.timeNs = timeNs;
            this.sequence = sequence;
            this.action = action;
        }

        public int compareTo(final Event other)
        {
            final int byTime = Long.compare(timeNs, other.timeNs);
            return 0 != byTime ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    /**
     * Told of every entry a member applies.
     */
    interface ApplyListener
    {
        void onApplied(int memberId, long index, long term, byte[] payload);
    }

    /**
     * The service's part of a snapshot, for tests whose state machine is more than the simulator's hash.
     */
    interface ServiceSnapshots
    {
        byte[] snapshot(int memberId, long index);

        void restore(int memberId, long index, byte[] data);
    }

    /**
     * Told when a member crashed on its own (a crash fault injected inside a step).
     */
    interface CrashListener
    {
        void onCrash(SimNode node);
    }

    private final long seed;
    private final String replayCommand;
    private final SplittableRandom random;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final SimNode[] nodes;
    private final SimNetwork network;
    private final Invariants invariants;
    private final SimTimers timers = new SimTimers(this);
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private final int maxFrameLength;
    private final int initialCount;
    private long nowNs;
    private long sequence;
    private long steps;
    private double crashBeforeSyncProbability;
    private ApplyListener applyListener = (memberId, index, term, payload) -> {};
    private CrashListener crashListener = (node) -> {};
    private ServiceSnapshots serviceSnapshots = new ServiceSnapshots()
    {
        public byte[] snapshot(final int memberId, final long index)
        {
            return new byte[0];
        }

        public void restore(final int memberId, final long index, final byte[] data)
        {
        }
    };
    private long snapshotWriteDelayMaxNs = 20_000_000L;

    /**
     * @param seed          of the run.
     * @param replayCommand the command line that replays this run, printed with every failure.
     * @param memberCount   members, with ids 0 .. memberCount - 1.
     * @param template      config shared by the members; memberId and memberIds are filled in.
     * @param faults        of the network.
     */
    Simulation(
        final long seed,
        final String replayCommand,
        final int memberCount,
        final RaftConfig.Builder template,
        final SimNetwork.Faults faults)
    {
        this(seed, 0, replayCommand, memberCount, 0, template, faults);
    }

    /**
     * @param seed          of the run, as printed.
     * @param salt          mixed into the seed, so that runs of different tests with the same seed differ.
     * @param replayCommand the command line that replays this run, printed with every failure.
     * @param memberCount   members, with ids 0 .. memberCount - 1.
     * @param template      config shared by the members; memberId and memberIds are filled in.
     * @param faults        of the network.
     */
    Simulation(
        final long seed,
        final long salt,
        final String replayCommand,
        final int memberCount,
        final RaftConfig.Builder template,
        final SimNetwork.Faults faults)
    {
        this(seed, salt, replayCommand, memberCount, 0, template, faults);
    }

    /**
     * @param seed          of the run, as printed.
     * @param salt          mixed into the seed, so that runs of different tests with the same seed differ.
     * @param replayCommand the command line that replays this run, printed with every failure.
     * @param memberCount   members of the bootstrap configuration, with ids 0 .. memberCount - 1.
     * @param spareCount    members that start from nothing (joining) when a configuration change adds them, with
     *                      ids memberCount .. memberCount + spareCount - 1; {@link #startAll()} leaves them down.
     * @param template      config shared by the members; memberId and memberIds are filled in.
     * @param faults        of the network.
     */
    Simulation(
        final long seed,
        final long salt,
        final String replayCommand,
        final int memberCount,
        final int spareCount,
        final RaftConfig.Builder template,
        final SimNetwork.Faults faults)
    {
        this.seed = seed;
        this.initialCount = memberCount;
        this.replayCommand = replayCommand;
        this.random = new SplittableRandom(seed ^ (salt * 0x9E3779B97F4A7C15L));
        this.maxFrameLength = 1 << 20;
        this.nodes = new SimNode[memberCount + spareCount];
        this.network = new SimNetwork(this, memberCount + spareCount, faults);
        this.invariants = new Invariants(this);
        final int[] ids = new int[memberCount];
        for (int i = 0; i < memberCount; i++)
        {
            ids[i] = i;
        }
        for (int i = 0; i < memberCount; i++)
        {
            nodes[i] = new SimNode(this, i, template.memberIds(ids).memberId(i).build());
        }
        for (int i = memberCount; i < nodes.length; i++)
        {
            nodes[i] = new SimNode(this, i, template.copy().memberIds(ids).memberId(i).joining(true).build());
        }
        final RaftConfig config = nodes[0].config();
        network.trafficWindow(config.heartbeatIntervalNs(),
            config.maxInflightBatches() + config.maxInflightSnapshotChunks());
    }

    void startAll()
    {
        for (int i = 0; i < initialCount; i++)
        {
            nodes[i].start();
        }
    }

    /**
     * @return members of the bootstrap configuration (ids 0 .. this - 1); the rest are spares.
     */
    int initialCount()
    {
        return initialCount;
    }

    long seed()
    {
        return seed;
    }

    String replayCommand()
    {
        return replayCommand;
    }

    SplittableRandom random()
    {
        return random;
    }

    long nowNs()
    {
        return nowNs;
    }

    long steps()
    {
        return steps;
    }

    int maxFrameLength()
    {
        return maxFrameLength;
    }

    SimNode node(final int id)
    {
        return nodes[id];
    }

    SimNode[] nodes()
    {
        return nodes;
    }

    int memberCount()
    {
        return nodes.length;
    }

    SimNetwork network()
    {
        return network;
    }

    SimTimers timers()
    {
        return timers;
    }

    Invariants invariants()
    {
        return invariants;
    }

    void applyListener(final ApplyListener listener)
    {
        this.applyListener = listener;
    }

    void crashListener(final CrashListener listener)
    {
        this.crashListener = listener;
    }

    void serviceSnapshots(final ServiceSnapshots serviceSnapshots)
    {
        this.serviceSnapshots = serviceSnapshots;
    }

    byte[] serviceSnapshot(final int memberId, final long index)
    {
        return serviceSnapshots.snapshot(memberId, index);
    }

    void serviceRestore(final int memberId, final long index, final byte[] data)
    {
        serviceSnapshots.restore(memberId, index, data);
    }

    long snapshotWriteDelayMaxNs()
    {
        return snapshotWriteDelayMaxNs;
    }

    void snapshotWriteDelayMaxNs(final long delayNs)
    {
        this.snapshotWriteDelayMaxNs = delayNs;
    }

    void crashBeforeSyncProbability(final double probability)
    {
        this.crashBeforeSyncProbability = probability;
    }

    boolean shouldCrashBeforeSync()
    {
        return crashBeforeSyncProbability > 0 && random.nextDouble() < crashBeforeSyncProbability;
    }

    void onUnplannedCrash(final SimNode node)
    {
        crashListener.onCrash(node);
    }

    void onApplied(final int memberId, final long index, final long term, final byte[] payload)
    {
        applyListener.onApplied(memberId, index, term, payload);
    }

    void schedule(final long timeNs, final Runnable action)
    {
        events.add(new Event(Math.max(timeNs, nowNs), sequence++, action));
    }

    /**
     * Remove the next event and move the clock to its time; the caller runs it.
     *
     * @return the event, or null if none is pending.
     */
    Event pollNext()
    {
        final Event event = events.poll();
        if (null != event)
        {
            nowNs = event.timeNs;
            steps++;
        }
        return event;
    }

    Event peekNext()
    {
        return events.peek();
    }

    /**
     * Run every event up to and including {@code timeNs}, then move the clock there.
     */
    void runUntil(final long timeNs)
    {
        Event event;
        while (null != (event = events.peek()) && event.timeNs <= timeNs)
        {
            pollNext().action.run();
        }
        nowNs = Math.max(nowNs, timeNs);
    }

    void runFor(final long durationNs)
    {
        runUntil(nowNs + durationNs);
    }

    void afterStep()
    {
        invariants.afterStep();
    }

    void trace(final int memberId, final String message)
    {
        if (trace.size() == TRACE_LINES)
        {
            trace.removeFirst();
        }
        trace.addLast(String.format("%10.3f ms  member %d  %s", nowNs / 1e6, memberId, message));
    }

    String recentTrace()
    {
        return String.join(System.lineSeparator(), trace);
    }

    SimulationFailure failure(final String message)
    {
        return failure(message, null);
    }

    SimulationFailure failure(final String message, final Throwable cause)
    {
        return new SimulationFailure(message + System.lineSeparator() +
            "  seed " + seed + " at " + (nowNs / 1_000_000) + " ms simulated, step " + steps + System.lineSeparator() +
            "  replay: " + replayCommand + System.lineSeparator() +
            "  recent events:" + System.lineSeparator() + recentTrace(), cause);
    }
}
