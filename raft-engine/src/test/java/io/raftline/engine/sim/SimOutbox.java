package io.raftline.engine.sim;

import io.raftline.engine.core.Outbox;
import io.raftline.engine.protocol.ConsensusEncoder;
import io.raftline.engine.protocol.SnapshotChunkReader;
import io.raftline.log.RaftLog;
import io.raftline.log.SnapshotStore;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The simulator's transport: encodes every message with the real SBE encoder and holds the frames until the
 * {@link SimNode}'s duty cycle flushes them to the network. It knows nothing of lanes: the core's
 * {@link io.raftline.engine.core.DeferredOutbox} in front of it hands over the after-persist lane only after the
 * sync, as in production.
 */
final class SimOutbox implements Outbox
{
    /**
     * One encoded message waiting to be sent.
     */
    record Frame(int to, byte[] bytes, boolean isRequest)
    {
    }

    private final int memberId;
    private final RaftLog log;
    private final int maxFrameLength;
    private final SnapshotChunkReader snapshotChunks;
    private final ConsensusEncoder encoder = new ConsensusEncoder();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(4096);
    private final List<Frame> frames = new ArrayList<>();

    SimOutbox(final int memberId, final RaftLog log, final SnapshotStore snapshots, final int memberCount,
        final int maxFrameLength)
    {
        this.snapshotChunks = new SnapshotChunkReader(snapshots, memberCount);
        this.memberId = memberId;
        this.log = log;
        this.maxFrameLength = maxFrameLength;
    }

    public int appendEntries(
        final int followerId,
        final long term,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final long firstIndex,
        final int maxEntries)
    {
        final int count = encoder.entriesThatFit(log, firstIndex, maxEntries, maxFrameLength);
        final int length = encoder.appendEntries(
            scratch, 0, memberId, followerId, term, prevLogIndex, prevLogTerm, leaderCommit, log, firstIndex, count);
        frames.add(new Frame(followerId, copy(length), true));
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
            scratch, 0, memberId, leaderId, term, prevLogIndex, success, matchIndex, conflictIndex, conflictTerm,
            lastLogIndex);
        frames.add(new Frame(leaderId, copy(length), false));
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
            scratch, 0, memberId, recipientId, term, lastLogIndex, lastLogTerm, preVote, round);
        frames.add(new Frame(recipientId, copy(length), true));
        return true;
    }

    public void voteResponse(
        final int candidateId,
        final long term,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long round)
    {
        final int length = encoder.voteResponse(
            scratch, 0, memberId, candidateId, term, candidateTerm, granted, preVote, round);
        frames.add(new Frame(candidateId, copy(length), false));
    }

    public boolean requestVote(
        final int recipientId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round,
        final boolean transfer)
    {
        final int length = encoder.requestVote(
            scratch, 0, memberId, recipientId, term, lastLogIndex, lastLogTerm, preVote, round, transfer);
        frames.add(new Frame(recipientId, copy(length), true));
        return true;
    }

    public boolean readIndexRequest(final int recipientId, final long term, final long round, final boolean fromLeader)
    {
        final int length = encoder.readIndexRequest(scratch, 0, memberId, recipientId, term, round, fromLeader);
        frames.add(new Frame(recipientId, copy(length), true));
        return true;
    }

    public boolean readIndexResponse(
        final int recipientId, final long term, final long round, final long readIndex, final boolean fromLeader)
    {
        final int length = encoder.readIndexResponse(
            scratch, 0, memberId, recipientId, term, round, readIndex, fromLeader);
        frames.add(new Frame(recipientId, copy(length), false));
        return true;
    }

    public boolean timeoutNow(final int followerId, final long term)
    {
        final int length = encoder.timeoutNow(scratch, 0, memberId, followerId, term);
        frames.add(new Frame(followerId, copy(length), true));
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
        if (!snapshotChunks.read(followerId, snapshotIndex, chunkOffset, maxChunkLength))
        {
            return SNAPSHOT_CHANGED;
        }
        final int chunkLength = snapshotChunks.chunkLength();
        final long snapshotLength = snapshotChunks.metadata().length();
        final int length = encoder.installSnapshot(scratch, 0, memberId, followerId, term, snapshotIndex, snapshotTerm,
            chunkOffset, snapshotLength, snapshotChunks.metadata().checksum(),
            chunkOffset + chunkLength >= snapshotLength, snapshotChunks.chunk(), 0, chunkLength, transferId);
        frames.add(new Frame(followerId, copy(length), true));
        return chunkLength;
    }

    public void endSnapshotTransfer(final int followerId)
    {
        snapshotChunks.release(followerId);
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
            scratch, 0, memberId, leaderId, term, snapshotIndex, nextOffset, status, transferId);
        frames.add(new Frame(leaderId, copy(length), false));
    }

    List<Frame> take()
    {
        if (frames.isEmpty())
        {
            return List.of();
        }
        final List<Frame> taken = new ArrayList<>(frames);
        frames.clear();
        return taken;
    }

    void clear()
    {
        frames.clear();
        snapshotChunks.close();
    }

    private byte[] copy(final int length)
    {
        return Arrays.copyOf(scratch.byteArray(), length);
    }
}
