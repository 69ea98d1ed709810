package io.raftline.engine.core;

/**
 * The follower's side of log replication (§5.3): the consistency check, deletion of a conflicting suffix (never
 * of a matching entry), appending, and the commit index a leader may tell it.
 */
final class LogReceiver
{
    private final CoreLog log;
    private final CommitState commit;
    private final Outbox outbox;
    private final Rejections rejections;

    LogReceiver(final CoreLog log, final CommitState commit, final Outbox outbox, final Rejections rejections)
    {
        this.log = log;
        this.commit = commit;
        this.outbox = outbox;
        this.rejections = rejections;
    }

    void onAppendEntries(
        final int leaderId,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final EntryBatch entries)
    {
        final long baseIndex = log.baseIndex();
        if (prevLogIndex > log.lastIndex())
        {
            reject(leaderId, prevLogIndex, log.lastIndex() + 1, 0);
            return;
        }
        if (prevLogIndex >= baseIndex)
        {
            final long localTerm = log.termAt(prevLogIndex);
            if (localTerm != prevLogTerm)
            {
                if (prevLogIndex <= commit.commitIndex())
                {
                    throw new RaftSafetyException("leader " + leaderId + " of term " + log.currentTerm() +
                        " disagrees on committed index " + prevLogIndex + ": local term " + localTerm +
                        ", leader term " + prevLogTerm + " (commitIndex=" + commit.commitIndex() + ")");
                }
                reject(leaderId, prevLogIndex, firstIndexOfTerm(localTerm, prevLogIndex), localTerm);
                return;
            }
        }
        // Below the base the entries are in our snapshot: committed, so identical to the leader's.

        long index = prevLogIndex;
        long previousTerm = prevLogTerm;
        while (entries.next())
        {
            index++;
            final long entryTerm = entries.term();
            if (entryTerm < previousTerm || entryTerm < 1 || entryTerm > log.currentTerm())
            {
                // Terms along a log never decrease, never exceed the leader's, and start at 1 (no leader had term
                // 0): a malformed request. What was appended so far is a valid prefix; answer nothing for the rest.
                rejectEntry(leaderId, index, entryTerm, previousTerm);
                return;
            }
            previousTerm = entryTerm;
            if (index <= baseIndex)
            {
                if (index == baseIndex && entryTerm != log.termAt(baseIndex))
                {
                    // A request anchored below the snapshot has a previous term nobody checked; the snapshot's
                    // entry is committed, so every leader has it with the snapshot's term.
                    rejections.reject(leaderId, "AppendEntries entry " + index + " has term " + entryTerm +
                        ", the snapshot's entry there term " + log.termAt(baseIndex));
                    return;
                }
                continue;
            }
            if (index <= log.lastIndex())
            {
                final long localTerm = log.termAt(index);
                if (localTerm == entryTerm)
                {
                    // Log matching (§5.3): same index and term means the same entry; never delete it, since this
                    // request may be older than one that already appended more.
                    continue;
                }
                if (index <= commit.commitIndex())
                {
                    throw new RaftSafetyException("conflict at committed index " + index + ": local term " +
                        localTerm + ", leader " + leaderId + " term " + entryTerm + " (commitIndex=" +
                        commit.commitIndex() + ")");
                }
                log.truncateAfter(index - 1);
            }
            log.appendReplicated(entryTerm, entries.timestamp(), entries.buffer(), entries.offset(), entries.length());
        }

        // Only entries verified against this leader may be marked committed: a longer local log may hold
        // entries of an old term after index that the leader will still overwrite.
        final long matchIndex = index;
        final long newCommitIndex = Math.min(leaderCommit, matchIndex);
        commit.advanceCommitIndex(newCommitIndex);
        outbox.appendEntriesResponse(
            leaderId, log.currentTerm(), prevLogIndex, true, matchIndex, 0, 0, log.lastIndex());
    }

    private void rejectEntry(final int leaderId, final long index, final long entryTerm, final long previousTerm)
    {
        rejections.reject(leaderId, "AppendEntries entry " + index + " has term " + entryTerm + " after term " +
            previousTerm + " in term " + log.currentTerm());
    }

    private void reject(final int leaderId, final long prevLogIndex, final long conflictIndex, final long conflictTerm)
    {
        outbox.appendEntriesResponse(
            leaderId, log.currentTerm(), prevLogIndex, false, 0, conflictIndex, conflictTerm, log.lastIndex());
    }

    /**
     * @return the first index at or below {@code upTo} holding {@code term}; only indices above the commit index
     * can conflict, so the search starts there.
     */
    private long firstIndexOfTerm(final long term, final long upTo)
    {
        long low = Math.max(log.baseIndex() + 1, commit.commitIndex() + 1);
        long high = upTo;
        if (low > high)
        {
            return upTo;
        }
        while (low < high)
        {
            final long mid = low + ((high - low) >> 1);
            if (log.termAt(mid) >= term)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }
        return low;
    }
}
