package io.raftline.engine.protocol;

import io.raftline.codecs.AppendEntriesEncoder;
import io.raftline.codecs.AppendEntriesResponseEncoder;
import io.raftline.codecs.BooleanType;
import io.raftline.codecs.InstallSnapshotEncoder;
import io.raftline.codecs.InstallSnapshotResponseEncoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.ReadIndexRequestEncoder;
import io.raftline.codecs.ReadIndexResponseEncoder;
import io.raftline.codecs.RequestVoteEncoder;
import io.raftline.codecs.RequestVoteResponseEncoder;
import io.raftline.codecs.SnapshotChunkStatus;
import io.raftline.codecs.TimeoutNowEncoder;
import io.raftline.log.LogEntryView;
import io.raftline.log.RaftLog;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes consensus messages as SBE frames into a caller's buffer: a claimed Aeron buffer, or a scratch buffer in
 * the simulator. Owns its encoders; allocates nothing.
 */
public final class ConsensusEncoder
{
    /**
     * Length of a RequestVote frame.
     */
    public static final int REQUEST_VOTE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + RequestVoteEncoder.BLOCK_LENGTH;

    /**
     * Length of a RequestVoteResponse frame.
     */
    public static final int VOTE_RESPONSE_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + RequestVoteResponseEncoder.BLOCK_LENGTH;

    /**
     * Length of an AppendEntriesResponse frame.
     */
    public static final int APPEND_RESPONSE_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + AppendEntriesResponseEncoder.BLOCK_LENGTH;

    /**
     * Length of a TimeoutNow frame.
     */
    public static final int TIMEOUT_NOW_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + TimeoutNowEncoder.BLOCK_LENGTH;

    /**
     * Length of a ReadIndexRequest frame.
     */
    public static final int READ_INDEX_REQUEST_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + ReadIndexRequestEncoder.BLOCK_LENGTH;

    /**
     * Length of a ReadIndexResponse frame.
     */
    public static final int READ_INDEX_RESPONSE_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + ReadIndexResponseEncoder.BLOCK_LENGTH;

    /**
     * Length of an InstallSnapshotResponse frame.
     */
    public static final int SNAPSHOT_RESPONSE_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + InstallSnapshotResponseEncoder.BLOCK_LENGTH;

    /**
     * Length of an AppendEntries frame with no entries.
     */
    public static final int APPEND_ENTRIES_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        AppendEntriesEncoder.BLOCK_LENGTH + AppendEntriesEncoder.EntriesEncoder.sbeHeaderSize();

    /**
     * Bytes each entry adds to an AppendEntries frame besides its payload.
     */
    public static final int APPEND_ENTRY_OVERHEAD = AppendEntriesEncoder.EntriesEncoder.sbeBlockLength() +
        AppendEntriesEncoder.EntriesEncoder.payloadHeaderLength();

    /**
     * Length of an InstallSnapshot frame besides its data.
     */
    public static final int INSTALL_SNAPSHOT_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        InstallSnapshotEncoder.BLOCK_LENGTH + InstallSnapshotEncoder.dataHeaderLength();

    /**
     * Most entries in one AppendEntries: the SBE group count is 16 bits.
     */
    public static final int MAX_ENTRIES_PER_FRAME = AppendEntriesEncoder.EntriesEncoder.countMaxValue();

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final RequestVoteEncoder requestVoteEncoder = new RequestVoteEncoder();
    private final RequestVoteResponseEncoder voteResponseEncoder = new RequestVoteResponseEncoder();
    private final AppendEntriesEncoder appendEntriesEncoder = new AppendEntriesEncoder();
    private final AppendEntriesResponseEncoder appendResponseEncoder = new AppendEntriesResponseEncoder();
    private final TimeoutNowEncoder timeoutNowEncoder = new TimeoutNowEncoder();
    private final ReadIndexRequestEncoder readIndexRequestEncoder = new ReadIndexRequestEncoder();
    private final ReadIndexResponseEncoder readIndexResponseEncoder = new ReadIndexResponseEncoder();
    private final InstallSnapshotEncoder installSnapshotEncoder = new InstallSnapshotEncoder();
    private final InstallSnapshotResponseEncoder snapshotResponseEncoder = new InstallSnapshotResponseEncoder();
    private final LogEntryView entryView = new LogEntryView();
    private int fitFrameLength;

