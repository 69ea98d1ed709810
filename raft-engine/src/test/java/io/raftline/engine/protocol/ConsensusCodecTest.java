package io.raftline.engine.protocol;

import io.raftline.codecs.AppendEntriesEncoder;
import io.raftline.codecs.InstallSnapshotDecoder;
import io.raftline.codecs.InstallSnapshotResponseDecoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.ReadIndexResponseEncoder;
import io.raftline.codecs.RequestVoteEncoder;
import io.raftline.codecs.RequestVoteResponseEncoder;
import io.raftline.engine.core.Outbox;
import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftEventListener;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.StateMachine;
import io.raftline.log.InMemoryMetadataStore;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.InMemorySnapshotStore;
import io.raftline.log.LogEntryView;
import io.raftline.log.RaftLog;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames encoded by {@link ConsensusEncoder} decode through {@link ConsensusDecoder} into the same values; malformed
 * frames are counted by reason and never reach the core or throw.
 */
class ConsensusCodecTest
{
    private static final RaftConfig CONFIG = RaftConfig.builder().memberId(1).memberIds(1, 2, 3).build();

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1 << 16);
    private final ConsensusEncoder encoder = new ConsensusEncoder();
    private final InMemoryRaftLog receiverLog = new InMemoryRaftLog();
    private final List<String> outboxCalls = new ArrayList<>();
    private final List<String> rejections = new ArrayList<>();
    private final ConsensusDecoder decoder = new ConsensusDecoder(CONFIG,
        (reason, templateId, senderId, length) -> rejections.add(reason + "/" + templateId + "/" + senderId));
    private final RaftNode node = new RaftNode(CONFIG, receiverLog, new InMemoryMetadataStore(),
        new InMemorySnapshotStore(), recordingOutbox(),
        noApply(), new SplittableRandom(1), RaftEventListener.NO_OP, 0);

    ConsensusCodecTest()
    {
        decoder.node(node);
    }

    @Test
    void appendEntriesCarriesEntriesFromTheLogIntact()
    {
        final InMemoryRaftLog leaderLog = new InMemoryRaftLog();
        leaderLog.append(1, new UnsafeBuffer(new byte[]{1, 2, 3}), 0, 3);
        leaderLog.append(1, new UnsafeBuffer(new byte[0]), 0, 0);
        leaderLog.append(2, new UnsafeBuffer("hello".getBytes()), 0, 5);
        final int expectedLength = encoder.appendEntriesLength(leaderLog, 1, 3);

        final int length = encoder.appendEntries(buffer, 0, 2, 1, 2, 0, 0, 3, leaderLog, 1, 3);

        assertEquals(expectedLength, length);
        assertTrue(decoder.onFrame(buffer, 0, length, 0));
        assertEquals(3, receiverLog.lastIndex());
        assertEquals(2, receiverLog.lastTerm());
        assertEquals(1, receiverLog.termAt(2));
        final LogEntryView view = new LogEntryView();
        assertTrue(receiverLog.read(3, view));
        assertEquals("hello", view.buffer().getStringWithoutLengthAscii(view.offset(), view.length()));
        assertTrue(receiverLog.read(2, view));
        assertEquals(0, view.length());
        assertEquals(List.of("appendEntriesResponse to 2 term 2 success true match 3"), outboxCalls);
        assertEquals(3, node.commitIndex());
    }

    @Test
    void eachEntryCarriesItsTimestampToTheFollowersLog()
    {
        final InMemoryRaftLog leaderLog = new InMemoryRaftLog();
        leaderLog.append(1, 1_764_547_200_000_000_001L, new UnsafeBuffer(new byte[]{1, 2, 3}), 0, 3);
        leaderLog.append(1, 1_764_547_200_000_000_002L, new UnsafeBuffer(new byte[0]), 0, 0);

        final int length = encoder.appendEntries(buffer, 0, 2, 1, 1, 0, 0, 0, leaderLog, 1, 2);

        assertTrue(decoder.onFrame(buffer, 0, length, 0));
        final LogEntryView view = new LogEntryView();
        assertTrue(receiverLog.read(1, view));
        assertEquals(1_764_547_200_000_000_001L, view.timestamp());
        assertTrue(receiverLog.read(2, view));
        assertEquals(1_764_547_200_000_000_002L, view.timestamp());
    }

    @Test
    void aVersion2AppendEntriesWithoutTimestampsDecodesItsEntriesAsUnstamped()
    {
        final InMemoryRaftLog leaderLog = new InMemoryRaftLog();
        leaderLog.append(1, 77, new UnsafeBuffer(new byte[]{1, 2, 3}), 0, 3);
        leaderLog.append(1, 78, new UnsafeBuffer(new byte[]{4}), 0, 1);
        final int v3Length = encoder.appendEntries(buffer, 0, 2, 1, 1, 0, 0, 0, leaderLog, 1, 2);
        // Rewrite as version 2 wrote it: header version 2, an entry block of the term alone.
        final int entryBlockV2 = AppendEntriesEncoder.EntriesEncoder.timestampEncodingOffset();
        final int stampLength = AppendEntriesEncoder.EntriesEncoder.sbeBlockLength() - entryBlockV2;
        final ExpandableArrayBuffer v2 = new ExpandableArrayBuffer(v3Length);
        final int groupOffset = ConsensusEncoder.APPEND_ENTRIES_HEADER_LENGTH - 4;
        v2.putBytes(0, buffer, 0, groupOffset);
        v2.putShort(6, (short)2, MessageHeaderEncoder.BYTE_ORDER);
        v2.putShort(groupOffset, (short)entryBlockV2, MessageHeaderEncoder.BYTE_ORDER);
        v2.putShort(groupOffset + 2, (short)2, MessageHeaderEncoder.BYTE_ORDER);
        int from = groupOffset + 4;
        int to = from;
        for (final int payloadLength : new int[]{3, 1})
        {
            v2.putBytes(to, buffer, from, entryBlockV2);
            from += entryBlockV2 + stampLength;
            to += entryBlockV2;
            v2.putBytes(to, buffer, from, 4 + payloadLength);
            from += 4 + payloadLength;
            to += 4 + payloadLength;
        }
        assertEquals(v3Length, from);

        assertTrue(decoder.onFrame(v2, 0, to, 0), rejections.toString());
        assertEquals(2, receiverLog.lastIndex());
        final LogEntryView view = new LogEntryView();
        assertTrue(receiverLog.read(1, view));
        assertEquals(RaftLog.NO_TIMESTAMP, view.timestamp());
        assertEquals(3, view.length());
        assertEquals(3, view.buffer().getByte(view.offset() + 2));
        assertTrue(receiverLog.read(2, view));
        assertEquals(4, view.buffer().getByte(view.offset()));
    }

    @Test
    void entriesThatFitRespectsTheFrameLimit()
    {
        final InMemoryRaftLog leaderLog = new InMemoryRaftLog();
        for (int i = 0; i < 10; i++)
        {
            leaderLog.append(1, new UnsafeBuffer(new byte[100]), 0, 100);
        }
        final int perEntry = ConsensusEncoder.APPEND_ENTRY_OVERHEAD + 100;
        final int limit = ConsensusEncoder.APPEND_ENTRIES_HEADER_LENGTH + 3 * perEntry + perEntry / 2;
        assertEquals(3, encoder.entriesThatFit(leaderLog, 1, 10, limit));
        assertEquals(2, encoder.entriesThatFit(leaderLog, 1, 2, limit));
        assertEquals(1, encoder.entriesThatFit(leaderLog, 10, 5, limit));
        assertEquals(0, encoder.entriesThatFit(leaderLog, 11, 5, limit));
    }

    @Test
    void voteMessagesRoundTrip()
    {
        int length = encoder.requestVote(buffer, 0, 3, 1, 4, 0, 0, true, 1);
        assertTrue(decoder.onFrame(buffer, 0, length, 0));
        length = encoder.requestVote(buffer, 0, 2, 1, 5, 0, 0, false, 1);
        assertTrue(decoder.onFrame(buffer, 0, length, 0));
        assertEquals(List.of(
            "voteResponse to 3 term 0 for 4 granted true preVote true",
            "voteResponse to 2 term 5 for 5 granted true preVote false"), outboxCalls);
        assertEquals(5, node.currentTerm());
    }

    /**
     * The voter echoes the candidate's election round; a schema version 1 request (no round in its block) still
     * decodes, answered with no round.
     */
    @Test
    void voteRoundIsEchoedAndVersionOneFramesCarryNone()
    {
        int length = encoder.requestVote(buffer, 0, 3, 1, 4, 0, 0, true, 42);
        assertTrue(decoder.onFrame(buffer, 0, length, 0));

        length = encoder.requestVote(buffer, 0, 3, 1, 4, 0, 0, true, 43);
        final int versionOneBlock = RequestVoteEncoder.roundEncodingOffset();
        buffer.putShort(0, (short)versionOneBlock, MessageHeaderEncoder.BYTE_ORDER);
        buffer.putShort(6, (short)1, MessageHeaderEncoder.BYTE_ORDER);
        assertTrue(decoder.onFrame(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + versionOneBlock, 0));
        assertEquals(List.of(
            "voteResponse to 3 term 0 for 4 granted true preVote true round 42",
            "voteResponse to 3 term 0 for 4 granted true preVote true round " + RaftNode.NO_ROUND), outboxCalls);
    }

    /**
     * Reads: a schema version 2 vote request (its block ends before the transfer flag) still decodes.
     */
    @Test
    void aVersionTwoVoteRequestWithoutTheTransferFlagStillDecodes()
    {
        encoder.requestVote(buffer, 0, 3, 1, 4, 0, 0, true, 44, true);
        final int versionTwoBlock = RequestVoteEncoder.transferEncodingOffset();
        buffer.putShort(0, (short)versionTwoBlock, MessageHeaderEncoder.BYTE_ORDER);
        buffer.putShort(6, (short)2, MessageHeaderEncoder.BYTE_ORDER);
        assertTrue(decoder.onFrame(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + versionTwoBlock, 0));
        assertEquals(List.of("voteResponse to 3 term 0 for 4 granted true preVote true round 44"), outboxCalls);
        assertTrue(rejections.isEmpty(), rejections.toString());
    }

    /**
     * Reads: a leader's confirmation round decodes (the member follows that leader); a round of 0 or a boolean SBE
     * does not know is malformed, counted, and reaches nothing.
     */
    @Test
    void readIndexMessagesDecodeAndMalformedOnesAreCounted()
    {
        int length = encoder.readIndexRequest(buffer, 0, 2, 1, 3, 7, true);
        assertTrue(decoder.onFrame(buffer, 0, length, 0));
        assertEquals(2, node.leaderId());
        assertEquals(3, node.currentTerm());

        length = encoder.readIndexRequest(buffer, 0, 2, 1, 3, 0, true);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        length = encoder.readIndexResponse(buffer, 0, 2, 1, 3, 7, 5, true);
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + ReadIndexResponseEncoder.fromLeaderEncodingOffset(),
            (byte)7);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        length = encoder.readIndexResponse(buffer, 0, 2, 1, 3, 7, -1, true);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        assertEquals(List.of("MALFORMED/8/2", "MALFORMED/9/2", "MALFORMED/9/2"), rejections);
    }

    /**
     * A boolean field with a value SBE does not know is a malformed frame, counted; its enum accessor would throw
     * and stop the member.
     */
    @Test
    void unknownBooleanValueIsMalformedNotFatal()
    {
        final int length = encoder.voteResponse(buffer, 0, 2, 1, 4, 4, true, false, 1);
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + RequestVoteResponseEncoder.grantedEncodingOffset(),
            (byte)7);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        assertEquals(1, decoder.rejectionCount(FrameRejection.MALFORMED));
        assertEquals(0, node.currentTerm());
    }

    @Test
    void rejectsFramesThatAreTooShortOrForeign()
    {
        final int length = encoder.requestVote(buffer, 0, 2, 1, 4, 0, 0, true, 1);
        assertFalse(decoder.onFrame(buffer, 0, 5, 0));
        assertFalse(decoder.onFrame(buffer, 0, length - 1, 0));

        buffer.putShort(4, (short)999, MessageHeaderEncoder.BYTE_ORDER);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        encoder.requestVote(buffer, 0, 2, 1, 4, 0, 0, true, 1);
        buffer.putShort(6, (short)0, MessageHeaderEncoder.BYTE_ORDER);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        encoder.requestVote(buffer, 0, 2, 1, 4, 0, 0, true, 1);
        buffer.putShort(2, (short)77, MessageHeaderEncoder.BYTE_ORDER);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));

        assertEquals(2, decoder.rejectionCount(FrameRejection.TOO_SHORT));
        assertEquals(1, decoder.rejectionCount(FrameRejection.WRONG_SCHEMA));
        assertEquals(1, decoder.rejectionCount(FrameRejection.WRONG_VERSION));
        assertEquals(1, decoder.rejectionCount(FrameRejection.UNKNOWN_TEMPLATE));
        assertTrue(outboxCalls.isEmpty());
        assertEquals(5, rejections.size());
    }

    @Test
    void rejectsUnknownSenderAndWrongRecipient()
    {
        int length = encoder.requestVote(buffer, 0, 9, 1, 4, 0, 0, true, 1);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        length = encoder.requestVote(buffer, 0, 1, 1, 4, 0, 0, true, 1);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        length = encoder.requestVote(buffer, 0, 2, 3, 4, 0, 0, true, 1);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        assertEquals(2, decoder.rejectionCount(FrameRejection.UNKNOWN_SENDER));
        assertEquals(1, decoder.rejectionCount(FrameRejection.WRONG_RECIPIENT));
        assertTrue(outboxCalls.isEmpty());
    }

    @Test
    void rejectsEntryLengthsRunningPastTheFrame()
    {
        final InMemoryRaftLog leaderLog = new InMemoryRaftLog();
        leaderLog.append(1, new UnsafeBuffer(new byte[16]), 0, 16);
        final int length = encoder.appendEntries(buffer, 0, 2, 1, 1, 0, 0, 0, leaderLog, 1, 1);
        final int payloadLengthOffset =
            ConsensusEncoder.APPEND_ENTRIES_HEADER_LENGTH + AppendEntriesEncoder.EntriesEncoder.sbeBlockLength();
        buffer.putInt(payloadLengthOffset, 1_000_000, MessageHeaderEncoder.BYTE_ORDER);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        buffer.putInt(payloadLengthOffset, 16, MessageHeaderEncoder.BYTE_ORDER);
        assertFalse(decoder.onFrame(buffer, 0, length - 1, 0));
        buffer.putShort(ConsensusEncoder.APPEND_ENTRIES_HEADER_LENGTH - 2, (short)60000,
            MessageHeaderEncoder.BYTE_ORDER);
        assertFalse(decoder.onFrame(buffer, 0, length, 0));
        assertEquals(3, decoder.rejectionCount(FrameRejection.MALFORMED));
        assertEquals(0, receiverLog.lastIndex());
    }

    @Test
    void aSnapshotChunkCarriesItsTransferTagAndTheAnswerEchoesIt()
    {
        final int length = snapshotChunk(42);

        assertTrue(decoder.onFrame(buffer, 0, length, 0));

        assertEquals(List.of("installSnapshotResponse to 2 next 4 status " + RaftNode.SNAPSHOT_INSTALLED +
            " transfer 42"), outboxCalls);
    }

    @Test
    void aVersionOneSnapshotChunkWithoutATagStillDecodes()
    {
        final int v1Block = InstallSnapshotDecoder.transferIdEncodingOffset();
        final int cut = InstallSnapshotDecoder.BLOCK_LENGTH - v1Block;
        final int length = snapshotChunk(42);
        final int bodyOffset = MessageHeaderEncoder.ENCODED_LENGTH;
        buffer.putBytes(bodyOffset + v1Block, buffer, bodyOffset + InstallSnapshotDecoder.BLOCK_LENGTH,
            length - bodyOffset - InstallSnapshotDecoder.BLOCK_LENGTH);
        buffer.putShort(0, (short)v1Block, MessageHeaderEncoder.BYTE_ORDER);
        buffer.putShort(6, (short)1, MessageHeaderEncoder.BYTE_ORDER);

        assertTrue(decoder.onFrame(buffer, 0, length - cut, 0));

        assertEquals(List.of("installSnapshotResponse to 2 next 4 status " + RaftNode.SNAPSHOT_INSTALLED +
            " transfer " + Outbox.UNTAGGED_TRANSFER), outboxCalls);
    }

    @Test
    void aVersionTwoSnapshotChunkMustHoldItsTag()
    {
        final int length = snapshotChunk(42);
        final int v1Block = InstallSnapshotDecoder.transferIdEncodingOffset();
        buffer.putShort(0, (short)v1Block, MessageHeaderEncoder.BYTE_ORDER);

        assertFalse(decoder.onFrame(buffer, 0, length, 0));

        assertEquals(1, decoder.rejectionCount(FrameRejection.MALFORMED));
        assertTrue(outboxCalls.isEmpty());
    }

    @Test
    void snapshotAnswersOfEitherVersionDecode()
    {
        final int length = encoder.installSnapshotResponse(buffer, 0, 2, 1, 1, 7, 16, RaftNode.SNAPSHOT_ACCEPTED, 42);
        assertTrue(decoder.onFrame(buffer, 0, length, 0));

        encoder.installSnapshotResponse(buffer, 0, 2, 1, 1, 7, 16, RaftNode.SNAPSHOT_ACCEPTED, 42);
        final int v1Block = InstallSnapshotResponseDecoder.transferIdEncodingOffset();
        buffer.putShort(0, (short)v1Block, MessageHeaderEncoder.BYTE_ORDER);
        buffer.putShort(6, (short)1, MessageHeaderEncoder.BYTE_ORDER);
        assertTrue(decoder.onFrame(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + v1Block, 0));

        buffer.putShort(6, (short)2, MessageHeaderEncoder.BYTE_ORDER);
        assertFalse(decoder.onFrame(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + v1Block, 0));
        assertEquals(1, decoder.rejectionCount(FrameRejection.MALFORMED));
        assertEquals(2, decoder.framesDecoded());
    }

    /**
     * Encode the whole 4-byte snapshot at index 7 term 1 as one chunk from leader 2 to this member (1).
     */
    private int snapshotChunk(final long transferId)
    {
        final byte[] data = {1, 2, 3, 4};
        final long checksum = new InMemorySnapshotStore().put(7, 1, data).checksum();
        return encoder.installSnapshot(buffer, 0, 2, 1, 1, 7, 1, 0, data.length, checksum, true,
            new UnsafeBuffer(data), 0, data.length, transferId);
    }

    @Test
    void randomBytesNeverThrowAndNeverReachTheCoreUnlessValid()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final byte[] bytes = new byte[256];
        final UnsafeBuffer frame = new UnsafeBuffer(bytes);
        for (int i = 0; i < 100_000; i++)
        {
            random.nextBytes(bytes);
            decoder.onFrame(frame, 0, random.nextInt(bytes.length + 1), 0);
        }
        assertEquals(100_000, decoder.totalRejections() + decoder.framesDecoded());
        assertTrue(decoder.totalRejections() > 99_000);
    }

    private static StateMachine noApply()
    {
        return (index, term, buffer, offset, length) -> {};
    }

    private Outbox recordingOutbox()
    {
        return new Outbox()
        {
            public int appendEntries(final int followerId, final long term, final long prevLogIndex,
                final long prevLogTerm, final long leaderCommit, final long firstIndex, final int maxEntries)
            {
                outboxCalls.add("appendEntries to " + followerId);
                return maxEntries;
            }

            public void appendEntriesResponse(final int leaderId, final long term, final long prevLogIndex,
                final boolean success, final long matchIndex, final long conflictIndex, final long conflictTerm,
                final long lastLogIndex)
            {
                outboxCalls.add("appendEntriesResponse to " + leaderId + " term " + term + " success " + success +
                    " match " + matchIndex);
            }

            public boolean requestVote(final int recipientId, final long term, final long lastLogIndex,
                final long lastLogTerm, final boolean preVote, final long round)
            {
                outboxCalls.add("requestVote to " + recipientId);
                return true;
            }

            public void voteResponse(final int candidateId, final long term, final long candidateTerm,
                final boolean granted, final boolean preVote, final long round)
            {
                outboxCalls.add("voteResponse to " + candidateId + " term " + term + " for " + candidateTerm +
                    " granted " + granted + " preVote " + preVote + (1 == round ? "" : " round " + round));
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
                outboxCalls.add("installSnapshotResponse to " + leaderId + " next " + nextOffset + " status " +
                    status + " transfer " + transferId);
            }

            public void endSnapshotTransfer(final int followerId)
            {
            }
        };
    }
}
