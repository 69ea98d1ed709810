package io.raftline.log;

import net.openhft.chronicle.core.io.ReferenceOwner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

/**
 * The journal's segments in cycle order, oldest first: forces the dirty ones to disk, deletes the oldest after
 * compaction, releases their mappings on close.
 * <p>
 * Owned by the log's thread, with one exception: the pretoucher's thread creates the next segment ahead of the
 * appender through {@link #createAhead(int, SegmentPretoucher.NextSegment)}. That thread acts on a cycle it read
 * earlier and may run late by several segments on a loaded machine; creating a cycle that compaction has already
 * deleted would leave an empty, untracked file in front of the journal, and every later open would find the cycles
 * after it missing. Creation ahead and deletion therefore exclude each other, and no cycle below the oldest kept
 * one is ever created.
 */
final class LogSegments
{
    private final Path directory;
    private final ReferenceOwner owner;
    private final ArrayList<Segment> segments = new ArrayList<>();
    private final Object filesLock = new Object();
    private int deletedBelowCycle = Integer.MIN_VALUE;
    private boolean isDirectoryDirty;

    LogSegments(final Path directory, final ReferenceOwner owner)
    {
        this.directory = directory;
        this.owner = owner;
    }

    ReferenceOwner owner()
    {
        return owner;
    }

    /**
     * Add the newest segment.
     *
     * @param cycle     of the segment, above every cycle held.
     * @param file      of the segment.
     * @param isCreated whether the file was just created, so the directory must be forced too.
     * @return the segment.
     */
    Segment add(final int cycle, final Path file, final boolean isCreated)
    {
        final Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        if (null != last && cycle <= last.cycle())
        {
            throw new IllegalStateException("segment cycle " + cycle + " is not after " + last.cycle());
        }
        final Segment segment = new Segment(cycle, file);
        segments.add(segment);
        isDirectoryDirty |= isCreated;
        return segment;
    }

    /**
     * @param address of a record in mapped memory.
     * @return the cycle of the segment holding it, or {@link Integer#MIN_VALUE} if none does.
     */
    int cycleOf(final long address)
    {
        for (int i = segments.size() - 1; i >= 0; i--)
        {
            final Segment segment = segments.get(i);
            if (segment.contains(address))
            {
                return segment.cycle();
            }
        }
        return Integer.MIN_VALUE;
    }

    /**
     * @return the oldest cycle held, or {@link Integer#MAX_VALUE} when there is none.
     */
    int firstCycle()
    {
        return segments.isEmpty() ? Integer.MAX_VALUE : segments.get(0).cycle();
    }

    int size()
    {
        return segments.size();
    }

    /**
     * Force every dirty segment, then the directory if a segment was created or deleted since the last time.
     */
    void forceDirty()
    {
        try
        {
            // Indexed loop: no iterator allocated on the sync path.
            for (int i = 0, size = segments.size(); i < size; i++)
            {
                final Segment segment = segments.get(i);
                if (segment.isDirty())
                {
                    segment.force();
                }
            }
            if (isDirectoryDirty)
            {
                FileSync.forceDirectory(directory);
                isDirectoryDirty = false;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to force the log to disk in " + directory, ex);
        }
    }

    /**
     * Create a segment ahead of the appender, unless compaction has already deleted its cycle. Called from the
     * pretoucher's thread.
     *
     * @param cycle  to create, the successor of a cycle the appender wrote at some point.
     * @param create makes the file.
     * @return the file, or null if the cycle is below the oldest one kept: the appender is past it.
     */
    Path createAhead(final int cycle, final SegmentPretoucher.NextSegment create)
    {
        synchronized (filesLock)
        {
            return cycle < deletedBelowCycle ? null : create.create(cycle);
        }
    }

    /**
     * Takes a compacted segment's file away on another thread.
     */
    interface Deleter
    {
        /**
         * Taken: it deletes the segment, after the ones handed over before it.
         */
        int TAKEN = 0;
        /**
         * Not taken now (its queue is full, or it is stopping): the segment stays in the journal for the next
         * compaction.
         */
        int FULL = 1;
        /**
         * Not taken ever (its thread is gone, and everything handed over before is deleted): delete it here.
         */
        int GONE = 2;

        /**
         * @param segment the oldest in the journal, to release and delete with {@link LogSegments#delete(Segment)}.
         * @return {@link #TAKEN}, {@link #FULL} or {@link #GONE}.
         */
        int deleteLater(Segment segment);
    }

    /**
     * Take every segment older than a cycle out of the journal and delete its file, oldest first (so that a crash
     * midway leaves a contiguous run). Waits for a creation ahead that is under way (one file, rare: only when
     * compaction meets the pretoucher's moment).
     * <p>
     * With a deleter, the files go on its thread, in the same order: unmapping a segment and freeing its pages
     * takes milliseconds (measured: 4.6 ms for a 64 MiB segment on tmpfs), which a member's thread should not pay.
     * A file that outlives a crash is a compacted segment before the journal's anchor: the next open replays past
     * it and the next compaction deletes it, as after a crash in the middle of a deletion here. When the deleter
     * cannot take one now, it and the newer ones stay in the journal until the next compaction: deleting a newer
     * file here while older ones wait on the deleter's thread would let a crash leave a gap in the journal (seen in
     * the crash test with 64 KiB segments: a missing cycle between kept ones, which the next open refuses).
     *
     * @param cycle   the oldest cycle to keep.
     * @param deleter to delete on, or null to delete here.
     * @return how many segment files were deleted here (not handed to the deleter): Chronicle's directory listing
     * needs a refresh for them.
     */
    int deleteBelow(final int cycle, final Deleter deleter)
    {
        int deletedHere = 0;
        synchronized (filesLock)
        {
            // Raised before any file goes, so that a late creation ahead sees it.
            deletedBelowCycle = Math.max(deletedBelowCycle, cycle);
            while (!segments.isEmpty() && segments.get(0).cycle() < cycle)
            {
                final Segment segment = segments.get(0);
                final int taken = null == deleter ? Deleter.GONE : deleter.deleteLater(segment);
                if (Deleter.FULL == taken)
                {
                    break;
                }
                segments.remove(0);
                if (Deleter.GONE == taken)
                {
                    delete(segment);
                    deletedHere++;
                }
                isDirectoryDirty = true;
            }
        }
        return deletedHere;
    }

    /**
     * Release a segment taken out of the journal and delete its file.
     *
     * @param segment no longer in the journal.
     */
    void delete(final Segment segment)
    {
        segment.release(owner);
        try
        {
            Files.deleteIfExists(segment.file());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to delete compacted segment " + segment.file(), ex);
        }
    }

    /**
     * Release every segment's mappings.
     */
    void close()
    {
        for (int i = 0, size = segments.size(); i < size; i++)
        {
            segments.get(i).release(owner);
        }
        segments.clear();
    }
}
