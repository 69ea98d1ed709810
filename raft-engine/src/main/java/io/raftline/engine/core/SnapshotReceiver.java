package io.raftline.engine.core;

import io.raftline.log.SnapshotMetadata;
import io.raftline.log.SnapshotStore;
import io.raftline.log.SnapshotWriter;
import org.agrona.DirectBuffer;

import static io.raftline.engine.core.RaftNode.SNAPSHOT_ACCEPTED;
import static io.raftline.engine.core.RaftNode.SNAPSHOT_INSTALLED;
import static io.raftline.engine.core.RaftNode.SNAPSHOT_REJECTED;

/**
 * The follower's side of InstallSnapshot (§7): chunks are written in order into the snapshot store; a gap is
 * answered with the offset still needed, so the leader resumes rather than starts over, once per gap and leader's
 * rewind (the rest of the window lands in the same gap, and answering each chunk would only make the leader resend
 * the window again; if that one answer is lost, the leader's progress timeout resends); the complete snapshot is
 * verified against the leader's checksum, committed (durable), and only then installed: the log keeps the suffix
 * that matches the snapshot's last entry or is discarded, and the state machine is restored, so the next entry
 * applied is the one after the snapshot.
 */
final class SnapshotReceiver
{
    private final CoreLog log;
    private final CommitState commit;
    private final SnapshotStore snapshots;
    private final Applier applier;
    private final Members members;
    private final Outbox outbox;
    private final Rejections rejections;
    private SnapshotWriter writer;
    private long index;
    private long term;
    private long expectedOffset;
    private long length;
    private long checksum;
    private long writerLeaderTerm;
    // The last gap answered: the leader's term, its snapshot and tag, and the offset asked for.
    private long rejectedTerm = -1;
    private long rejectedIndex;
    private long rejectedTransferId;
    private long rejectedOffset;

    SnapshotReceiver(
        final CoreLog log,
        final CommitState commit,
        final SnapshotStore snapshots,
        final Applier applier,
        final Members members,
        final Outbox outbox,
        final Rejections rejections)
    {
        this.log = log;
        this.commit = commit;
        this.snapshots = snapshots;
        this.applier = applier;
        this.members = members;
        this.outbox = outbox;
        this.rejections = rejections;
    }

    @SuppressWarnings("MethodLength")
    void onChunk(
        final int leaderId,
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
        if (snapshotIndex <= commit.lastApplied())
        {
            // Everything the snapshot holds is applied here already, and so is a pending one if it is no newer.
            if (index <= commit.lastApplied())
            {
                abortPending();
            }
            respond(leaderId, transferId, snapshotIndex, snapshotLength, SNAPSHOT_INSTALLED);
            return;
        }
        if (null != writer && log.currentTerm() == writerLeaderTerm && snapshotIndex < index)
        {
            // A late chunk of an older snapshot from the same leader, which has moved on to this newer one: it wants
            // no answer, and it must not cost the newer transfer its progress.
            return;
        }
        if (null != writer && (index != snapshotIndex || term != snapshotTerm || length != snapshotLength ||
            checksum != snapshotChecksum))
        {
            abortPending();
        }
        if (null == writer)
        {
            if (0 != chunkOffset)
            {
                rejectGap(leaderId, transferId, snapshotIndex, 0);
                return;
            }
            writer = snapshots.begin(snapshotIndex, snapshotTerm);
            writerLeaderTerm = log.currentTerm();
            index = snapshotIndex;
            term = snapshotTerm;
            length = snapshotLength;
            checksum = snapshotChecksum;
            expectedOffset = 0;
        }
        if (chunkOffset < expectedOffset)
        {
            // A duplicate, already stored.
            respond(leaderId, transferId, snapshotIndex, expectedOffset, SNAPSHOT_ACCEPTED);
            return;
        }
        if (chunkOffset > expectedOffset)
        {
            // A chunk was lost or overtaken: ask for the missing bytes.
            rejectGap(leaderId, transferId, snapshotIndex, expectedOffset);
            return;
        }
        if (expectedOffset + dataLength > length)
        {
            abortPending();
            rejections.reject(leaderId, "InstallSnapshot chunk runs past the snapshot length " + snapshotLength);
            respond(leaderId, transferId, snapshotIndex, 0, SNAPSHOT_REJECTED);
            return;
        }
        writer.write(data, dataOffset, dataLength);
        expectedOffset += dataLength;
        if (expectedOffset < length && !isLast)
        {
            respond(leaderId, transferId, snapshotIndex, expectedOffset, SNAPSHOT_ACCEPTED);
            return;
        }
        if (expectedOffset != length || writer.checksum() != checksum)
        {
            abortPending();
            rejections.reject(leaderId, "InstallSnapshot at index " + snapshotIndex + " failed its length or " +
                "checksum check");
            respond(leaderId, transferId, snapshotIndex, 0, SNAPSHOT_REJECTED);
            return;
        }
        final SnapshotMetadata metadata = writer.commit();
        writer = null;
        install(metadata);
        respond(leaderId, transferId, snapshotIndex, length, SNAPSHOT_INSTALLED);
    }

    private void install(final SnapshotMetadata metadata)
    {
        final long snapshotIndex = metadata.index();
        if (snapshotIndex <= log.lastIndex() && log.termAt(snapshotIndex) == metadata.term())
        {
            // The log holds the snapshot's last entry: keep what follows it (§7, receiver step 6).
            if (snapshotIndex > log.baseIndex())
            {
                log.compactTo(snapshotIndex);
            }
        }
        else
        {
            if (commit.commitIndex() > snapshotIndex)
            {
                throw new RaftSafetyException("snapshot at index " + snapshotIndex + " term " + metadata.term() +
                    " conflicts with committed entries up to " + commit.commitIndex());
            }
            log.reset(snapshotIndex, metadata.term());
        }
        members.onSnapshot(snapshotIndex, applier.restoreFrom(metadata));
    }

    private void abortPending()
    {
        if (null != writer)
        {
            writer.abort();
            writer = null;
        }
    }

    private void rejectGap(
        final int leaderId, final long transferId, final long snapshotIndex, final long neededOffset)
    {
        if (log.currentTerm() == rejectedTerm && snapshotIndex == rejectedIndex &&
            (transferId < rejectedTransferId || (transferId == rejectedTransferId && neededOffset == rejectedOffset)))
        {
            // Answered for this rewind already, or the chunk is from an earlier rewind, whose answers the leader
            // drops.
            return;
        }
        rejectedTerm = log.currentTerm();
        rejectedIndex = snapshotIndex;
        rejectedTransferId = transferId;
        rejectedOffset = neededOffset;
        respond(leaderId, transferId, snapshotIndex, neededOffset, SNAPSHOT_REJECTED);
    }

    private void respond(
        final int leaderId, final long transferId, final long snapshotIndex, final long nextOffset, final int status)
    {
        outbox.installSnapshotResponse(leaderId, log.currentTerm(), snapshotIndex, nextOffset, status, transferId);
    }
}
