package io.raftline.engine.core;

import io.raftline.log.LogEntryView;
import io.raftline.log.SnapshotMetadata;
import io.raftline.log.SnapshotReader;

/**
 * The node's side towards its state machine: applying committed entries in order, taking snapshots every N entries
 * or M bytes, compacting the log once one is durable, and restoring the state from a snapshot at start or after an
 * install. Part of the pure core; state that only this concern reads lives here.
 */
final class Applier
{
    private final RaftNode node;
    private final LogEntryView applyView = new LogEntryView();
    // The newest durable snapshot's index, and whether the state machine is writing one.
    long snapshotIndex;
    boolean isSnapshotInProgress;
    long appliedBytesSinceSnapshot;

    Applier(final RaftNode node)
    {
        this.node = node;
    }

    void restoreNewestSnapshot()
    {
        final SnapshotMetadata latest = node.snapshots.latest();
        if (null == latest)
        {
            if (node.log.baseIndex() > 0)
            {
                throw new IllegalStateException("the log starts after index " + node.log.baseIndex() +
                    " but there is no snapshot covering it: refusing to start with a hole in the state");
            }
            return;
        }
        if (latest.index() < node.log.baseIndex())
        {
            throw new IllegalStateException("the newest snapshot covers up to index " + latest.index() +
                " but the log was compacted up to " + node.log.baseIndex() + ": refusing to start with a hole");
        }
        if (node.log.termAt(latest.index()) != latest.term())
        {
            // A crash between committing an installed snapshot and resetting the log: the snapshot is committed
            // state, so whatever the log holds at or after its index is an uncommitted remnant.
            node.isPersistPending = true;
            node.log.reset(latest.index(), latest.term());
        }
        restoreFrom(latest);
    }

    void restoreFrom(final SnapshotMetadata metadata)
    {
        try (SnapshotReader reader = node.snapshots.openLatest())
        {
            if (null == reader || reader.metadata().index() != metadata.index())
            {
                throw new IllegalStateException("snapshot at index " + metadata.index() + " could not be opened");
            }
            node.stateMachine.restoreSnapshot(metadata, reader);
        }
        node.lastApplied = Math.max(node.lastApplied, metadata.index());
        snapshotIndex = Math.max(snapshotIndex, metadata.index());
        node.advanceCommitIndex(metadata.index());
    }

    int maybeTakeSnapshot()
    {
        if (isSnapshotInProgress || node.lastApplied <= snapshotIndex)
        {
            return 0;
        }
        final long entries = node.config.snapshotIntervalEntries();
        final long bytes = node.config.snapshotIntervalBytes();
        if (((entries > 0 && node.lastApplied - snapshotIndex >= entries) ||
            (bytes > 0 && appliedBytesSinceSnapshot >= bytes)) &&
            node.stateMachine.takeSnapshot(node.lastApplied, node.log.termAt(node.lastApplied)))
        {
            isSnapshotInProgress = true;
            appliedBytesSinceSnapshot = 0;
            return 1;
        }
        return 0;
    }

    void onSnapshotTaken(final long index)
    {
        isSnapshotInProgress = false;
        if (index > snapshotIndex)
        {
            snapshotIndex = index;
        }
        final long compactTo = Math.min(index - node.config.compactionRetainEntries(), node.lastApplied);
        if (compactTo > node.log.baseIndex() && compactTo <= node.log.lastIndex())
        {
            node.isPersistPending = true;
            node.log.compactTo(compactTo);
        }
    }

    void onSnapshotFailed()
    {
        isSnapshotInProgress = false;
    }

    int applyBatch()
    {
        int applied = 0;
        final int limit = node.config.maxAppliesPerCycle();
        while (node.lastApplied < node.commitIndex && applied < limit)
        {
            final long index = node.lastApplied + 1;
            if (!node.log.read(index, applyView))
            {
                throw new IllegalStateException("committed entry " + index + " is missing from the log: base=" +
                    node.log.baseIndex() + " last=" + node.log.lastIndex());
            }
            node.stateMachine.onApply(
                index, applyView.term(), applyView.buffer(), applyView.offset(), applyView.length());
            appliedBytesSinceSnapshot += applyView.length();
            node.lastApplied = index;
            applied++;
        }
        return applied;
    }
}
