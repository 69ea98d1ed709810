package io.raftline.engine.sim;

import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftRole;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A port of the MIT 6.5840 (2023) Raft tester, {@code config.go}, onto the simulator: the same helpers
 * ({@code checkOneLeader}, {@code one}, {@code wait}, {@code nCommitted}, ...), the same constants, the same error
 * strings, and labrpc's network behaviour (see {@code ../shared/reference/mit-raft-tests.md}).
 * <p>
 * Time is simulated: {@code sleep} runs the simulation. Commands are Go-like values, {@link Long} or
 * {@link String}, encoded as bytes for the log. Every failure names the seed and the command that replays it.
 */
final class MitCluster implements AutoCloseable
{
    static final long ELECTION_TIMEOUT_MS = 1000;
    static final long TEST_LIMIT_MS = 120_000;

    /**
     * The tester's MAXLOGSIZE: the largest persisted Raft state allowed in the 2D tests.
     */
    static final long MAX_LOG_SIZE = 2000;

    /**
     * The tester's SnapShotInterval.
     */
    static final int SNAPSHOT_INTERVAL = 10;

    /**
     * The Raft timing the port runs with: 10 heartbeats a second (the lab's limit) and election timeouts of
     * 300-600 ms, well inside the tester's 5-second bound for electing a leader.
     */
    static RaftConfig.Builder mitRaftConfig()
    {
        return RaftConfig.builder()
            .heartbeatIntervalNs(100_000_000L)
            .electionTimeoutNs(300_000_000L, 600_000_000L)
            .maxEntriesPerBatch(512)
            .maxInflightBatches(32)
            // The lab's tests check exact log indices of commands, so no leader no-op entries.
            .appendLeaderNoop(false);
    }

    /**
     * What Start() returns.
     */
    record StartResult(long index, long term, boolean isLeader)
    {
    }

    private final int n;
    private final Simulation sim;
    private final Tasks tasks;
    private final SplittableRandom rand;
    private final boolean[] connected;
    private final List<Map<Long, Object>> logs = new ArrayList<>();
    private final String testName;
    private final long seed;
    private final boolean isSnapshotMode;
    private final long[] lastApplied;
    private String applyError;
    private long maxIndex;
    private long maxIndex0;
    private long t0Ns;
    private long rpcs0;
    private long bytes0;
    private boolean isFinished;
    private long startNs;

    MitCluster(final String testName, final int n, final boolean unreliable, final long seed)
    {
        this(testName, n, unreliable, false, seed);
    }

    /**
     * @param snapshot the 2D mode (make_config's snapshot argument): the state machine snapshots every
     *                 {@link #SNAPSHOT_INTERVAL} entries and applies are checked strictly in order, as applierSnap
     *                 does.
     */
    MitCluster(final String testName, final int n, final boolean unreliable, final boolean snapshot, final long seed)
    {
        this.testName = testName;
        this.seed = seed;
        this.n = n;
        final String replay = "mvn -pl raft-engine -am test -Dsurefire.failIfNoSpecifiedTests=false " +
            "-Dtest='" + testName + "' -Draftline.mit.seed0=" + seed +
            " -Draftline.mit.seeds=1";
        this.sim = new Simulation(
            seed,
            testName.hashCode(),
            replay,
            n,
            snapshot ? mitRaftConfig().snapshotIntervalEntries(SNAPSHOT_INTERVAL).compactionRetainEntries(0)
                .snapshotChunkLength(512) : mitRaftConfig(),
            SimNetwork.Faults.reliable().mitUnreliable(unreliable));
        this.isSnapshotMode = snapshot;
        this.lastApplied = new long[n];
        this.tasks = new Tasks(sim);
        this.rand = new SplittableRandom((seed ^ testName.hashCode()) * 31 + 7);
        this.connected = new boolean[n];
        for (int i = 0; i < n; i++)
        {
            logs.add(new HashMap<>());
        }
        sim.applyListener(this::onApplied);
        if (snapshot)
        {
            // The tester's Snapshot() is synchronous; the simulated writer is nearly so.
            sim.snapshotWriteDelayMaxNs(1_000_000L);
            sim.serviceSnapshots(new Simulation.ServiceSnapshots()
            {
                public byte[] snapshot(final int memberId, final long index)
                {
                    return encodeSnapshot(memberId, index);
                }

                public void restore(final int memberId, final long index, final byte[] data)
                {
                    ingestSnap(memberId, data, index);
                }
            });
        }
        for (int i = 0; i < n; i++)
        {
            start1(i);
        }
        for (int i = 0; i < n; i++)
        {
            connect(i);
        }
        startNs = sim.nowNs();
    }

