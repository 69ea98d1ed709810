package io.raftline.engine.core;

import io.raftline.engine.protocol.SnapshotChunkReader;
import io.raftline.log.MetadataStore;
import io.raftline.log.RaftLog;
import io.raftline.log.SnapshotStore;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Outbox} that records every message as a value, together with what the member's log and metadata held
 * when it was emitted, so tests can assert on both the messages and the durability order.
 */
final class RecordingOutbox implements Outbox
{
    sealed interface Message permits AppendEntries, AppendResponse, VoteRequest, VoteResponse, TimeoutNow,
        InstallSnapshot, SnapshotResponse, SnapshotTransferEnded
    {
        int to();
    }

    record AppendEntries(int to, long term, long prevLogIndex, long prevLogTerm, long leaderCommit, long firstIndex,
        int count) implements Message
    {
    }

    record AppendResponse(int to, long term, long prevLogIndex, boolean success, long matchIndex, long conflictIndex,
        long conflictTerm, long lastLogIndex, long logLastIndexAtSend) implements Message
    {
    }

    record VoteRequest(int to, long term, long lastLogIndex, long lastLogTerm, boolean preVote,
        long storedTermAtSend, int storedVoteAtSend, long round) implements Message
    {
    }

    record VoteResponse(int to, long term, long candidateTerm, boolean granted, boolean preVote,
        long storedTermAtSend, int storedVoteAtSend, long round) implements Message
    {
    }

    record TimeoutNow(int to, long term) implements Message
    {
    }

    record InstallSnapshot(int to, long term, long snapshotIndex, long chunkOffset, int length, boolean isLast,
        long transferId) implements Message
    {
    }

    record SnapshotResponse(int to, long term, long snapshotIndex, long nextOffset, int status, long transferId)
        implements Message
    {
    }

    record SnapshotTransferEnded(int to) implements Message
    {
    }

    private final RaftLog log;
    private final MetadataStore metadata;
    private final List<Message> messages = new ArrayList<>();
    private final SnapshotChunkReader snapshotChunks;
    private boolean isBackPressured;

    RecordingOutbox(final RaftLog log, final MetadataStore metadata)
    {
        this(log, metadata, null);
    }

    /**
     * @param snapshots to read snapshot chunks from (the transfers are indexed by member id), or null to send none.
     */
    RecordingOutbox(final RaftLog log, final MetadataStore metadata, final SnapshotStore snapshots)
    {
        this.log = log;
        this.metadata = metadata;
        this.snapshotChunks = null == snapshots ? null : new SnapshotChunkReader(snapshots, 16);
    }

    /**
     * @return whether the transfer to this member keeps a snapshot open.
     */
    boolean isSnapshotOpen(final int followerId)
    {
        return null != snapshotChunks && snapshotChunks.isOpen(followerId);
    }

    void backPressured(final boolean isBackPressured)
    {
        this.isBackPressured = isBackPressured;
    }

    List<Message> drain()
    {
        final List<Message> drained = new ArrayList<>(messages);
        messages.clear();
        return drained;
    }

    <T extends Message> List<T> drain(final Class<T> type)
    {
        final List<T> result = new ArrayList<>();
        for (final Message message : drain())
        {
            if (type.isInstance(message))
            {
                result.add(type.cast(message));
            }
        }
        return result;
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
        if (isBackPressured)
        {
            return -1;
        }
        messages.add(new AppendEntries(followerId, term, prevLogIndex, prevLogTerm, leaderCommit, firstIndex,
            maxEntries));
        return maxEntries;
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
        messages.add(new AppendResponse(leaderId, term, prevLogIndex, success, matchIndex, conflictIndex, conflictTerm,
            lastLogIndex, log.lastIndex()));
    }

    public boolean requestVote(
        final int recipientId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round)
    {
        if (isBackPressured)
        {
            return false;
        }
        messages.add(new VoteRequest(recipientId, term, lastLogIndex, lastLogTerm, preVote, metadata.currentTerm(),
            metadata.votedFor(), round));
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
        messages.add(new VoteResponse(candidateId, term, candidateTerm, granted, preVote, metadata.currentTerm(),
            metadata.votedFor(), round));
    }

    public boolean timeoutNow(final int followerId, final long term)
    {
        messages.add(new TimeoutNow(followerId, term));
        return true;
    }

    public int installSnapshot(
        final int followerId,
        final long term,
        final long snapshotIndex,
        final long snapshotTerm,
        final long offset,
        final int maxChunkLength,
        final long transferId)
    {
        if (isBackPressured || null == snapshotChunks)
        {
            return -1;
        }
        if (!snapshotChunks.read(followerId, snapshotIndex, offset, maxChunkLength))
        {
            return SNAPSHOT_CHANGED;
        }
        final int length = snapshotChunks.chunkLength();
        messages.add(new InstallSnapshot(followerId, term, snapshotIndex, offset, length,
            offset + length >= snapshotChunks.metadata().length(), transferId));
        return length;
    }

    public void endSnapshotTransfer(final int followerId)
    {
        messages.add(new SnapshotTransferEnded(followerId));
        if (null != snapshotChunks)
        {
            snapshotChunks.release(followerId);
        }
    }

    public void installSnapshotResponse(
        final int leaderId,
        final long term,
        final long snapshotIndex,
        final long nextOffset,
        final int status,
        final long transferId)
    {
        messages.add(new SnapshotResponse(leaderId, term, snapshotIndex, nextOffset, status, transferId));
    }
}
