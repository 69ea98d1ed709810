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
    private final RaftConfig config;
    private final CoreLog log;
    private final CommitState commit;
    private final MembershipSnapshots snapshots;
    private final Members members;
    private final StateMachine stateMachine;
    private final LogEntryView applyView = new LogEntryView();
    // The newest durable snapshot's index, and whether the state machine is writing one.
    long snapshotIndex;
    boolean isSnapshotInProgress;
    long appliedBytesSinceSnapshot;
    // An operator asked for a snapshot now: the next one starts whatever the intervals say.
    boolean isSnapshotRequested;

    Applier(
        final RaftConfig config,
        final CoreLog log,
        final CommitState commit,
        final MembershipSnapshots snapshots,
        final Members members,
        final StateMachine stateMachine)
    {
        this.config = config;
        this.log = log;
        this.commit = commit;
        this.snapshots = snapshots;
        this.members = members;
        this.stateMachine = stateMachine;
    }

    /**
     * @return the configuration the snapshot holds, or null if there is no snapshot or it holds none.
     */
    Membership restoreNewestSnapshot()
    {
        final SnapshotMetadata latest = snapshots.latest();
        if (null == latest)
        {
            if (log.baseIndex() > 0)
            {
                throw new IllegalStateException("the log starts after index " + log.baseIndex() +
                    " but there is no snapshot covering it: refusing to start with a hole in the state");
            }
            return null;
        }
        if (latest.index() < log.baseIndex())
        {
            throw new IllegalStateException("the newest snapshot covers up to index " + latest.index() +
                " but the log was compacted up to " + log.baseIndex() + ": refusing to start with a hole");
        }
        if (log.termAt(latest.index()) != latest.term())
        {
            // A crash between committing an installed snapshot and resetting the log: the snapshot is committed
            // state, so whatever the log holds at or after its index is an uncommitted remnant.
            log.reset(latest.index(), latest.term());
        }
        return restoreFrom(latest);
    }

    /**
     * Restore the state machine from the newest snapshot, which must be the one given.
     *
     * @return the configuration the snapshot holds, or null if it holds none.
     */
    Membership restoreFrom(final SnapshotMetadata metadata)
    {
        final Membership membership;
        try (MembershipSnapshots.State state = MembershipSnapshots.openState(snapshots.raw()))
        {
            if (null == state || state.reader.metadata().index() != metadata.index())
            {
                throw new IllegalStateException("snapshot at index " + metadata.index() + " could not be opened");
            }
            // The state machine sees its own bytes only: the configuration block before them is the core's.
            final SnapshotReader reader = state.reader;
            stateMachine.restoreSnapshot(reader.metadata(), reader);
            membership = state.membership;
        }
        log.clock().observe(stateMachine.restoredTimestamp());
        commit.applied(metadata.index());
        snapshotIndex = Math.max(snapshotIndex, metadata.index());
        commit.advanceCommitIndex(metadata.index());
        return membership;
    }

    int maybeTakeSnapshot()
    {
        final long lastApplied = commit.lastApplied();
        if (isSnapshotInProgress || lastApplied <= snapshotIndex)
        {
            return 0;
        }
        final long entries = config.snapshotIntervalEntries();
        final long bytes = config.snapshotIntervalBytes();
        if ((isSnapshotRequested || (entries > 0 && lastApplied - snapshotIndex >= entries) ||
            (bytes > 0 && appliedBytesSinceSnapshot >= bytes)) &&
            prepare(lastApplied) &&
            stateMachine.takeSnapshot(lastApplied, log.termAt(lastApplied)))
        {
            isSnapshotRequested = false;
            isSnapshotInProgress = true;
            appliedBytesSinceSnapshot = 0;
            return 1;
        }
        return 0;
    }

    /**
     * The snapshot's writer puts the configuration in effect at its index before the state machine's bytes.
     */
    private boolean prepare(final long index)
    {
        snapshots.prepare(index, members.at(index));
        return true;
    }

    void onSnapshotTaken(final long index)
    {
        isSnapshotInProgress = false;
        members.onSnapshotTaken(index);
        if (index > snapshotIndex)
        {
            snapshotIndex = index;
        }
        final long compactTo = Math.min(index - config.compactionRetainEntries(), commit.lastApplied());
        if (compactTo > log.baseIndex() && compactTo <= log.lastIndex())
        {
            log.compactTo(compactTo);
        }
    }

    void onSnapshotFailed()
    {
        isSnapshotInProgress = false;
    }

    int applyBatch()
    {
        int applied = 0;
        final int limit = config.maxAppliesPerCycle();
        while (commit.hasUnapplied() && applied < limit)
        {
            final long index = commit.lastApplied() + 1;
            if (!log.read(index, applyView))
            {
                throw new IllegalStateException("committed entry " + index + " is missing from the log: base=" +
                    log.baseIndex() + " last=" + log.lastIndex());
            }
            log.clock().observe(applyView.timestamp());
            if (MembershipCodec.isMembershipEntry(applyView.buffer(), applyView.offset(), applyView.length()))
            {
                // The core's own entry: the state machine sees an empty one, as for a leader's no-op, so that it
                // still sees every index.
                stateMachine.onApply(index, applyView.term(), applyView.timestamp(), RaftNode.EMPTY_PAYLOAD, 0, 0);
            }
            else
            {
                stateMachine.onApply(index, applyView.term(), applyView.timestamp(), applyView.buffer(),
                    applyView.offset(), applyView.length());
            }
            appliedBytesSinceSnapshot += applyView.length();
            commit.applied(index);
            applied++;
        }
        return applied;
    }
}
