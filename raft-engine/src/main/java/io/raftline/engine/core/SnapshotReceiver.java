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
 * answered with the offset still needed, so the leader resumes rather than starts over; the complete snapshot is
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
    private final Outbox outbox;
    private final Rejections rejections;
    private SnapshotWriter writer;
    private long index;
    private long term;
    private long expectedOffset;
    private long length;
    private long checksum;

    SnapshotReceiver(
        final CoreLog log,
        final CommitState commit,
        final SnapshotStore snapshots,
        final Applier applier,
        final Outbox outbox,
        final Rejections rejections)
    {
        this.log = log;
        this.commit = commit;
        this.snapshots = snapshots;
        this.applier = applier;
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
        final int dataLength)
    {
        if (snapshotIndex <= commit.lastApplied())
        {
            // Everything the snapshot holds is applied here already.
            abortPending();
            respond(leaderId, snapshotIndex, snapshotLength, SNAPSHOT_INSTALLED);
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
                respond(leaderId, snapshotIndex, 0, SNAPSHOT_REJECTED);
                return;
            }
            writer = snapshots.begin(snapshotIndex, snapshotTerm);
            index = snapshotIndex;
            term = snapshotTerm;
            length = snapshotLength;
            checksum = snapshotChecksum;
            expectedOffset = 0;
        }
        if (chunkOffset != expectedOffset)
        {
            // Behind: a duplicate, already stored. Ahead: a chunk was lost; ask for the missing bytes.
            respond(leaderId, snapshotIndex, expectedOffset,
                chunkOffset < expectedOffset ? SNAPSHOT_ACCEPTED : SNAPSHOT_REJECTED);
            return;
        }
        if (expectedOffset + dataLength > length)
        {
            abortPending();
            rejections.reject(leaderId, "InstallSnapshot chunk runs past the snapshot length " + snapshotLength);
            respond(leaderId, snapshotIndex, 0, SNAPSHOT_REJECTED);
            return;
        }
        writer.write(data, dataOffset, dataLength);
        expectedOffset += dataLength;
        if (expectedOffset < length && !isLast)
        {
            respond(leaderId, snapshotIndex, expectedOffset, SNAPSHOT_ACCEPTED);
            return;
        }
        if (expectedOffset != length || writer.checksum() != checksum)
        {
            abortPending();
            rejections.reject(leaderId, "InstallSnapshot at index " + snapshotIndex + " failed its length or " +
                "checksum check");
            respond(leaderId, snapshotIndex, 0, SNAPSHOT_REJECTED);
            return;
        }
        final SnapshotMetadata metadata = writer.commit();
        writer = null;
        install(metadata);
        respond(leaderId, snapshotIndex, length, SNAPSHOT_INSTALLED);
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
        applier.restoreFrom(metadata);
    }

    private void abortPending()
    {
        if (null != writer)
        {
            writer.abort();
            writer = null;
        }
    }

    private void respond(final int leaderId, final long snapshotIndex, final long nextOffset, final int status)
    {
        outbox.installSnapshotResponse(leaderId, log.currentTerm(), snapshotIndex, nextOffset, status);
    }
}
