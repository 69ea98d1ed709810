package io.raftline.engine.core;

import io.raftline.engine.core.RecordingOutbox.AppendEntries;
import io.raftline.engine.core.RecordingOutbox.InstallSnapshot;
import io.raftline.engine.core.RecordingOutbox.Message;
import io.raftline.engine.core.RecordingOutbox.SnapshotResponse;
import io.raftline.engine.core.RecordingOutbox.SnapshotTransferEnded;
import io.raftline.log.InMemorySnapshotStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.raftline.engine.core.CoreHarness.HEARTBEAT_NS;
import static io.raftline.engine.core.RaftNode.SNAPSHOT_ACCEPTED;
import static io.raftline.engine.core.RaftNode.SNAPSHOT_INSTALLED;
import static io.raftline.engine.core.RaftNode.SNAPSHOT_REJECTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot transfer (§7) under the reordering, duplication and loss a network does: the leader acts on a
 * rejection once per rewind, its acknowledged offset never moves back except when the follower really lost its
 * partial copy, a rewind after the last chunk resends the same snapshot, and the snapshot it keeps open is released
 * when the transfer ends. The follower answers chunks ahead of the offset it needs once per gap, not once per chunk.
 */
class SnapshotTransferTest
{
    private static final int CHUNK = 16;
    private static final int WINDOW = 4;
    private static final long SNAPSHOT_INDEX = 10;
    private static final byte[] DATA = new byte[100];
    private static final int LAGGING = 3;

    static
    {
        for (int i = 0; i < DATA.length; i++)
        {
            DATA[i] = (byte)i;
        }
    }

    // ------------------------------------------------------------------------------------------ the leader

    @Test
    void aDuplicatedRejectionRewindsOnce()
    {
        final CoreHarness leader = leaderSendingSnapshot();
        final List<InstallSnapshot> window = chunks(leader);
        assertEquals(List.of(0L, 16L, 32L, 48L), offsets(window));
        final long tag = window.get(0).transferId();

        // Chunk 16 was lost: the follower answers the first chunk after the gap, and the network duplicates that.
        respond(leader, 16, SNAPSHOT_REJECTED, tag);
        final List<InstallSnapshot> resent = chunks(leader);
        assertEquals(List.of(16L, 32L, 48L, 64L), offsets(resent));
        respond(leader, 16, SNAPSHOT_REJECTED, tag);

        assertEquals(List.of(), offsets(chunks(leader)), "the duplicate rejection rewound the transfer again");
        assertEquals(16, leader.node.peerOf(LAGGING).snapshotAckedOffset);
    }

    @Test
    void aStaleRejectionDoesNotMoveTheAcknowledgedOffsetBack()
    {
        final CoreHarness leader = leaderSendingSnapshot();
        final long tag = chunks(leader).get(0).transferId();
        respond(leader, 16, SNAPSHOT_ACCEPTED, tag);
        respond(leader, 32, SNAPSHOT_ACCEPTED, tag);
        respond(leader, 48, SNAPSHOT_ACCEPTED, tag);
        assertEquals(List.of(64L, 80L, 96L), offsets(chunks(leader)));

        // A rejection the follower sent before it stored 16..47 (chunk 32 overtook chunk 16) arrives last.
        respond(leader, 16, SNAPSHOT_REJECTED, tag);

        assertEquals(48, leader.node.peerOf(LAGGING).snapshotAckedOffset, "acknowledged offset moved back");
        assertEquals(List.of(), offsets(chunks(leader)), "a stale rejection rewound the transfer");
    }

    @Test
    void anAnswerToAChunkSentBeforeTheLastRewindIsIgnored()
    {
        final CoreHarness leader = leaderSendingSnapshot();
        final long firstTag = chunks(leader).get(0).transferId();
        respond(leader, 16, SNAPSHOT_REJECTED, firstTag);
        final List<InstallSnapshot> resent = chunks(leader);
        final long secondTag = resent.get(0).transferId();
        assertNotEquals(firstTag, secondTag, "a rewind must be tagged anew");

        // The follower stored 16 from the resent window, then chunk 48 of the first window arrives, ahead of 32.
        respond(leader, 32, SNAPSHOT_ACCEPTED, secondTag);
        respond(leader, 32, SNAPSHOT_REJECTED, firstTag);

        assertEquals(List.of(80L), offsets(chunks(leader)), "only the window slot the acknowledgement freed");
        assertEquals(32, leader.node.peerOf(LAGGING).snapshotAckedOffset);
    }