    /**
     * @param buffer       to encode into.
     * @param offset       in the buffer.
     * @param candidateId  the sender.
     * @param recipientId  the member asked.
     * @param term         of the candidate (the proposed term for a pre-vote).
     * @param lastLogIndex of the candidate.
     * @param lastLogTerm  of the candidate.
     * @param preVote      whether this is a pre-vote.
     * @param round        the candidate's election round.
     * @return the frame length.
     */
    public int requestVote(
        final MutableDirectBuffer buffer,
        final int offset,
        final int candidateId,
        final int recipientId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round)
    {
        return requestVote(buffer, offset, candidateId, recipientId, term, lastLogIndex, lastLogTerm, preVote, round,
            false);
    }

    /**
     * As {@link #requestVote(MutableDirectBuffer, int, int, int, long, long, long, boolean, long)}, saying whether
     * the candidate campaigns for a leadership transfer.
     *
     * @return the frame length.
     */
    public int requestVote(
        final MutableDirectBuffer buffer,
        final int offset,
        final int candidateId,
        final int recipientId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round,
        final boolean transfer)
    {
        requestVoteEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .term(term)
            .lastLogIndex(lastLogIndex)
            .lastLogTerm(lastLogTerm)
            .candidateId(candidateId)
            .recipientId(recipientId)
            .preVote(preVote ? BooleanType.TRUE : BooleanType.FALSE)
            .round(round)
            .transfer(transfer ? BooleanType.TRUE : BooleanType.FALSE);
        return REQUEST_VOTE_LENGTH;
    }

    /**
     * @param buffer      to encode into.
     * @param offset      in the buffer.
     * @param senderId    the sender.
     * @param recipientId the recipient.
     * @param term        of the sender.
     * @param round       the leader's round or the follower's request number.
     * @param fromLeader  true for the leader's confirmation round.
     * @return the frame length.
     */
    public int readIndexRequest(
        final MutableDirectBuffer buffer,
        final int offset,
        final int senderId,
        final int recipientId,
        final long term,
        final long round,
        final boolean fromLeader)
    {
        readIndexRequestEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .term(term)
            .round(round)
            .senderId(senderId)
            .recipientId(recipientId)
            .fromLeader(fromLeader ? BooleanType.TRUE : BooleanType.FALSE);
        return READ_INDEX_REQUEST_LENGTH;
    }

    /**
     * @param buffer      to encode into.
     * @param offset      in the buffer.
     * @param senderId    the sender.
     * @param recipientId the recipient.
     * @param term        of the sender.
     * @param round       the round or request answered.
     * @param readIndex   the leader's read index, or 0.
     * @param fromLeader  true for the leader's answer.
     * @return the frame length.
     */
    public int readIndexResponse(
        final MutableDirectBuffer buffer,
        final int offset,
        final int senderId,
        final int recipientId,
        final long term,
        final long round,
        final long readIndex,
        final boolean fromLeader)
    {
        readIndexResponseEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .term(term)
            .round(round)
            .readIndex(readIndex)
            .senderId(senderId)
            .recipientId(recipientId)
            .fromLeader(fromLeader ? BooleanType.TRUE : BooleanType.FALSE);
        return READ_INDEX_RESPONSE_LENGTH;
    }

    /**
     * @param buffer        to encode into.
     * @param offset        in the buffer.
     * @param voterId       the sender.
     * @param candidateId   the member answered.
     * @param term          of the voter.
     * @param candidateTerm the term the vote was asked for.
     * @param granted       whether the vote is granted.
     * @param preVote       whether it answers a pre-vote.
     * @param round         the round of the request answered.
     * @return the frame length.
     */
    public int voteResponse(
        final MutableDirectBuffer buffer,
        final int offset,
        final int voterId,
        final int candidateId,
        final long term,
        final long candidateTerm,
        final boolean granted,
        final boolean preVote,
        final long round)
    {
        voteResponseEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .term(term)
            .candidateTerm(candidateTerm)
            .voterId(voterId)
            .candidateId(candidateId)
            .granted(granted ? BooleanType.TRUE : BooleanType.FALSE)
            .preVote(preVote ? BooleanType.TRUE : BooleanType.FALSE)
            .round(round);
        return VOTE_RESPONSE_LENGTH;
    }

