package io.raftline.engine.core;

import io.raftline.log.MetadataStore;
import io.raftline.log.RaftLog;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Outbox} that records every message as a value, together with what the member's log and metadata held
 * when it was emitted, so tests can assert on both the messages and the durability order.
 */
final class RecordingOutbox implements Outbox
{
    sealed interface Message permits AppendEntries, AppendResponse, VoteRequest, VoteResponse, TimeoutNow
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

    private final RaftLog log;
    private final MetadataStore metadata;
    private final List<Message> messages = new ArrayList<>();
    private boolean isBackPressured;

    RecordingOutbox(final RaftLog log, final MetadataStore metadata)
    {
        this.log = log;
        this.metadata = metadata;
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
        final int maxChunkLength)
    {
        return -1;
    }

    public void installSnapshotResponse(
        final int leaderId, final long term, final long snapshotIndex, final long nextOffset, final int status)
    {
    }
}