    @Test
    void aLateRewindAfterTheLastChunkResendsTheSameSnapshot()
    {
        final CoreHarness leader = leaderSendingSnapshot();
        final long tag = chunks(leader).get(0).transferId();
        respond(leader, 64, SNAPSHOT_ACCEPTED, tag);
        final List<InstallSnapshot> rest = chunks(leader);
        assertEquals(List.of(64L, 80L, 96L), offsets(rest));
        assertTrue(rest.get(2).isLast());

        // Snapshots are frequent: a newer one is taken while the last chunks are on their way; chunk 80 is lost.
        leader.snapshots.put(SNAPSHOT_INDEX + 5, leader.node.currentTerm(), new byte[300]);
        respond(leader, 80, SNAPSHOT_REJECTED, tag);

        final List<InstallSnapshot> resent = chunks(leader);
        assertFalse(resent.isEmpty());
        assertEquals(SNAPSHOT_INDEX, resent.get(0).snapshotIndex(), "the transfer restarted with a newer snapshot");
        assertEquals(List.of(80L, 96L), offsets(resent));
        assertEquals(80, leader.node.peerOf(LAGGING).snapshotAckedOffset);
        assertTrue(leader.outbox.isSnapshotOpen(LAGGING), "the snapshot was released before it was installed");
    }

    @Test
    void aFollowerThatLostItsPartialCopyRestartsTheTransfer()
    {
        final CoreHarness leader = leaderSendingSnapshot();
        final long tag = chunks(leader).get(0).transferId();
        respond(leader, 48, SNAPSHOT_ACCEPTED, tag);
        chunks(leader);

        // The follower restarts and no longer has bytes 0..47: nothing it answers confirms anything for a while,
        // so the leader resumes from the last confirmed byte, with a new tag...
        leader.nowNs += 2 * HEARTBEAT_NS;
        final List<InstallSnapshot> resumed = chunks(leader);
        assertEquals(48, resumed.get(0).chunkOffset());
        final long resumeTag = resumed.get(0).transferId();
        assertNotEquals(tag, resumeTag);

        // ...and the follower's answer to that, needing byte 0 again, is a genuine restart.
        respond(leader, 0, SNAPSHOT_REJECTED, resumeTag);

        final List<InstallSnapshot> restarted = chunks(leader);
        assertEquals(List.of(0L, 16L, 32L, 48L), offsets(restarted));
        assertEquals(SNAPSHOT_INDEX, restarted.get(0).snapshotIndex());
        assertEquals(0, leader.node.peerOf(LAGGING).snapshotAckedOffset);
    }

    @Test
    void theSnapshotIsReleasedOnceInstalled()
    {
        final CoreHarness leader = leaderSendingSnapshot();
        final long tag = chunks(leader).get(0).transferId();
        respond(leader, 64, SNAPSHOT_ACCEPTED, tag);
        chunks(leader);
        assertTrue(leader.outbox.isSnapshotOpen(LAGGING));

        respond(leader, DATA.length, SNAPSHOT_INSTALLED, tag);

        assertTrue(ended(leader.outbox.drain()), "the transfer's end was not signalled");
        assertFalse(leader.outbox.isSnapshotOpen(LAGGING));
        assertEquals(SNAPSHOT_INDEX, leader.node.peerOf(LAGGING).matchIndex);
    }

    @Test
    void theSnapshotIsReleasedWhenLeadershipIsLost()
    {
        final CoreHarness leader = leaderSendingSnapshot();
        chunks(leader);
        assertTrue(leader.outbox.isSnapshotOpen(LAGGING));

        leader.node.onAppendEntriesResponse(2, leader.node.currentTerm() + 1, 0, false, 0, 1, 0, 0, leader.nowNs);

        assertEquals(RaftRole.FOLLOWER, leader.node.role());
        assertTrue(ended(leader.outbox.drain()), "the transfer's end was not signalled");
        assertFalse(leader.outbox.isSnapshotOpen(LAGGING));
    }

    // ------------------------------------------------------------------------------------------ the follower