    Simulation sim()
    {
        return sim;
    }

    Tasks tasks()
    {
        return tasks;
    }

    SplittableRandom rand()
    {
        return rand;
    }

    int n()
    {
        return n;
    }

    // ----------------------------------------------------------------------------------------- raft API

    StartResult start(final int i, final Object command)
    {
        final byte[] bytes = encode(command);
        final SimNode node = sim.node(i);
        if (!node.isAlive())
        {
            return new StartResult(-1, -1, false);
        }
        final long term = node.core().currentTerm();
        final long result = node.propose(bytes);
        return new StartResult(result, term, result > 0);
    }

    long term(final int i)
    {
        return sim.node(i).core().currentTerm();
    }

    boolean isLeader(final int i)
    {
        return RaftRole.LEADER == sim.node(i).core().role();
    }

    boolean isAlive(final int i)
    {
        return sim.node(i).isAlive();
    }

    boolean isConnected(final int i)
    {
        return connected[i];
    }

    // ----------------------------------------------------------------------------------------- tester

    void begin(final String description)
    {
        System.out.println(description + " ...");
        t0Ns = sim.nowNs();
        rpcs0 = rpcTotal();
        bytes0 = bytesTotal();
        maxIndex0 = maxIndex;
    }

    void end()
    {
        checkTimeout();
        final double seconds = (sim.nowNs() - t0Ns) / 1e9;
        System.out.printf("  ... Passed --  %4.1f  %d %4d %7d %4d   (seed %d, %d steps)%n",
            seconds, n, rpcTotal() - rpcs0, bytesTotal() - bytes0, maxIndex - maxIndex0, seed, sim.steps());
    }

    void sleepMs(final long ms)
    {
        tasks.sleepMs(ms);
    }

    void crash1(final int i)
    {
        disconnect(i);
        sim.node(i).crash();
    }

    void start1(final int i)
    {
        crash1(i);
        sim.network().resetRequestsDelivered(i);
        lastApplied[i] = 0;
        sim.node(i).start();
    }

    void connect(final int i)
    {
        connected[i] = true;
        sim.network().connect(i);
    }

    void disconnect(final int i)
    {
        connected[i] = false;
        sim.network().disconnect(i);
    }

    void setUnreliable(final boolean unreliable)
    {
        sim.network().faults.mitUnreliable(unreliable);
    }

    void setLongReordering(final boolean longReordering)
    {
        sim.network().faults.longReordering = longReordering;
    }

    long rpcCount(final int i)
    {
        return sim.network().requestsDelivered(i);
    }

    long rpcTotal()
    {
        return sim.network().requestsSent();
    }

    long bytesTotal()
    {
        return sim.network().bytesTotal();
    }

    int checkOneLeader()
    {
        for (int iters = 0; iters < 10; iters++)
        {
            sleepMs(450 + rand.nextInt(100));
            final Map<Long, List<Integer>> leaders = new HashMap<>();
            for (int i = 0; i < n; i++)
            {
                if (connected[i] && isAlive(i) && isLeader(i))
                {
                    leaders.computeIfAbsent(term(i), (t) -> new ArrayList<>()).add(i);
                }
            }
            long lastTermWithLeader = -1;
            for (final Map.Entry<Long, List<Integer>> entry : leaders.entrySet())
            {
                if (entry.getValue().size() > 1)
                {
                    fatal(String.format("term %d has %d (>1) leaders", entry.getKey(), entry.getValue().size()));
                }
                lastTermWithLeader = Math.max(lastTermWithLeader, entry.getKey());
            }
            if (!leaders.isEmpty())
            {
                return leaders.get(lastTermWithLeader).get(0);
            }
        }
        fatal("expected one leader, got none");
        return -1;
    }

