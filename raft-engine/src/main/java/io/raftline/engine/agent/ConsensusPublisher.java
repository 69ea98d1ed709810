package io.raftline.engine.agent;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.raftline.engine.core.Outbox;
import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.protocol.ConsensusEncoder;
import io.raftline.engine.protocol.SnapshotChunkReader;
import io.raftline.log.RaftLog;
import io.raftline.log.SnapshotStore;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The agent's {@link Outbox}: encodes consensus messages with SBE onto the Aeron publication of each peer.
 * <p>
 * Immediate-lane messages go straight to the publication: through {@code tryClaim} when the frame fits one MTU
 * (encoded in place, so AppendEntries entries are copied once, from the log into the term buffer), otherwise
 * encoded into a scratch buffer and offered (Aeron fragments it). A refused send returns false or -1 and the core
 * retries it on a later cycle.
 * <p>
 * Which message waits for the sync is not decided here: the core's {@code DeferredOutbox} hands this publisher the
 * after-persist lane only once the log and metadata are synced. Responses are encoded into a pending buffer and sent
 * by {@link #releasePending()}, the flush step of the duty cycle; a pending message the publication refuses stays
 * pending for the next cycle; one to a peer that is not connected is dropped and counted, like a lost packet.
 */
class ConsensusPublisher implements Outbox
{
    /**
     * Makes the member's publisher: production uses the constructor; fault-injection tests subclass it.
     */
    @FunctionalInterface
    interface Factory
    {
        ConsensusPublisher create(
            RaftConfig config,
            RaftLog log,
            SnapshotStore snapshots,
            ExclusivePublication[] publications,
            int maxFrameLength);
    }

    private static final int SEND_ATTEMPTS = 3;
    private static final int RECORD_HEADER_LENGTH = 8;
    private static final int MAX_PENDING_BYTES = 16 * 1024 * 1024;

    private final int memberId;
    private final RaftConfig config;
    private final RaftLog log;
    private final ExclusivePublication[] publications;
    private final int maxFrameLength;
    private final ConsensusEncoder encoder = new ConsensusEncoder();
    private final SnapshotChunkReader snapshotChunks;
    private final BufferClaim bufferClaim = new BufferClaim();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(64 * 1024);
    private final ExpandableArrayBuffer pending = new ExpandableArrayBuffer(64 * 1024);
    private final UnsafeBuffer pendingView = new UnsafeBuffer(0, 0);
    private int pendingLimit;
    private long backPressureCount;
    private long droppedCount;
    private long framesSent;

    /**
     * @param config         of this member.
     * @param log            to read entries from.
     * @param snapshots      to read snapshot chunks from.
     * @param publications   to each peer, indexed by position in {@link RaftConfig#memberIds()}; null for self.
     * @param maxFrameLength longest frame to send.
     */
    ConsensusPublisher(
        final RaftConfig config,
        final RaftLog log,
        final SnapshotStore snapshots,
        final ExclusivePublication[] publications,
        final int maxFrameLength)
    {
        this.snapshotChunks = new SnapshotChunkReader(snapshots, publications.length);
        this.memberId = config.memberId();
        this.config = config;
        this.log = log;
        this.publications = publications;
        int frameLimit = maxFrameLength;
        for (final ExclusivePublication publication : publications)
        {
            if (null != publication)
            {
                frameLimit = Math.min(frameLimit, publication.maxMessageLength());
            }
        }
        this.maxFrameLength = frameLimit;
    }

    int maxFrameLength()
    {
        return maxFrameLength;
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
        final ExclusivePublication publication = publication(followerId);
        if (!publication.isConnected())
        {
            // Nothing reaches a peer that is down; refusing (rather than pretending to send) keeps the core from
            // advancing nextIndex, and costs one volatile read per cycle until the peer is back.
            return -1;
        }
        final int count = encoder.entriesThatFit(log, firstIndex, maxEntries, maxFrameLength);
        final int length = encoder.fitFrameLength();
        if (length <= publication.maxPayloadLength())
        {
            for (int attempt = 0; attempt < SEND_ATTEMPTS; attempt++)
            {
                final long position = publication.tryClaim(length, bufferClaim);
                if (position > 0)
                {
                    try
                    {
                        encoder.appendEntries(bufferClaim.buffer(), bufferClaim.offset(), memberId, followerId, term,
                            prevLogIndex, prevLogTerm, leaderCommit, log, firstIndex, count);
                    }
                    finally
                    {
                        bufferClaim.commit();
                    }
                    framesSent++;
                    return count;
                }
                if (!isRetryable(position, publication))
                {
                    return -1;
                }
            }
            backPressureCount++;
            return -1;
        }
        encoder.appendEntries(
            scratch, 0, memberId, followerId, term, prevLogIndex, prevLogTerm, leaderCommit, log, firstIndex, count);
        return offer(publication, scratch, length) ? count : -1;
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
        final int offset = reservePending(leaderId, ConsensusEncoder.APPEND_RESPONSE_LENGTH);
        if (offset >= 0)
        {
            encoder.appendEntriesResponse(pending, offset, memberId, leaderId, term, prevLogIndex, success, matchIndex,
                conflictIndex, conflictTerm, lastLogIndex);
        }
    }

    public boolean requestVote(
        final int recipientId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round)
    {
        return requestVote(recipientId, term, lastLogIndex, lastLogTerm, preVote, round, false);
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
        return offer(publication(recipientId), scratch, length);
    }

    public boolean readIndexRequest(final int recipientId, final long term, final long round, final boolean fromLeader)
    {
        final int length = encoder.readIndexRequest(scratch, 0, memberId, recipientId, term, round, fromLeader);
        return offer(publication(recipientId), scratch, length);
    }

    public boolean readIndexResponse(
        final int recipientId, final long term, final long round, final long readIndex, final boolean fromLeader)
    {
        final int length = encoder.readIndexResponse(
            scratch, 0, memberId, recipientId, term, round, readIndex, fromLeader);
        return offer(publication(recipientId), scratch, length);
    }

    public void voteResponse(
        final int candidateId,
        final long term,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long round)
    {
        final int offset = reservePending(candidateId, ConsensusEncoder.VOTE_RESPONSE_LENGTH);
        if (offset >= 0)
        {
            encoder.voteResponse(pending, offset, memberId, candidateId, term, candidateTerm, granted, preVote, round);
        }
    }

    public boolean timeoutNow(final int followerId, final long term)
    {
        final int length = encoder.timeoutNow(scratch, 0, memberId, followerId, term);
        return offer(publication(followerId), scratch, length);
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
        final ExclusivePublication publication = publication(followerId);
        if (!publication.isConnected())
        {
            return -1;
        }
        final int maxData = Math.min(maxChunkLength, maxFrameLength - ConsensusEncoder.INSTALL_SNAPSHOT_HEADER_LENGTH);
        if (!snapshotChunks.read(config.positionOf(followerId), snapshotIndex, chunkOffset, maxData))
        {
            return SNAPSHOT_CHANGED;
        }
        final int chunkLength = snapshotChunks.chunkLength();
        final long snapshotLength = snapshotChunks.metadata().length();
        final int length = encoder.installSnapshot(scratch, 0, memberId, followerId, term, snapshotIndex, snapshotTerm,
            chunkOffset, snapshotLength, snapshotChunks.metadata().checksum(),
            chunkOffset + chunkLength >= snapshotLength, snapshotChunks.chunk(), 0, chunkLength, transferId);
        return offer(publication, scratch, length) ? chunkLength : -1;
    }

    public void endSnapshotTransfer(final int followerId)
    {
        snapshotChunks.release(config.positionOf(followerId));
    }

    void close()
    {
        snapshotChunks.close();
    }

    public void installSnapshotResponse(
        final int leaderId,
        final long term,
        final long snapshotIndex,
        final long nextOffset,
        final int status,
        final long transferId)
    {
        final int offset = reservePending(leaderId, ConsensusEncoder.SNAPSHOT_RESPONSE_LENGTH);
        if (offset >= 0)
        {
            encoder.installSnapshotResponse(pending, offset, memberId, leaderId, term, snapshotIndex, nextOffset,
                status, transferId);
        }
    }

    /**
     * Send the answers waiting in the pending buffer (the flush step of the duty cycle; {@code DeferredOutbox} hands
     * this publisher the after-persist lane only once the log and metadata are synced).
     *
     * @return messages sent.
     */
    int releasePending()
    {
        int offset = 0;
        int sent = 0;
        while (offset < pendingLimit)
        {
            final int position = pending.getInt(offset);
            final int length = pending.getInt(offset + 4);
            final ExclusivePublication publication = publications[position];
            pendingView.wrap(pending, offset + RECORD_HEADER_LENGTH, length);
            final long result = publication.offer(pendingView, 0, length);
            if (result < 0 && Publication.NOT_CONNECTED != result && isRetryable(result, publication))
            {
                backPressureCount++;
                break;
            }
            if (result < 0)
            {
                droppedCount++;
            }
            else
            {
                framesSent++;
                sent++;
            }
            offset += RECORD_HEADER_LENGTH + length;
        }
        if (offset >= pendingLimit)
        {
            pendingLimit = 0;
        }
        else if (offset > 0)
        {
            pending.putBytes(0, pending, offset, pendingLimit - offset);
            pendingLimit -= offset;
        }
        return sent;
    }

    long backPressureCount()
    {
        return backPressureCount;
    }

    long droppedCount()
    {
        return droppedCount;
    }

    long framesSent()
    {
        return framesSent;
    }

    private int reservePending(final int recipientId, final int length)
    {
        if (pendingLimit + RECORD_HEADER_LENGTH + length > MAX_PENDING_BYTES)
        {
            droppedCount++;
            return -1;
        }
        final int position = config.positionOf(recipientId);
        final int offset = pendingLimit;
        pending.putInt(offset, position);
        pending.putInt(offset + 4, length);
        pendingLimit += RECORD_HEADER_LENGTH + length;
        return offset + RECORD_HEADER_LENGTH;
    }

    private boolean offer(final ExclusivePublication publication, final MutableDirectBuffer buffer, final int length)
    {
        if (!publication.isConnected())
        {
            return false;
        }
        for (int attempt = 0; attempt < SEND_ATTEMPTS; attempt++)
        {
            final long position = publication.offer(buffer, 0, length);
            if (position > 0)
            {
                framesSent++;
                return true;
            }
            if (!isRetryable(position, publication))
            {
                return false;
            }
        }
        backPressureCount++;
        return false;
    }

    /**
     * Back-pressure and admin actions are worth another attempt; a peer that is not connected is not (its
     * messages are lost, as on a network); a closed publication is a bug.
     */
    private static boolean isRetryable(final long result, final Publication publication)
    {
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            return true;
        }
        if (Publication.NOT_CONNECTED == result)
        {
            return false;
        }
        if (Publication.CLOSED == result)
        {
            throw new IllegalStateException("consensus publication closed: " + publication.channel() + " stream " +
                publication.streamId());
        }
        if (Publication.MAX_POSITION_EXCEEDED == result)
        {
            throw new IllegalStateException("consensus publication reached its max position: " +
                publication.channel() + " stream " + publication.streamId());
        }
        return false;
    }

    private ExclusivePublication publication(final int memberId)
    {
        return publications[config.positionOf(memberId)];
    }
}
