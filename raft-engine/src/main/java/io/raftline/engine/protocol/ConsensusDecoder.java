package io.raftline.engine.protocol;

import io.raftline.codecs.AppendEntriesDecoder;
import io.raftline.codecs.AppendEntriesResponseDecoder;
import io.raftline.codecs.BooleanType;
import io.raftline.codecs.InstallSnapshotDecoder;
import io.raftline.codecs.InstallSnapshotResponseDecoder;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.ReadIndexRequestDecoder;
import io.raftline.codecs.ReadIndexResponseDecoder;
import io.raftline.codecs.RequestVoteDecoder;
import io.raftline.codecs.RequestVoteResponseDecoder;
import io.raftline.codecs.TimeoutNowDecoder;
import io.raftline.engine.core.EntryBatch;
import io.raftline.engine.core.Outbox;
import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftNode;
import io.raftline.log.RaftLog;
import org.agrona.DirectBuffer;

/**
 * Decodes consensus frames and passes their fields, as primitives, to a {@link RaftNode}.
 * <p>
 * Every frame is checked before the core sees it: header length, schema id and version, template id, the
 * announced block length, every length inside the frame against its end, and the recipient (this member). The
 * sender is checked once, by the core's admission gate; a frame it refuses is counted here as
 * {@link FrameRejection#UNKNOWN_SENDER}. A frame that fails is counted by reason and reported to the
 * {@link FrameRejectionHandler}; it never throws. Allocates nothing.
 */