    long checkTerms()
    {
        long term = -1;
        for (int i = 0; i < n; i++)
        {
            if (connected[i] && isAlive(i))
            {
                final long xterm = term(i);
                if (-1 == term)
                {
                    term = xterm;
                }
                else if (term != xterm)
                {
                    fatal("servers disagree on term");
                }
            }
        }
        return term;
    }

    void checkNoLeader()
    {
        for (int i = 0; i < n; i++)
        {
            if (connected[i] && isAlive(i) && isLeader(i))
            {
                fatal(String.format("expected no leader among connected servers, but %d claims to be leader", i));
            }
        }
    }

    /**
     * @return how many servers think the entry at index is committed, and its command (null if none).
     */
    Object[] nCommitted(final long index)
    {
        checkApplyError();
        int count = 0;
        Object command = null;
        for (int i = 0; i < n; i++)
        {
            final Object value = logs.get(i).get(index);
            if (null != value)
            {
                if (count > 0 && !Objects.equals(command, value))
                {
                    fatal(String.format("committed values do not match: index %d, %s, %s", index, command, value));
                }
                count++;
                command = value;
            }
        }
        return new Object[]{count, command};
    }

    int nCommittedCount(final long index)
    {
        return (Integer)nCommitted(index)[0];
    }

    /**
     * Wait for at least n servers to commit, but don't wait forever.
     *
     * @return the command, or -1L if a server moved past startTerm.
     */
    Object waitFor(final long index, final int count, final long startTerm)
    {
        long toMs = 10;
        for (int iters = 0; iters < 30; iters++)
        {
            if (nCommittedCount(index) >= count)
            {
                break;
            }
            sleepMs(toMs);
            if (toMs < 1000)
            {
                toMs *= 2;
            }
            if (startTerm > -1)
            {
                for (int i = 0; i < n; i++)
                {
                    if (isAlive(i) && term(i) > startTerm)
                    {
                        return -1L;
                    }
                }
            }
        }
        final Object[] committed = nCommitted(index);
        if ((Integer)committed[0] < count)
        {
            fatal(String.format("only %d decided for index %d; wanted %d", committed[0], index, count));
        }
        return committed[1];
    }

    /**
     * Do a complete agreement: find the leader, submit, wait for expectedServers to apply it.
     *
     * @return the index of the command.
     */
    long one(final Object value, final int expectedServers, final boolean retry)
    {
        final Object command = normalize(value);
        final long t0 = sim.nowNs();
        int starts = 0;
        while (sim.nowNs() - t0 < 10_000_000_000L && !isFinished)
        {
            long index = -1;
            for (int si = 0; si < n; si++)
            {
                starts = (starts + 1) % n;
                if (connected[starts] && isAlive(starts))
                {
                    final StartResult result = start(starts, command);
                    if (result.isLeader())
                    {
                        index = result.index();
                        break;
                    }
                }
            }
            if (-1 != index)
            {
                final long t1 = sim.nowNs();
                while (sim.nowNs() - t1 < 2_000_000_000L)
                {
                    final Object[] committed = nCommitted(index);
                    if ((Integer)committed[0] > 0 && (Integer)committed[0] >= expectedServers &&
                        Objects.equals(committed[1], command))
                    {
                        return index;
                    }
                    sleepMs(20);
                }
                if (!retry)
                {
                    fatal(String.format("one(%s) failed to reach agreement", command));
                }
            }
            else
            {
                sleepMs(50);
            }
        }
        fatal(String.format("one(%s) failed to reach agreement", command));
        return -1;
    }

    /**
     * The largest persisted Raft state over all servers, as the tester's LogSize() measures RaftStateSize(): term
     * and vote (12 bytes) and the log, each entry as its payload plus the 12 bytes of its term and length (what our
     * journal spends besides the payload, about what gob spends per entry), so the original bound of 2000 bytes
     * applies unscaled. The snapshot is not part of it, as in the lab.
     */
    long logSize()
    {
        long max = 0;
        for (int i = 0; i < n; i++)
        {
            final SimNode node = sim.node(i);
            final long entries = node.log().lastIndex() - node.log().baseIndex();
            max = Math.max(max, 12 + node.log().delegate().payloadBytes() + 12 * entries);
        }
        return max;
    }

