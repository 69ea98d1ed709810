package io.raftline.perf.jmh;

import io.raftline.engine.core.Outbox;
import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftEventListener;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import io.raftline.log.InMemoryMetadataStore;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.InMemorySnapshotStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One step of a leader's core on the commit path: propose a command, replicate it (into an outbox that discards),
 * take a follower's acknowledgement, advance the commit index and apply. The log is in memory (no crash model), so
 * this is the cost of the Raft logic itself. {@code -prof gc} shows 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED"})
@State(Scope.Thread)
public class CoreStepBenchmark
{
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[32]);
    private RaftNode leader;
    private InMemoryRaftLog log;
    private long nowNs;
    private long applied;

    /**
     * A 3-member leader in term 1, its log compacted as it grows so memory stays flat.
     */
    @Setup
    public void setup()
    {
        log = new InMemoryRaftLog(false);
        leader = new RaftNode(
            RaftConfig.builder().memberId(0).memberIds(0, 1, 2).appendLeaderNoop(false).checkQuorum(false).build(),
            log, new InMemoryMetadataStore(), new InMemorySnapshotStore(), new DiscardingOutbox(),
            (index, term, buffer, offset, length) -> applied++, new SplittableRandom(1), RaftEventListener.NO_OP, 0);
        nowNs = 1_000_000_000L;
        leader.doWork(nowNs);
        leader.onRequestVoteResponse(1, 0, 1, true, true, nowNs);
        leader.onRequestVoteResponse(1, 1, 1, true, false, nowNs);
        if (RaftRole.LEADER != leader.role())
        {
            throw new IllegalStateException("not leader: " + leader);
        }
        leader.onAppendEntriesResponse(1, 1, 0, true, 0, 0, 0, 0, nowNs);
        leader.onAppendEntriesResponse(2, 1, 0, true, 0, 0, 0, 0, nowNs);
    }

    /**
     * Both followers acknowledge, as in a 3-member cluster; the first acknowledgement commits.
     *
     * @return the commit index after the step.
     */
    @Benchmark
    public long proposeReplicateAcknowledgeCommitApply()
    {
        final long index = leader.propose(command, 0, command.capacity());
        leader.doWork(nowNs);
        leader.onPersisted();
        leader.onAppendEntriesResponse(1, 1, index - 1, true, index, 0, 0, index, nowNs);
        leader.onAppendEntriesResponse(2, 1, index - 1, true, index, 0, 0, index, nowNs);
        leader.applyCommitted();
        if ((index & 0xFFFF) == 0)
        {
            log.compactTo(index - 1);
        }
        return leader.commitIndex();
    }

    /**
     * An outbox that sends nothing (and says it sent everything).
     */
    private static final class DiscardingOutbox implements Outbox
    {
        public int appendEntries(final int followerId, final long term, final long prevLogIndex,
            final long prevLogTerm, final long leaderCommit, final long firstIndex, final int maxEntries)
        {
            return maxEntries;
        }

        public void appendEntriesResponse(final int leaderId, final long term, final long prevLogIndex,
            final boolean success, final long matchIndex, final long conflictIndex, final long conflictTerm,
            final long lastLogIndex)
        {
        }

        public boolean requestVote(final int recipientId, final long term, final long lastLogIndex,
            final long lastLogTerm, final boolean preVote, final long round)
        {
            return true;
        }

        public void voteResponse(final int candidateId, final long term, final long candidateTerm,
            final boolean granted, final boolean preVote, final long round)
        {
        }

        public boolean timeoutNow(final int followerId, final long term)
        {
            return true;
        }

        public int installSnapshot(final int followerId, final long term, final long snapshotIndex,
            final long snapshotTerm, final long chunkOffset, final int maxChunkLength,
            final long transferId)
        {
            return -1;
        }

        public void installSnapshotResponse(final int leaderId, final long term, final long snapshotIndex,
            final long nextOffset, final int status, final long transferId)
        {
        }

        public void endSnapshotTransfer(final int followerId)
        {
        }
    }
}