    @Test
    void aFollowerAnswersChunksAheadOfItsOffsetOncePerGap()
    {
        final CoreHarness follower = new CoreHarness(LAGGING, 1, 2, 3);
        final long checksum = new InMemorySnapshotStore().put(SNAPSHOT_INDEX, 1, DATA).checksum();
        chunk(follower, 0, 5, checksum);
        assertEquals(List.of(new SnapshotResponse(1, 1, SNAPSHOT_INDEX, 16, SNAPSHOT_ACCEPTED, 5)),
            follower.outbox.drain(SnapshotResponse.class));

        // Chunk 16 was lost; 32, 48 and a duplicate of 48 arrive.
        chunk(follower, 32, 5, checksum);
        chunk(follower, 48, 5, checksum);
        chunk(follower, 48, 5, checksum);
        assertEquals(List.of(new SnapshotResponse(1, 1, SNAPSHOT_INDEX, 16, SNAPSHOT_REJECTED, 5)),
            follower.outbox.drain(SnapshotResponse.class), "one rejection per gap, not one per chunk");

        // The leader rewound (tag 6) but its chunk 16 was lost again: the new rewind gets its one answer.
        chunk(follower, 32, 6, checksum);
        chunk(follower, 48, 6, checksum);
        assertEquals(List.of(new SnapshotResponse(1, 1, SNAPSHOT_INDEX, 16, SNAPSHOT_REJECTED, 6)),
            follower.outbox.drain(SnapshotResponse.class));

        chunk(follower, 16, 6, checksum);
        chunk(follower, 64, 6, checksum);
        assertEquals(List.of(
            new SnapshotResponse(1, 1, SNAPSHOT_INDEX, 32, SNAPSHOT_ACCEPTED, 6),
            new SnapshotResponse(1, 1, SNAPSHOT_INDEX, 32, SNAPSHOT_REJECTED, 6)),
            follower.outbox.drain(SnapshotResponse.class), "a new gap gets its own answer");
    }

    @Test
    void aLateChunkOfAnOlderSnapshotDoesNotCostTheNewerTransferItsProgress()
    {
        final CoreHarness follower = new CoreHarness(LAGGING, 1, 2, 3);
        final long checksum = new InMemorySnapshotStore().put(SNAPSHOT_INDEX, 1, DATA).checksum();
        final long newer = SNAPSHOT_INDEX + 10;
        chunk(follower, newer, 0, 9, checksum);
        chunk(follower, SNAPSHOT_INDEX, 0, 5, checksum);
        chunk(follower, SNAPSHOT_INDEX, 16, 5, checksum);
        chunk(follower, newer, 16, 9, checksum);

        final List<SnapshotResponse> responses = follower.outbox.drain(SnapshotResponse.class);
        assertEquals(new SnapshotResponse(1, 1, newer, 32, SNAPSHOT_ACCEPTED, 9), responses.get(responses.size() - 1),
            "the newer transfer lost its progress: " + responses);
    }

    @Test
    void aLateChunkOfAnInstalledSnapshotDoesNotCostTheNextTransferItsProgress()
    {
        final CoreHarness follower = new CoreHarness(LAGGING, 1, 2, 3);
        final long checksum = new InMemorySnapshotStore().put(SNAPSHOT_INDEX, 1, DATA).checksum();
        for (long offset = 0; offset < DATA.length; offset += CHUNK)
        {
            chunk(follower, offset, 5, checksum);
        }
        assertEquals(SNAPSHOT_INDEX, follower.node.lastApplied());
        final long newer = SNAPSHOT_INDEX + 10;
        chunk(follower, newer, 0, 9, checksum);
        follower.outbox.drain();

        chunk(follower, SNAPSHOT_INDEX, 32, 5, checksum);
        chunk(follower, newer, 16, 9, checksum);

        assertEquals(List.of(
            new SnapshotResponse(1, 1, SNAPSHOT_INDEX, DATA.length, SNAPSHOT_INSTALLED, 5),
            new SnapshotResponse(1, 1, newer, 32, SNAPSHOT_ACCEPTED, 9)),
            follower.outbox.drain(SnapshotResponse.class));
    }

