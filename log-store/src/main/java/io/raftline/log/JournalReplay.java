package io.raftline.log;

/**
 * Rebuilds the log's state (base, base term, entry index) by applying the journal's records in order, and says
 * which record makes no sense.
 * <p>
 * Record meanings: an entry is appended at {@code lastIndex + 1}; {@code LogTruncate(k)} voids every entry above
 * {@code k} ({@code k} below the base voids them all); {@code LogBase(b, t)} drops the entries up to {@code b} and
 * makes {@code (b, t)} the base (a compaction when entries above {@code b} remain, a reset when the log held none).
 * <p>
 * Compaction deletes whole segment files from the front, so the oldest retained file may start in the middle of
 * the log's history, with entries whose predecessors are gone. The replay therefore starts <em>unanchored</em>:
 * it keeps a window of consecutive entries whose base is unknown, and anchors at the first {@code LogBase} that
 * covers the window's start. A base marker seen before any entry becomes the anchor only once the window turns out
 * to start right after it, because entries above it may lie in deleted segments until a later marker compacts them.
 * Every journal holds such a marker: a new log begins with {@code LogBase(0, 0)}, and segments are deleted only
 * after the {@code LogBase} of the compaction that frees them (written in the newest segment). A replay that ends
 * unanchored means files are missing.
 */
final class JournalReplay
{
    private final EntryIndex entries;
    private boolean isAnchored;
    private boolean hasStarted;
    private boolean isWindowKnown;
    private boolean hasCandidate;
    private long candidateIndex;
    private long candidateTerm;
    private long baseIndex;
    private long baseTerm;

    JournalReplay(final EntryIndex entries)
    {
        this.entries = entries;
        entries.reset(1);
    }

    boolean isAnchored()
    {
        return isAnchored;
    }

    /**
     * @return whether any record was applied.
     */
    boolean hasStarted()
    {
        return hasStarted;
    }

    long baseIndex()
    {
        return baseIndex;
    }

    long baseTerm()
    {
        return baseTerm;
    }

    long lastIndex()
    {
        return entries.nextIndex() - 1;
    }

    /**
     * Apply an entry record.
     *
     * @return null, or why the entry cannot follow what came before.
     */
    String onEntry(final long index, final long term, final long recordAddress)
    {
        hasStarted = true;
        if (!isWindowKnown)
        {
            isWindowKnown = true;
            entries.reset(index);
        }
        if (index != entries.nextIndex())
        {
            return "entry index " + index + " where " + entries.nextIndex() + " was expected";
        }
        final long lastTerm = entries.count() > 0 ? entries.term(index - 1) : (isAnchored ? baseTerm : 0);
        if (term < lastTerm)
        {
            return "entry " + index + " has term " + term + " below the previous term " + lastTerm;
        }
        entries.add(recordAddress);
        tryAnchor();
        return null;
    }

    /**
     * Apply a truncation marker.
     */
    void onTruncate(final long lastKeptIndex)
    {
        hasStarted = true;
        if (isAnchored)
        {
            entries.truncateAfter(Math.max(lastKeptIndex, baseIndex));
        }
        else if (!isWindowKnown || lastKeptIndex < entries.firstIndex() - 1)
        {
            // The log really ends at lastKeptIndex (no-op truncations are never written): restart the window there.
            isWindowKnown = true;
            entries.reset(lastKeptIndex + 1);
        }
        else
        {
            entries.truncateAfter(lastKeptIndex);
        }
        tryAnchor();
    }

    /**
     * Apply a base marker.
     *
     * @return null, or why the marker cannot follow what came before.
     */
    String onBase(final long index, final long term)
    {
        hasStarted = true;
        if (isAnchored)
        {
            if (index < baseIndex && entries.count() > 0)
            {
                return "base marker " + index + " below base " + baseIndex + " while entries remain";
            }
            anchor(index, term);
        }
        else
        {
            // Entries above this base may sit in deleted segments until a later marker compacts them: only anchor
            // once the known window starts right after the base (or below it).
            hasCandidate = true;
            candidateIndex = index;
            candidateTerm = term;
            tryAnchor();
        }
        return null;
    }

    /**
     * End of the journal: a base marker with no record after it anchors the log even without a window, since
     * segments holding live entries are never deleted.
     */
    void finish()
    {
        if (!isAnchored && hasCandidate && !isWindowKnown)
        {
            anchor(candidateIndex, candidateTerm);
        }
    }

    private void tryAnchor()
    {
        if (!isAnchored && hasCandidate && isWindowKnown && candidateIndex >= entries.firstIndex() - 1)
        {
            anchor(candidateIndex, candidateTerm);
        }
    }

    private void anchor(final long index, final long term)
    {
        if (index < entries.firstIndex() - 1 || entries.count() == 0)
        {
            entries.reset(index + 1);
        }
        else
        {
            entries.dropUpTo(index);
        }
        isAnchored = true;
        isWindowKnown = true;
        baseIndex = index;
        baseTerm = term;
    }
}