    void fatal(final String message)
    {
        throw sim.failure(testName + ": " + message);
    }

    private void checkTimeout()
    {
        if (sim.nowNs() - startNs > TEST_LIMIT_MS * 1_000_000L)
        {
            fatal("test took longer than 120 seconds");
        }
    }

    private void checkApplyError()
    {
        if (null != applyError)
        {
            fatal("apply error: " + applyError);
        }
    }

    private void onApplied(final int i, final long index, final long term, final byte[] payload)
    {
        if (isSnapshotMode)
        {
            if (index != lastApplied[i] + 1)
            {
                applyError = String.format("server %d apply out of order, expected index %d, got %d", i,
                    lastApplied[i] + 1, index);
                fatal("apply error: " + applyError);
            }
            lastApplied[i] = index;
        }
        final Object value = decode(payload);
        for (int j = 0; j < n; j++)
        {
            final Object old = logs.get(j).get(index);
            if (null != old && !Objects.equals(old, value))
            {
                applyError = String.format("commit index=%d server=%d %s != server=%d %s", index, i, value, j, old);
                fatal("apply error: " + applyError);
            }
        }
        final boolean prevOk = logs.get(i).containsKey(index - 1);
        logs.get(i).put(index, value);
        maxIndex = Math.max(maxIndex, index);
        if (index > 1 && !prevOk)
        {
            applyError = String.format("server %d apply out of order %d", i, index);
            fatal("apply error: " + applyError);
        }
    }

    /**
     * The tester's snapshot: the index, then every command applied up to it (the service's whole state).
     */
    private byte[] encodeSnapshot(final int i, final long index)
    {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        try
        {
            out.writeLong(index);
            for (long j = 1; j <= index; j++)
            {
                final byte[] command = encode(logs.get(i).get(j));
                out.writeInt(command.length);
                out.write(command);
            }
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        return bytes.toByteArray();
    }

    /**
     * The tester's ingestSnap: replace the server's applied log with the snapshot's.
     */
    private void ingestSnap(final int i, final byte[] snapshot, final long index)
    {
        if (null == snapshot || 0 == snapshot.length)
        {
            fatal("nil snapshot");
        }
        final java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(snapshot);
        final long lastIncludedIndex = in.getLong();
        if (index != -1 && index != lastIncludedIndex)
        {
            fatal(String.format("server %d snapshot doesn't match m.SnapshotIndex", i));
        }
        final Map<Long, Object> restored = new HashMap<>();
        for (long j = 1; j <= lastIncludedIndex; j++)
        {
            final byte[] command = new byte[in.getInt()];
            in.get(command);
            restored.put(j, decode(command));
        }
        logs.set(i, restored);
        lastApplied[i] = lastIncludedIndex;
    }

    static Object normalize(final Object command)
    {
        return command instanceof Integer value ? Long.valueOf(value) : command;
    }

    static byte[] encode(final Object command)
    {
        if (command instanceof Long value)
        {
            return ByteBuffer.allocate(9).put((byte)1).putLong(value).array();
        }
        if (command instanceof Integer value)
        {
            return encode((long)value);
        }
        if (command instanceof String value)
        {
            final byte[] text = value.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(1 + text.length).put((byte)2).put(text).array();
        }
        throw new IllegalArgumentException("unsupported command " + command);
    }

    static Object decode(final byte[] payload)
    {
        if (9 == payload.length && 1 == payload[0])
        {
            return ByteBuffer.wrap(payload, 1, 8).getLong();
        }
        if (payload.length > 0 && 2 == payload[0])
        {
            return new String(payload, 1, payload.length - 1, StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException("not a tester command: " + payload.length + " bytes");
    }

    public void close()
    {
        isFinished = true;
        tasks.close();
    }
}
