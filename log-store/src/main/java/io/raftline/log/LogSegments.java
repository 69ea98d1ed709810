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
 */
final class LogSegments
{
    private final Path directory;
    private final ReferenceOwner owner;
    private final ArrayList<Segment> segments = new ArrayList<>();
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
     * Delete every segment older than a cycle, oldest first (so that a crash midway leaves a contiguous run).
     *
     * @param cycle the oldest cycle to keep.
     * @return how many segments were deleted.
     */
    int deleteBelow(final int cycle)
    {
        int deleted = 0;
        while (!segments.isEmpty() && segments.get(0).cycle() < cycle)
        {
            final Segment segment = segments.remove(0);
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
        for (int i = 0, size = segments.size(); i < size; i++)
        {
            segments.get(i).release(owner);
        }
        segments.clear();
    }
}
