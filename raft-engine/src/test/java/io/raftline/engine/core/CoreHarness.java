package io.raftline.engine.core;

import io.raftline.log.InMemoryMetadataStore;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.InMemorySnapshotStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One core under test, with in-memory storage, a recording outbox and a hand-driven clock.
 */
final class CoreHarness
{
    static final long MS = 1_000_000L;
    static final long HEARTBEAT_NS = 10 * MS;
    static final long ELECTION_MIN_NS = 100 * MS;
    static final long ELECTION_MAX_NS = 200 * MS;

    final InMemoryRaftLog log = new InMemoryRaftLog();
    final InMemoryMetadataStore metadata = new InMemoryMetadataStore();
    final InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    final RecordingOutbox outbox = new RecordingOutbox(log, metadata, snapshots);
    final List<Long> applied = new ArrayList<>();
    final RaftNode node;
    private final DutyCycle dutyCycle;
    long nowNs;

    CoreHarness(final int memberId, final int... memberIds)
    {
        this(config(memberId, memberIds).build());
    }

    CoreHarness(final RaftConfig config)
    {
        node = new RaftNode(config, log, metadata, snapshots, outbox, this::onApply, new SplittableRandom(42),
            RaftEventListener.NO_OP, nowNs);
        // The recording outbox keeps every message as it is emitted, with the state stored then, so tests see both
        // lanes at once and check the durability order on the records.
        dutyCycle = new DutyCycle(node, (nowNs) -> 0, this::sync, () -> 0, DutyCycle.NOTHING_HELD);
    }

    private boolean sync()
    {
        log.sync();
        metadata.sync();
        return true;
    }

    static RaftConfig.Builder config(final int memberId, final int... memberIds)
    {
        return RaftConfig.builder()
            .memberId(memberId)
            .memberIds(memberIds)
            .heartbeatIntervalNs(HEARTBEAT_NS)
            .electionTimeoutNs(ELECTION_MIN_NS, ELECTION_MAX_NS)
            .appendLeaderNoop(false);
    }

    private void onApply(final long index, final long term, final DirectBuffer buffer, final int offset,
        final int length)
    {
        applied.add(index);
    }

    /**
     * The production duty cycle at the current time: work, sync, persisted, apply.
     */
    int cycle()
    {
        return dutyCycle.run(nowNs);
    }

    void advanceMs(final long ms)
    {
        nowNs += ms * MS;
    }

    /**
     * Run cycles until the election timer fires (at most the maximum timeout).
     */
    void timeOut()
    {
        nowNs += ELECTION_MAX_NS;
        cycle();
    }

    /**
     * Make this member leader of the next term by timing out and collecting votes from the given voters.
     */
    void electLeader(final int... voters)
    {
        timeOut();
        for (final int voter : voters)
        {
            node.onRequestVoteResponse(voter, node.currentTerm(), node.currentTerm() + 1, true, true, nowNs);
        }
        cycle();
        for (final int voter : voters)
        {
            node.onRequestVoteResponse(voter, node.currentTerm(), node.currentTerm(), true, false, nowNs);
        }
        cycle();
    }

    long propose(final byte... payload)
    {
        return node.propose(new UnsafeBuffer(payload), 0, payload.length);
    }

    void appendLocal(final long... terms)
    {
        for (final long term : terms)
        {
            log.append(term, new UnsafeBuffer(new byte[]{(byte)term}), 0, 1);
        }
        log.sync();
    }
}
