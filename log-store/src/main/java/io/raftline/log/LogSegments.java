package io.raftline.log;

import net.openhft.chronicle.core.io.ReferenceOwner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The journal's segments in cycle order, oldest first: forces the dirty ones to disk, deletes the oldest after
 * compaction, releases their mappings on close.
 */
final class LogSegments
{
    private final Path directory;
    private final ReferenceOwner owner;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
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
        final Segment last = segments.peekLast();
        if (null != last && cycle <= last.cycle())
        {
            throw new IllegalStateException("segment cycle " + cycle + " is not after " + last.cycle());
        }
        final Segment segment = new Segment(cycle, file);
        segments.addLast(segment);
        isDirectoryDirty |= isCreated;
        return segment;
    }

    /**
     * @param cycle of a segment.
     * @return the segment, or null.
     */
    Segment find(final int cycle)
    {
        final Iterator<Segment> iterator = segments.descendingIterator();
        while (iterator.hasNext())
        {
            final Segment segment = iterator.next();
            if (segment.cycle() == cycle)
            {
                return segment;
            }
        }
        return null;
    }

    /**
     * @return the oldest cycle held, or {@link Integer#MAX_VALUE} when there is none.
     */
    int firstCycle()
    {
        final Segment first = segments.peekFirst();
        return null == first ? Integer.MAX_VALUE : first.cycle();
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
            for (final Segment segment : segments)
            {
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
     * Delete every segment older than a cycle, oldest first (so that a crash midway leaves a contiguous run).
     *
     * @param cycle the oldest cycle to keep.
     * @return how many segments were deleted.
     */
    int deleteBelow(final int cycle)
    {
        int deleted = 0;
        while (!segments.isEmpty() && segments.peekFirst().cycle() < cycle)
        {
            final Segment segment = segments.pollFirst();
            segment.release(owner);
            try
            {
                Files.deleteIfExists(segment.file());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("failed to delete compacted segment " + segment.file(), ex);
            }
            isDirectoryDirty = true;
            deleted++;
        }
        return deleted;
    }

    /**
     * Release every segment's mappings.
     */
    void close()
    {
        for (final Segment segment : segments)
        {
            segment.release(owner);
        }
        segments.clear();
    }
}
