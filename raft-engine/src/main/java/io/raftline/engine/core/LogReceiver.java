package io.raftline.engine.core;

import io.raftline.log.RaftLog;

/**
 * The follower's side of log replication (§5.3): the consistency check, deletion of a conflicting suffix (never
 * of a matching entry), appending, and the commit index a leader may tell it.
 */
final class LogReceiver
{
    private final RaftNode node;

    LogReceiver(final RaftNode node)
    {
        this.node = node;
    }

    void onAppendEntries(
        final int leaderId,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final EntryBatch entries)
    {
        final RaftLog log = node.log;
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
                if (prevLogIndex <= node.commitIndex)
                {
                    throw new RaftSafetyException("leader " + leaderId + " of term " + node.currentTerm +
                        " disagrees on committed index " + prevLogIndex + ": local term " + localTerm +
                        ", leader term " + prevLogTerm + " (commitIndex=" + node.commitIndex + ")");
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
            if (entryTerm < previousTerm || entryTerm > node.currentTerm)
            {
                // Terms along a log never decrease and never exceed the leader's: a malformed request. What was
                // appended so far is a valid prefix; answer nothing for the rest.
                node.countRejected(leaderId, "AppendEntries entry " + index + " has term " + entryTerm +
                    " after term " + previousTerm + " in term " + node.currentTerm);
                return;
            }
            previousTerm = entryTerm;
            if (index <= baseIndex)
            {
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
                if (index <= node.commitIndex)
                {
                    throw new RaftSafetyException("conflict at committed index " + index + ": local term " +
                        localTerm + ", leader " + leaderId + " term " + entryTerm + " (commitIndex=" +
                        node.commitIndex + ")");
                }
                node.isPersistPending = true;
                log.truncateAfter(index - 1);
                node.persistedIndex = Math.min(node.persistedIndex, index - 1);
            }
            node.isPersistPending = true;
            log.append(entryTerm, entries.buffer(), entries.offset(), entries.length());
        }

        // Only entries verified against this leader may be marked committed: a longer local log may hold
        // entries of an old term after index that the leader will still overwrite.
        final long matchIndex = index;
        final long newCommitIndex = Math.min(leaderCommit, matchIndex);
        node.advanceCommitIndex(newCommitIndex);
        node.outbox.appendEntriesResponse(
            leaderId, node.currentTerm, prevLogIndex, true, matchIndex, 0, 0, log.lastIndex());
    }

    private void reject(final int leaderId, final long prevLogIndex, final long conflictIndex, final long conflictTerm)
    {
        node.outbox.appendEntriesResponse(
            leaderId,
            node.currentTerm,
            prevLogIndex,
            false,
            0,
            conflictIndex,
            conflictTerm,
            node.log.lastIndex());
    }

    /**
     * @return the first index at or below {@code upTo} holding {@code term}; only indices above the commit index
     * can conflict, so the search starts there.
     */
    private long firstIndexOfTerm(final long term, final long upTo)
    {
        final RaftLog log = node.log;
        long low = Math.max(log.baseIndex() + 1, node.commitIndex + 1);
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