    @Test
    void aFollowerInstallsWhateverOrderTheChunksArriveIn()
    {
        final CoreHarness follower = new CoreHarness(LAGGING, 1, 2, 3);
        final long checksum = new InMemorySnapshotStore().put(SNAPSHOT_INDEX, 1, DATA).checksum();
        final long[] arrivals = {16, 0, 32, 16, 32, 48, 96, 64, 80, 96};
        for (final long offset : arrivals)
        {
            chunk(follower, offset, 7, checksum);
        }
        final List<SnapshotResponse> responses = follower.outbox.drain(SnapshotResponse.class);
        assertEquals(SNAPSHOT_INSTALLED, responses.get(responses.size() - 1).status());
        assertEquals(SNAPSHOT_INDEX, follower.node.lastApplied());
        for (final SnapshotResponse response : responses)
        {
            assertEquals(7, response.transferId(), "every answer echoes the chunk's tag");
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /**
     * A leader of members 1, 2, 3 whose log is compacted to {@link #SNAPSHOT_INDEX} while member 3 heard nothing,
     * so member 3 gets the snapshot, in chunks of 16 bytes, 4 in flight.
     */
    private static CoreHarness leaderSendingSnapshot()
    {
        final CoreHarness leader = new CoreHarness(CoreHarness.config(1, 1, 2, 3)
            .snapshotChunkLength(CHUNK)
            .maxInflightSnapshotChunks(WINDOW)
            .compactionRetainEntries(0)
            .build());
        leader.electLeader(2, 3);
        assertEquals(RaftRole.LEADER, leader.node.role());
        final long term = leader.node.currentTerm();
        leader.node.onAppendEntriesResponse(2, term, 0, true, 0, 0, 0, 0, leader.nowNs);
        for (int i = 0; i < SNAPSHOT_INDEX; i++)
        {
            leader.propose((byte)i);
        }
        leader.cycle();
        leader.node.onAppendEntriesResponse(2, term, 0, true, SNAPSHOT_INDEX, 0, 0, SNAPSHOT_INDEX, leader.nowNs);
        leader.cycle();
        assertEquals(SNAPSHOT_INDEX, leader.node.lastApplied());
        leader.snapshots.put(SNAPSHOT_INDEX, term, DATA);
        leader.node.onSnapshotTaken(SNAPSHOT_INDEX);
        assertEquals(SNAPSHOT_INDEX, leader.log.baseIndex());
        leader.outbox.drain();

        // Member 3's next probe would need entries that are gone.
        leader.nowNs += HEARTBEAT_NS;
        leader.cycle();
        assertEquals(Peer.SNAPSHOT, leader.node.peerOf(LAGGING).state);
        return leader;
    }

    private static void respond(final CoreHarness leader, final long nextOffset, final int status, final long tag)
    {
        leader.node.onInstallSnapshotResponse(
            LAGGING, leader.node.currentTerm(), SNAPSHOT_INDEX, nextOffset, status, tag, leader.nowNs);
    }

    private static void chunk(final CoreHarness follower, final long offset, final long tag, final long checksum)
    {
        chunk(follower, SNAPSHOT_INDEX, offset, tag, checksum);
    }

    private static void chunk(
        final CoreHarness follower, final long snapshotIndex, final long offset, final long tag, final long checksum)
    {
        final int length = (int)Math.min(CHUNK, DATA.length - offset);
        follower.node.onInstallSnapshot(1, 1, snapshotIndex, 1, offset, DATA.length, checksum,
            offset + length >= DATA.length, new UnsafeBuffer(DATA), (int)offset, length, tag, follower.nowNs);
        follower.cycle();
    }

    /**
     * Run cycles until there is no more work, as a driver does, and take the chunks sent to the lagging member.
     */
    private static List<InstallSnapshot> chunks(final CoreHarness leader)
    {
        for (int cycles = 0; leader.cycle() > 0; cycles++)
        {
            assertTrue(cycles < 1000, "the leader never went idle");
        }
        final List<InstallSnapshot> chunks = new ArrayList<>();
        for (final Message message : leader.outbox.drain())
        {
            if (message instanceof InstallSnapshot chunk && LAGGING == chunk.to())
            {
                chunks.add(chunk);
            }
            else if (message instanceof AppendEntries append && LAGGING == append.to())
            {
                throw new AssertionError("entries to a member that needs the snapshot: " + append);
            }
        }
        return chunks;
    }

    private static List<Long> offsets(final List<InstallSnapshot> chunks)
    {
        final List<Long> offsets = new ArrayList<>();
        for (final InstallSnapshot chunk : chunks)
        {
            offsets.add(chunk.chunkOffset());
        }
        return offsets;
    }

    private static boolean ended(final List<Message> messages)
    {
        for (final Message message : messages)
        {
            if (message instanceof SnapshotTransferEnded ended && LAGGING == ended.to())
            {
                return true;
            }
        }
        return false;
    }
}