public final class ConsensusDecoder
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final short FALSE = BooleanType.FALSE.value();
    private static final short TRUE = BooleanType.TRUE.value();
    // The schema version that added the election round to RequestVote and its response.
    private static final int ROUND_VERSION = RequestVoteDecoder.roundSinceVersion();
    // The schema version that added the transfer flag to RequestVote (reads).
    private static final int TRANSFER_VERSION = RequestVoteDecoder.transferSinceVersion();

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final RequestVoteDecoder requestVoteDecoder = new RequestVoteDecoder();
    private final RequestVoteResponseDecoder voteResponseDecoder = new RequestVoteResponseDecoder();
    private final AppendEntriesDecoder appendEntriesDecoder = new AppendEntriesDecoder();
    private final AppendEntriesResponseDecoder appendResponseDecoder = new AppendEntriesResponseDecoder();
    private final TimeoutNowDecoder timeoutNowDecoder = new TimeoutNowDecoder();
    private final ReadIndexRequestDecoder readIndexRequestDecoder = new ReadIndexRequestDecoder();
    private final ReadIndexResponseDecoder readIndexResponseDecoder = new ReadIndexResponseDecoder();
    private final InstallSnapshotDecoder installSnapshotDecoder = new InstallSnapshotDecoder();
    private final InstallSnapshotResponseDecoder snapshotResponseDecoder = new InstallSnapshotResponseDecoder();
    private final SbeEntryBatch entryBatch = new SbeEntryBatch();
    private final long[] rejectionCounts = new long[FrameRejection.count()];
    private final RaftConfig config;
    private final FrameRejectionHandler rejectionHandler;
    private RaftNode node;
    private long framesDecoded;

    /**
     * @param config           of this member, naming the members allowed to send.
     * @param rejectionHandler told of every refused frame.
     */
    public ConsensusDecoder(final RaftConfig config, final FrameRejectionHandler rejectionHandler)
    {
        this.config = config;
        this.rejectionHandler = rejectionHandler;
    }

    /**
     * @param node the core to pass decoded messages to.
     * @return this for a fluent API.
     */
    public ConsensusDecoder node(final RaftNode node)
    {
        this.node = node;
        return this;
    }

    /**
     * Decode one frame and hand it to the core.
     *
     * @param buffer holding the frame.
     * @param offset of the frame.
     * @param length of the frame.
     * @param nowNs  the current time.
     * @return true if the frame was passed to the core, false if it was rejected.
     */
    public boolean onFrame(final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        if (length < HEADER_LENGTH)
        {
            return reject(FrameRejection.TOO_SHORT, -1, -1, length);
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return reject(FrameRejection.WRONG_SCHEMA, templateId, -1, length);
        }
        final int version = headerDecoder.version();
        if (version < 1)
        {
            return reject(FrameRejection.WRONG_VERSION, templateId, -1, length);
        }
        final int blockLength = headerDecoder.blockLength();
        final int bodyOffset = offset + HEADER_LENGTH;
        final int end = offset + length;

        switch (templateId)
        {
            case RequestVoteDecoder.TEMPLATE_ID:
                if (!hasBlock(version < ROUND_VERSION ? RequestVoteDecoder.roundEncodingOffset() :
                    version < TRANSFER_VERSION ? RequestVoteDecoder.transferEncodingOffset() :
                    RequestVoteDecoder.BLOCK_LENGTH, blockLength, length, templateId))
                {
                    return false;
                }
                return onRequestVote(buffer, bodyOffset, blockLength, version, length, nowNs);

            case RequestVoteResponseDecoder.TEMPLATE_ID:
                if (!hasBlock(version < ROUND_VERSION ? RequestVoteResponseDecoder.roundEncodingOffset() :
                    RequestVoteResponseDecoder.BLOCK_LENGTH, blockLength, length, templateId))
                {
                    return false;
                }
                return onVoteResponse(buffer, bodyOffset, blockLength, version, length, nowNs);

            case AppendEntriesDecoder.TEMPLATE_ID:
                if (!hasBlock(AppendEntriesDecoder.BLOCK_LENGTH, blockLength, length, templateId))
                {
                    return false;
                }
                return onAppendEntries(buffer, bodyOffset, blockLength, version, end, length, nowNs);

            case AppendEntriesResponseDecoder.TEMPLATE_ID:
                if (!hasBlock(AppendEntriesResponseDecoder.BLOCK_LENGTH, blockLength, length, templateId))
                {
                    return false;
                }
                return onAppendResponse(buffer, bodyOffset, blockLength, version, length, nowNs);

            case TimeoutNowDecoder.TEMPLATE_ID:
                if (!hasBlock(TimeoutNowDecoder.BLOCK_LENGTH, blockLength, length, templateId))
                {
                    return false;
                }
                return onTimeoutNow(buffer, bodyOffset, blockLength, version, length, nowNs);

            case InstallSnapshotDecoder.TEMPLATE_ID:
                // A version 1 frame ends its block before transferId (added in version 2).
                if (!hasBlock(version >= InstallSnapshotDecoder.transferIdSinceVersion() ?
                    InstallSnapshotDecoder.BLOCK_LENGTH : InstallSnapshotDecoder.transferIdEncodingOffset(),
                    blockLength, length, templateId))
                {
                    return false;
                }
                return onInstallSnapshot(buffer, bodyOffset, blockLength, version, end, length, nowNs);

            case InstallSnapshotResponseDecoder.TEMPLATE_ID:
                if (!hasBlock(version >= InstallSnapshotResponseDecoder.transferIdSinceVersion() ?
                    InstallSnapshotResponseDecoder.BLOCK_LENGTH :
                    InstallSnapshotResponseDecoder.transferIdEncodingOffset(), blockLength, length, templateId))
                {
                    return false;
                }
                return onSnapshotResponse(buffer, bodyOffset, blockLength, version, length, nowNs);

            case ReadIndexRequestDecoder.TEMPLATE_ID:
                if (!hasBlock(ReadIndexRequestDecoder.BLOCK_LENGTH, blockLength, length, templateId) ||
                    !isBlockOfVersion(ReadIndexRequestDecoder.BLOCK_LENGTH, blockLength, version, templateId, length))
                {
                    return false;
                }
                return onReadIndexRequest(buffer, bodyOffset, blockLength, version, length, nowNs);

            case ReadIndexResponseDecoder.TEMPLATE_ID:
                if (!hasBlock(ReadIndexResponseDecoder.BLOCK_LENGTH, blockLength, length, templateId) ||
                    !isBlockOfVersion(ReadIndexResponseDecoder.BLOCK_LENGTH, blockLength, version, templateId, length))
                {
                    return false;
                }
                return onReadIndexResponse(buffer, bodyOffset, blockLength, version, length, nowNs);

            default:
                return reject(FrameRejection.UNKNOWN_TEMPLATE, templateId, -1, length);
        }
    }

    /**
     * A frame of the schema's own version must have exactly that version's block: SBE's evolution lets only other
     * versions differ. (A corrupted header that renames another message, whose longer block then reads as this one's
     * fields, is malformed rather than a message from whoever its bytes happen to name.) Checked for the messages
     * added in version 3.
     */
    private boolean isBlockOfVersion(
        final int ownBlockLength, final int blockLength, final int version, final int templateId, final int length)
    {
        if (MessageHeaderDecoder.SCHEMA_VERSION == version && ownBlockLength != blockLength)
        {
            return reject(FrameRejection.MALFORMED, templateId, -1, length);
        }
        return true;
    }

    private boolean onReadIndexRequest(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int length,
        final long nowNs)
    {
        final ReadIndexRequestDecoder decoder = readIndexRequestDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int senderId = decoder.senderId();
        if (!isValidRoute(ReadIndexRequestDecoder.TEMPLATE_ID, senderId, decoder.recipientId(), length))
        {
            return false;
        }
        final short fromLeader = decoder.fromLeaderRaw();
        final long round = decoder.round();
        if (!isBoolean(fromLeader) || round <= 0)
        {
            return reject(FrameRejection.MALFORMED, ReadIndexRequestDecoder.TEMPLATE_ID, senderId, length);
        }
        if (!node.reads().onReadIndexRequest(senderId, decoder.term(), round, TRUE == fromLeader, nowNs))
        {
            return reject(FrameRejection.UNKNOWN_SENDER, ReadIndexRequestDecoder.TEMPLATE_ID, senderId, length);
        }
        framesDecoded++;
        return true;
    }

    private boolean onReadIndexResponse(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int length,
        final long nowNs)
    {
        final ReadIndexResponseDecoder decoder =
            readIndexResponseDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int senderId = decoder.senderId();
        if (!isValidRoute(ReadIndexResponseDecoder.TEMPLATE_ID, senderId, decoder.recipientId(), length))
        {
            return false;
        }
        final short fromLeader = decoder.fromLeaderRaw();
        final long round = decoder.round();
        final long readIndex = decoder.readIndex();
        if (!isBoolean(fromLeader) || round <= 0 || readIndex < 0)
        {
            return reject(FrameRejection.MALFORMED, ReadIndexResponseDecoder.TEMPLATE_ID, senderId, length);
        }
        if (!node.reads().onReadIndexResponse(senderId, decoder.term(), round, readIndex, TRUE == fromLeader, nowNs))
        {
            return reject(FrameRejection.UNKNOWN_SENDER, ReadIndexResponseDecoder.TEMPLATE_ID, senderId, length);
        }
        framesDecoded++;
        return true;
    }

    private boolean onInstallSnapshot(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int end,
        final int length,
        final long nowNs)
    {
        final InstallSnapshotDecoder decoder = installSnapshotDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int senderId = decoder.leaderId();
        if (!isValidRoute(InstallSnapshotDecoder.TEMPLATE_ID, senderId, decoder.followerId(), length))
        {
            return false;
        }
        final int dataHeaderOffset = bodyOffset + blockLength;
        final int dataHeaderLength = InstallSnapshotDecoder.dataHeaderLength();
        if (dataHeaderOffset + dataHeaderLength > end)
        {
            return reject(FrameRejection.MALFORMED, InstallSnapshotDecoder.TEMPLATE_ID, senderId, length);
        }
        final long dataLength = buffer.getInt(dataHeaderOffset, InstallSnapshotDecoder.BYTE_ORDER) & 0xFFFF_FFFFL;
        final short done = decoder.doneRaw();
        final long chunkOffset = decoder.chunkOffset();
        final long snapshotLength = decoder.snapshotLength();
        final long transferId = version >= InstallSnapshotDecoder.transferIdSinceVersion() ?
            decoder.transferId() : Outbox.UNTAGGED_TRANSFER;
        if (dataHeaderOffset + dataHeaderLength + dataLength > end || !isBoolean(done) ||
            chunkOffset < 0 || snapshotLength < 0 || decoder.snapshotIndex() < 0 || decoder.snapshotTerm() < 0 ||
            transferId < 0)
        {
            return reject(FrameRejection.MALFORMED, InstallSnapshotDecoder.TEMPLATE_ID, senderId, length);
        }
        if (!node.onInstallSnapshot(
            senderId,
            decoder.term(),
            decoder.snapshotIndex(),
            decoder.snapshotTerm(),
            chunkOffset,
            snapshotLength,
            decoder.snapshotChecksum(),
            TRUE == done,
            buffer,
            dataHeaderOffset + dataHeaderLength,
            (int)dataLength,
            transferId,
            nowNs))
        {
            return reject(FrameRejection.UNKNOWN_SENDER, InstallSnapshotDecoder.TEMPLATE_ID, senderId, length);
        }
        framesDecoded++;
        return true;
    }

    private boolean onSnapshotResponse(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int length,
        final long nowNs)
    {
        final InstallSnapshotResponseDecoder decoder =
            snapshotResponseDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int senderId = decoder.followerId();
        if (!isValidRoute(InstallSnapshotResponseDecoder.TEMPLATE_ID, senderId, decoder.leaderId(), length))
        {
            return false;
        }
        final short status = decoder.statusRaw();
        final long transferId = version >= InstallSnapshotResponseDecoder.transferIdSinceVersion() ?
            decoder.transferId() : Outbox.UNTAGGED_TRANSFER;
        if (status < 0 || status > 2 || transferId < 0)
        {
            return reject(FrameRejection.MALFORMED, InstallSnapshotResponseDecoder.TEMPLATE_ID, senderId, length);
        }
        if (!node.onInstallSnapshotResponse(
            senderId, decoder.term(), decoder.snapshotIndex(), decoder.nextOffset(), status, transferId, nowNs))
        {
            return reject(FrameRejection.UNKNOWN_SENDER, InstallSnapshotResponseDecoder.TEMPLATE_ID, senderId, length);
        }
        framesDecoded++;
        return true;
    }

    /**
     * @param reason a frame may be rejected for.
     * @return how many frames were rejected for it.
     */
    public long rejectionCount(final FrameRejection reason)
    {
        return rejectionCounts[reason.ordinal()];
    }

    /**
     * @return frames rejected for any reason.
     */
    public long totalRejections()
    {
        long total = 0;
        for (final long count : rejectionCounts)
        {
            total += count;
        }
        return total;
    }

    /**
     * @return frames passed to the core.
     */
    public long framesDecoded()
    {
        return framesDecoded;
    }

    private boolean onRequestVote(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int length,
        final long nowNs)
    {
        final RequestVoteDecoder decoder = requestVoteDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int senderId = decoder.candidateId();
        if (!isValidRoute(RequestVoteDecoder.TEMPLATE_ID, senderId, decoder.recipientId(), length))
        {
            return false;
        }
        final short preVote = decoder.preVoteRaw();
        final long round = version < ROUND_VERSION ? RaftNode.NO_ROUND : decoder.round();
        final short transfer = version < TRANSFER_VERSION ? FALSE : decoder.transferRaw();
        if (!isBoolean(preVote) || round < 0 || !isBoolean(transfer))
        {
            return reject(FrameRejection.MALFORMED, RequestVoteDecoder.TEMPLATE_ID, senderId, length);
        }
        if (!node.onRequestVote(
            senderId,
            decoder.term(),
            decoder.lastLogIndex(),
            decoder.lastLogTerm(),
            TRUE == preVote,
            round,
            TRUE == transfer,
            nowNs))
        {
            return reject(FrameRejection.UNKNOWN_SENDER, RequestVoteDecoder.TEMPLATE_ID, senderId, length);
        }
        framesDecoded++;
        return true;
    }

    private boolean onVoteResponse(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int length,
        final long nowNs)
    {
        final RequestVoteResponseDecoder decoder = voteResponseDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int senderId = decoder.voterId();
        if (!isValidRoute(RequestVoteResponseDecoder.TEMPLATE_ID, senderId, decoder.candidateId(), length))
        {
            return false;
        }
        final short granted = decoder.grantedRaw();
        final short preVote = decoder.preVoteRaw();
        final long round = version < ROUND_VERSION ? RaftNode.NO_ROUND : decoder.round();
        if (!isBoolean(granted) || !isBoolean(preVote) || round < 0)
        {
            return reject(FrameRejection.MALFORMED, RequestVoteResponseDecoder.TEMPLATE_ID, senderId, length);
        }
        if (!node.onRequestVoteResponse(
            senderId,
            decoder.term(),
            decoder.candidateTerm(),
            TRUE == granted,
            TRUE == preVote,
            round,
            nowNs))
        {
            return reject(FrameRejection.UNKNOWN_SENDER, RequestVoteResponseDecoder.TEMPLATE_ID, senderId, length);
        }
        framesDecoded++;
        return true;
    }

    private boolean onAppendEntries(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int end,
        final int length,
        final long nowNs)
    {
        final AppendEntriesDecoder decoder = appendEntriesDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int senderId = decoder.leaderId();
        if (!isValidRoute(AppendEntriesDecoder.TEMPLATE_ID, senderId, decoder.followerId(), length))
        {
            return false;
        }
        if (!hasValidEntries(buffer, bodyOffset + blockLength, end))
        {
            return reject(FrameRejection.MALFORMED, AppendEntriesDecoder.TEMPLATE_ID, senderId, length);
        }
        final long prevLogIndex = decoder.prevLogIndex();
        final long prevLogTerm = decoder.prevLogTerm();
        final long leaderCommit = decoder.leaderCommit();
        if (prevLogIndex < 0 || prevLogTerm < 0 || leaderCommit < 0)
        {
            return reject(FrameRejection.MALFORMED, AppendEntriesDecoder.TEMPLATE_ID, senderId, length);
        }
        entryBatch.wrap(decoder);
        if (!node.onAppendEntries(senderId, decoder.term(), prevLogIndex, prevLogTerm, leaderCommit, entryBatch, nowNs))
        {
            return reject(FrameRejection.UNKNOWN_SENDER, AppendEntriesDecoder.TEMPLATE_ID, senderId, length);
        }
        framesDecoded++;
        return true;
    }

    private boolean onAppendResponse(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int length,
        final long nowNs)
    {
        final AppendEntriesResponseDecoder decoder =
            appendResponseDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int senderId = decoder.followerId();
        if (!isValidRoute(AppendEntriesResponseDecoder.TEMPLATE_ID, senderId, decoder.leaderId(), length))
        {
            return false;
        }
        final short success = decoder.successRaw();
        if (!isBoolean(success))
        {
            return reject(FrameRejection.MALFORMED, AppendEntriesResponseDecoder.TEMPLATE_ID, senderId, length);
        }
        if (!node.onAppendEntriesResponse(
            senderId,
            decoder.term(),
            decoder.prevLogIndex(),
            TRUE == success,
            decoder.matchIndex(),
            decoder.conflictIndex(),
            decoder.conflictTerm(),
            decoder.lastLogIndex(),
            nowNs))
        {
            return reject(FrameRejection.UNKNOWN_SENDER, AppendEntriesResponseDecoder.TEMPLATE_ID, senderId, length);
        }
        framesDecoded++;
        return true;
    }

    private boolean onTimeoutNow(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int length,
        final long nowNs)
    {
        final TimeoutNowDecoder decoder = timeoutNowDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int senderId = decoder.leaderId();
        if (!isValidRoute(TimeoutNowDecoder.TEMPLATE_ID, senderId, decoder.followerId(), length))
        {
            return false;
        }
        if (!node.onTimeoutNow(senderId, decoder.term(), nowNs))
        {
            return reject(FrameRejection.UNKNOWN_SENDER, TimeoutNowDecoder.TEMPLATE_ID, senderId, length);
        }
        framesDecoded++;
        return true;
    }

    /**
     * Walk the entries group without decoding it, checking that every length stays inside the frame.
     */
    private static boolean hasValidEntries(final DirectBuffer buffer, final int groupOffset, final int end)
    {
        final int groupHeaderLength = AppendEntriesDecoder.EntriesDecoder.sbeHeaderSize();
        if (groupOffset + groupHeaderLength > end)
        {
            return false;
        }
        final int entryBlockLength = buffer.getShort(groupOffset, AppendEntriesDecoder.BYTE_ORDER) & 0xFFFF;
        final int count = buffer.getShort(groupOffset + 2, AppendEntriesDecoder.BYTE_ORDER) & 0xFFFF;
        // A version 2 entry's block ends at its term (the timestamp came in version 3).
        if (entryBlockLength < AppendEntriesDecoder.EntriesDecoder.timestampEncodingOffset())
        {
            return false;
        }
        final int payloadHeaderLength = AppendEntriesDecoder.EntriesDecoder.payloadHeaderLength();
        long position = groupOffset + groupHeaderLength;
        for (int i = 0; i < count; i++)
        {
            if (position + entryBlockLength + payloadHeaderLength > end)
            {
                return false;
            }
            final long payloadLength =
                buffer.getInt((int)position + entryBlockLength, AppendEntriesDecoder.BYTE_ORDER) & 0xFFFF_FFFFL;
            position += entryBlockLength + payloadHeaderLength + payloadLength;
            if (position > end)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * SBE's enum accessor throws on a value it does not know; a hostile frame must be counted, not crash the agent.
     */
    private static boolean isBoolean(final short raw)
    {
        return FALSE == raw || TRUE == raw;
    }

    private boolean hasBlock(final int requiredBlockLength, final int blockLength, final int length, final int id)
    {
        if (blockLength < requiredBlockLength)
        {
            return reject(FrameRejection.MALFORMED, id, -1, length);
        }
        if (HEADER_LENGTH + blockLength > length)
        {
            return reject(FrameRejection.TOO_SHORT, id, -1, length);
        }
        return true;
    }

    private boolean isValidRoute(final int templateId, final int senderId, final int recipientId, final int length)
    {
        if (recipientId != config.memberId())
        {
            return reject(FrameRejection.WRONG_RECIPIENT, templateId, senderId, length);
        }
        return true;
    }

    private boolean reject(final FrameRejection reason, final int templateId, final int senderId, final int length)
    {
        rejectionCounts[reason.ordinal()]++;
        rejectionHandler.onFrameRejected(reason, templateId, senderId, length);
        return false;
    }

    /**
     * The entries of the AppendEntries being decoded, read in place from the frame.
     */
    private static final class SbeEntryBatch implements EntryBatch
    {
        private AppendEntriesDecoder decoder;
        private AppendEntriesDecoder.EntriesDecoder entries;
        private int count;
        private long term;
        private long timestamp;
        private int offset;
        private int length;

        void wrap(final AppendEntriesDecoder decoder)
        {
            this.decoder = decoder;
            this.entries = decoder.entries();
            this.count = entries.count();
        }

        public int count()
        {
            return count;
        }

        public boolean next()
        {
            if (!entries.hasNext())
            {
                return false;
            }
            entries.next();
            term = entries.term();
            final long stamp = entries.timestamp();
            timestamp =
                AppendEntriesDecoder.EntriesDecoder.timestampNullValue() == stamp ? RaftLog.NO_TIMESTAMP : stamp;
            length = entries.payloadLength();
            offset = decoder.limit() + AppendEntriesDecoder.EntriesDecoder.payloadHeaderLength();
            entries.skipPayload();
            return true;
        }

        public long term()
        {
            return term;
        }

        public long timestamp()
        {
            return timestamp;
        }

        public DirectBuffer buffer()
        {
            return decoder.buffer();
        }

        public int offset()
        {
            return offset;
        }

        public int length()
        {
            return length;
        }
    }
}