    /**
     * How many entries from {@code firstIndex} fit in one frame of at most {@code maxFrameLength} bytes.
     *
     * @param log            to read the entries from.
     * @param firstIndex     of the first entry.
     * @param maxEntries     most entries wanted.
     * @param maxFrameLength longest frame allowed.
     * @return the number of entries that fit, 0 for none (even the first entry is too long, or none wanted); the
     * length of the frame carrying them is then {@link #fitFrameLength()}.
     */
    public int entriesThatFit(final RaftLog log, final long firstIndex, final int maxEntries, final int maxFrameLength)
    {
        final int limit = Math.min(maxEntries, MAX_ENTRIES_PER_FRAME);
        long length = APPEND_ENTRIES_HEADER_LENGTH;
        int count = 0;
        while (count < limit && log.read(firstIndex + count, entryView))
        {
            final long next = length + APPEND_ENTRY_OVERHEAD + entryView.length();
            if (next > maxFrameLength)
            {
                break;
            }
            length = next;
            count++;
        }
        fitFrameLength = (int)length;
        return count;
    }

    /**
     * @return the frame length of the entries the last {@link #entriesThatFit} call counted.
     */
    public int fitFrameLength()
    {
        return fitFrameLength;
    }

    /**
     * @param log        to read the entries from.
     * @param firstIndex of the first entry.
     * @param count      of entries.
     * @return the length of an AppendEntries frame carrying them.
     */
    public int appendEntriesLength(final RaftLog log, final long firstIndex, final int count)
    {
        int length = APPEND_ENTRIES_HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            if (!log.read(firstIndex + i, entryView))
            {
                throw new IllegalArgumentException("entry " + (firstIndex + i) + " is not in the log");
            }
            length += APPEND_ENTRY_OVERHEAD + entryView.length();
        }
        return length;
    }

    /**
     * Encode an AppendEntries whose entries are copied straight from the log.
     *
     * @param buffer       to encode into, with room for {@link #appendEntriesLength}.
     * @param offset       in the buffer.
     * @param leaderId     the sender.
     * @param followerId   the recipient.
     * @param term         of the leader.
     * @param prevLogIndex index before the first entry.
     * @param prevLogTerm  term at prevLogIndex.
     * @param leaderCommit the leader's commit index.
     * @param log          to read the entries from.
     * @param firstIndex   of the first entry.
     * @param count        of entries, possibly 0.
     * @return the frame length.
     */
    public int appendEntries(
        final MutableDirectBuffer buffer,
        final int offset,
        final int leaderId,
        final int followerId,
        final long term,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final RaftLog log,
        final long firstIndex,
        final int count)
    {
        final AppendEntriesEncoder.EntriesEncoder entries = appendEntriesEncoder
            .wrapAndApplyHeader(buffer, offset, headerEncoder)
            .term(term)
            .prevLogIndex(prevLogIndex)
            .prevLogTerm(prevLogTerm)
            .leaderCommit(leaderCommit)
            .leaderId(leaderId)
            .followerId(followerId)
            .entriesCount(count);
        for (int i = 0; i < count; i++)
        {
            if (!log.read(firstIndex + i, entryView))
            {
                throw new IllegalArgumentException("entry " + (firstIndex + i) + " is not in the log");
            }
            entries.next()
                .term(entryView.term())
                .timestamp(entryView.timestamp())
                .putPayload(entryView.buffer(), entryView.offset(), entryView.length());
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + appendEntriesEncoder.encodedLength();
    }

    /**
     * @param buffer        to encode into.
     * @param offset        in the buffer.
     * @param followerId    the sender.
     * @param leaderId      the member answered.
     * @param term          of the follower.
     * @param prevLogIndex  of the request answered.
     * @param success       whether the entries were accepted.
     * @param matchIndex    on success, the last index known to match.
     * @param conflictIndex on rejection, where to look next.
     * @param conflictTerm  on rejection, the follower's term at prevLogIndex or 0.
     * @param lastLogIndex  of the follower.
     * @return the frame length.
     */
    public int appendEntriesResponse(
        final MutableDirectBuffer buffer,
        final int offset,
        final int followerId,
        final int leaderId,
        final long term,
        final long prevLogIndex,
        final boolean success,
        final long matchIndex,
        final long conflictIndex,
        final long conflictTerm,
        final long lastLogIndex)
    {
        appendResponseEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .term(term)
            .prevLogIndex(prevLogIndex)
            .matchIndex(matchIndex)
            .conflictIndex(conflictIndex)
            .conflictTerm(conflictTerm)
            .lastLogIndex(lastLogIndex)
            .followerId(followerId)
            .leaderId(leaderId)
            .success(success ? BooleanType.TRUE : BooleanType.FALSE);
        return APPEND_RESPONSE_LENGTH;
    }

    /**
     * @param buffer     to encode into.
     * @param offset     in the buffer.
     * @param leaderId   the sender.
     * @param followerId the recipient.
     * @param term       of the leader.
     * @return the frame length.
     */
    public int timeoutNow(
        final MutableDirectBuffer buffer, final int offset, final int leaderId, final int followerId, final long term)
    {
        timeoutNowEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .term(term)
            .leaderId(leaderId)
            .followerId(followerId);
        return TIMEOUT_NOW_LENGTH;
    }

    /**
     * @param buffer           to encode into.
     * @param offset           in the buffer.
     * @param leaderId         the sender.
     * @param followerId       the recipient.
     * @param term             of the leader.
     * @param snapshotIndex    last index the snapshot covers.
     * @param snapshotTerm     term of that index.
     * @param chunkOffset      of the chunk in the snapshot.
     * @param snapshotLength   of the whole snapshot.
     * @param snapshotChecksum CRC32C of the whole snapshot.
     * @param isLast           whether this chunk ends the snapshot.
     * @param data             holding the chunk.
     * @param dataOffset       of the chunk in data.
     * @param dataLength       of the chunk.
     * @param transferId       the leader's tag of the transfer and rewind the chunk belongs to.
     * @return the frame length.
     */
    public int installSnapshot(
        final MutableDirectBuffer buffer,
        final int offset,
        final int leaderId,
        final int followerId,
        final long term,
        final long snapshotIndex,
        final long snapshotTerm,
        final long chunkOffset,
        final long snapshotLength,
        final long snapshotChecksum,
        final boolean isLast,
        final DirectBuffer data,
        final int dataOffset,
        final int dataLength,
        final long transferId)
    {
        installSnapshotEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .term(term)
            .snapshotIndex(snapshotIndex)
            .snapshotTerm(snapshotTerm)
            .chunkOffset(chunkOffset)
            .snapshotLength(snapshotLength)
            .snapshotChecksum(snapshotChecksum)
            .leaderId(leaderId)
            .followerId(followerId)
            .done(isLast ? BooleanType.TRUE : BooleanType.FALSE)
            .transferId(transferId)
            .putData(data, dataOffset, dataLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + installSnapshotEncoder.encodedLength();
    }

    /**
     * @param buffer        to encode into.
     * @param offset        in the buffer.
     * @param followerId    the sender.
     * @param leaderId      the member answered.
     * @param term          of the follower.
     * @param snapshotIndex of the snapshot being received.
     * @param nextOffset    the first byte still needed.
     * @param status        one of the {@code RaftNode.SNAPSHOT_*} codes.
     * @param transferId    of the chunk answered.
     * @return the frame length.
     */
    public int installSnapshotResponse(
        final MutableDirectBuffer buffer,
        final int offset,
        final int followerId,
        final int leaderId,
        final long term,
        final long snapshotIndex,
        final long nextOffset,
        final int status,
        final long transferId)
    {
        snapshotResponseEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .term(term)
            .snapshotIndex(snapshotIndex)
            .nextOffset(nextOffset)
            .followerId(followerId)
            .leaderId(leaderId)
            .status(SnapshotChunkStatus.get((short)status))
            .transferId(transferId);
        return SNAPSHOT_RESPONSE_LENGTH;
    }
}
