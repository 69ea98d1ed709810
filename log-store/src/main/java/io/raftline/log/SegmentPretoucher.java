package io.raftline.log;

import org.agrona.IoUtil;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Touches the pages of the segment being written a little ahead of the appender, on a background thread.
 * <p>
 * Why: the first write to a page of a fresh (sparse) file through a mapping costs a page fault that zero-fills the
 * page, and the kernel's read-ahead does this for several MiB at once. Measured on this machine, writing a fresh
 * mapped file runs at about 300 MB/s with single stalls of 25 ms; after the pages were touched by another thread it
 * runs at about 1.2 GB/s with a worst write of 0.1 ms. Without this, a member appending at full speed spends a third of
 * its duty cycle in the kernel and stalls for 20 ms every 8 MiB of log.
 * <p>
 * How: the pretoucher maps the segment file itself and, for each page between the appender's position and
 * {@code aheadLength} bytes beyond it, performs a compare-and-set of the page's first int from 0 to 0. The CAS
 * cannot change data: it writes only where the word is zero, and writes zero. It never maps or touches beyond the
 * file's current size, so it never changes the file's length.
 * <p>
 * It touches at most {@link #STEP_PAGES} pages at a time and pauses between two steps, so that on a machine with as
 * many spinning threads as cores (the thread runs on a spinner's core) a spinner waits for one short step at a time.
 * <p>
 * The appender publishes its segment and position with ordered stores; nothing here blocks the appender. If the
 * pretoucher fails (for example the file disappeared), it logs once and stops; the log goes on without it.
 * <p>
 * The next segment: when the appender comes within {@code aheadLength} of the end of its segment, the pretoucher
 * has Chronicle create the next cycle's file ({@link NextSegment}) and touches its first pages, so that the roll
 * finds a ready file instead of creating one and faulting in its first megabytes on the agent thread (measured: the
 * append that rolled took 25-37 ms). A file made ahead and never written (the process stopped first) is an empty
 * segment, which recovery accepts. This thread may act on a cycle it read long ago (the appender and compaction
 * may be several segments further): the creation refuses a cycle compaction deleted, and a file that compaction
 * deletes under this thread is skipped, not a failure.
 */
final class SegmentPretoucher implements Runnable, AutoCloseable, LogSegments.Deleter
{
    private static final Logger LOGGER = LoggerFactory.getLogger(SegmentPretoucher.class);
    private static final int PAGE_LENGTH = 4096;
    private static final long WINDOW_LENGTH = 64L * 1024 * 1024;
    private static final long IDLE_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long FAR_AHEAD_IDLE_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * Most pages touched in one step, before the thread pauses: on a machine with as many spinning threads as cores
     * this thread runs on a spinner's core, and a spinner waits for as long as a step runs (a step of 64 pages is tens
     * of microseconds; touching the 8,192 pages of 32 MiB at once kept a core for milliseconds).
     */
    static final int STEP_PAGES = 64;

    /**
     * Pause between two steps, to hand the core back (the kernel's timer slack makes it about 60 µs). 256 KiB per
     * step and pause is still gigabytes a second, far ahead of any appender.
     */
    private static final long STEP_PAUSE_NS = TimeUnit.MICROSECONDS.toNanos(10);

    /**
     * Creates the file of a cycle the way Chronicle would when rolling to it.
     */
    @FunctionalInterface
    interface NextSegment
    {
        /**
         * @param cycle to create.
         * @return the file, created if absent; or null when the cycle is not the successor of the one being
         * written (already compacted away, the appender is past it, or it is further ahead), in which case nothing is
         * created.
         */
        Path create(int cycle);
    }

    /**
     * Compacted segments waiting for this thread to delete them; a compaction that finds the queue full leaves the
     * rest in the journal for the next one (see {@link LogSegments#deleteBelow(int, LogSegments.Deleter)}).
     */
    private static final int DELETIONS_CAPACITY = 64;

    private final long aheadLength;
    private final long segmentLength;
    private NextSegment nextSegment;
    private final LogSegments deleteFrom;
    private final Runnable afterDeleting;
    private final ManyToOneConcurrentArrayQueue<Segment> deletions =
        new ManyToOneConcurrentArrayQueue<>(DELETIONS_CAPACITY);
    private volatile long deletedSegments;
    private final Thread thread;
    private final UnsafeBuffer window = new UnsafeBuffer(0, 0);
    private volatile Path segmentFile;
    private volatile int segmentCycle;
    private volatile long position;
    private volatile long preparedSegments;
    private volatile boolean isRunning = true;
    private volatile long touchedPages;
    private volatile long longestStepPages;
    private volatile Throwable failure;

    private Path mappedFile;
    private FileChannel channel;
    private MappedByteBuffer mapped;
    private long windowStart;
    private long windowEnd;
    private long touchedTo;
    private long idleNs = IDLE_NS;
    private int preparedCycle = Integer.MIN_VALUE;

    // The next segment's head while it is being touched, a step at a time.
    private FileChannel nextChannel;
    private MappedByteBuffer nextMapped;
    private final UnsafeBuffer nextPages = new UnsafeBuffer(0, 0);
    private long nextLength;
    private long nextTouchedTo;

    SegmentPretoucher(final Path logDirectory, final long aheadLength)
    {
        this(logDirectory, aheadLength, Long.MAX_VALUE, null);
    }

    /**
     * @param logDirectory  of the log, for the thread's name.
     * @param aheadLength   bytes to touch ahead of the appender.
     * @param segmentLength at which the appender rolls to the next segment.
     * @param nextSegment   creates the next segment's file ahead of the roll, or null not to.
     */
    SegmentPretoucher(
        final Path logDirectory, final long aheadLength, final long segmentLength, final NextSegment nextSegment)
    {
        this(logDirectory, aheadLength, segmentLength, nextSegment, null, null);
    }

    /**
     * @param logDirectory  of the log, for the thread's name.
     * @param aheadLength   bytes to touch ahead of the appender.
     * @param segmentLength at which the appender rolls to the next segment.
     * @param nextSegment   creates the next segment's file ahead of the roll, or null not to.
     * @param deleteFrom    the journal's segments, whose compacted ones this thread deletes
     *                      ({@link #deleteLater(Segment)}), or null to take none.
     * @param afterDeleting run after the deletions at hand are done (Chronicle's directory listing is refreshed), or
     *                      null.
     */
    SegmentPretoucher(
        final Path logDirectory,
        final long aheadLength,
        final long segmentLength,
        final NextSegment nextSegment,
        final LogSegments deleteFrom,
        final Runnable afterDeleting)
    {
        this.deleteFrom = deleteFrom;
        this.afterDeleting = afterDeleting;
        this.aheadLength = aheadLength;
        this.segmentLength = segmentLength;
        // With segments hardly longer than the distance touched ahead (tests use kilobytes), every segment would
        // have an empty successor made at once: not worth a file.
        this.nextSegment = aheadLength <= segmentLength / 2 ? nextSegment : null;
        thread = new Thread(this, "raftline-log-pretouch-" + logDirectory.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Called by the appender when it starts writing another segment file.
     *
     * @param file     being written.
     * @param cycle    of the file.
     * @param position in the file of the next write.
     */
    void segment(final Path file, final int cycle, final long position)
    {
        this.position = position;
        this.segmentCycle = cycle;
        this.segmentFile = file;
    }

    /**
     * Called by the appender after a write.
     *
     * @param position in the file of the next write.
     */
    void position(final long position)
    {
        this.position = position;
    }

    /**
     * Delete a compacted segment on this thread, after the ones handed over before it.
     *
     * @param segment the oldest in the journal.
     * @return {@link LogSegments.Deleter#TAKEN}; {@link LogSegments.Deleter#FULL} while the queue is full or the
     * thread is stopping; {@link LogSegments.Deleter#GONE} once the thread has ended (what it left is deleted here
     * first, so the caller's deletion comes after the older ones).
     */
    public int deleteLater(final Segment segment)
    {
        if (null == deleteFrom)
        {
            return GONE;
        }
        if (!thread.isAlive())
        {
            deleteAll();
            return GONE;
        }
        if (!isRunning || null != failure)
        {
            return FULL;
        }
        return deletions.offer(segment) ? TAKEN : FULL;
    }

    /**
     * @return compacted segments this thread has deleted so far.
     */
    long deletedSegments()
    {
        return deletedSegments;
    }

    /**
     * @return next segments created ahead of the appender so far.
     */
    long preparedSegments()
    {
        return preparedSegments;
    }

    /**
     * @return pages touched so far.
     */
    long touchedPages()
    {
        return touchedPages;
    }

    /**
     * @return the most pages touched in one step, between two pauses.
     */
    long longestStepPages()
    {
        return longestStepPages;
    }

    /**
     * @return why the pretoucher stopped, or null while it works.
     */
    Throwable failure()
    {
        return failure;
    }

    /**
     * {@inheritDoc}
     */
    public void run()
    {
        try
        {
            while (isRunning)
            {
                // The next segment is started first once the appender is within reach of its end: a late start
                // leaves the roll to the appender's thread, a late page only a fault.
                if (deleteSome() || startNext() || touchSome() || touchNext())
                {
                    // A step at a time, so that a spinning agent on this core waits for one step, not for all.
                    LockSupport.parkNanos(STEP_PAUSE_NS);
                }
                else
                {
                    // Each wake-up takes a core from a spinning agent on a small machine: sleep long while far ahead.
                    LockSupport.parkNanos(idleNs);
                }
            }
        }
        catch (final Throwable ex)
        {
            failure = ex;
            if (isRunning)
            {
                LOGGER.warn("log pretoucher stopped; appends continue without it: file={}", mappedFile, ex);
            }
        }
        finally
        {
            unmap();
            deleteAll();
        }
    }

    /**
     * Stop the thread and release its mapping.
     */
    public void close()
    {
        isRunning = false;
        LockSupport.unpark(thread);
        boolean isInterrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ignore)
            {
                isInterrupted = true;
            }
        }
        if (isInterrupted)
        {
            Thread.currentThread().interrupt();
        }
        // Handed over after the thread's last look: the log is closing, so they go on the closing thread.
        deleteAll();
    }

    /**
     * Delete one compacted segment, a step like any other: unmapping and freeing a large segment is the longest
     * single thing this thread does.
     *
     * @return whether there was one.
     */
    private boolean deleteSome()
    {
        final Segment segment = deletions.poll();
        if (null == segment)
        {
            return false;
        }
        delete(segment);
        if (deletions.isEmpty() && null != afterDeleting)
        {
            afterDeleting.run();
        }
        return true;
    }

    private void deleteAll()
    {
        boolean isAny = false;
        Segment segment;
        while (null != (segment = deletions.poll()))
        {
            delete(segment);
            isAny = true;
        }
        if (isAny && null != afterDeleting)
        {
            afterDeleting.run();
        }
    }

    private void delete(final Segment segment)
    {
        try
        {
            deleteFrom.delete(segment);
        }
        catch (final UncheckedIOException ex)
        {
            // Out of the journal already: the file is a compacted segment before its anchor, which the next open
            // replays past, as after a crash in the middle of a compaction.
            LOGGER.warn("cannot delete a compacted log segment: {}", segment.file(), ex);
        }
        deletedSegments++;
    }

    private boolean touchSome() throws IOException
    {
        final Path file = segmentFile;
        if (null == file)
        {
            return false;
        }
        if (!file.equals(mappedFile))
        {
            // Not the next segment's head: startNext() may have opened it before this thread first mapped the
            // current segment.
            unmapCurrent();
            mappedFile = file;
            touchedTo = 0;
            try
            {
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            catch (final NoSuchFileException ex)
            {
                // Compaction deleted it: the appender is segments further; wait for it to publish its segment.
                return false;
            }
        }
        if (null == channel)
        {
            return false;
        }

        final long writePosition = position;
        final long fileSize = channel.size() / PAGE_LENGTH * PAGE_LENGTH;
        final long from = Math.max(touchedTo, (writePosition / PAGE_LENGTH + 1) * PAGE_LENGTH);
        final long to = Math.min(Math.min(writePosition + aheadLength, fileSize), from + STEP_PAGES * PAGE_LENGTH);
        if (from >= to)
        {
            idleNs = touchedTo - writePosition > aheadLength / 2 ? FAR_AHEAD_IDLE_NS : IDLE_NS;
            return false;
        }

        long pageStart = from;
        while (pageStart < to && isRunning && file == segmentFile)
        {
            if (pageStart < windowStart || pageStart >= windowEnd)
            {
                mapWindow(pageStart, fileSize);
            }
            window.compareAndSetInt((int)(pageStart - windowStart), 0, 0);
            pageStart += PAGE_LENGTH;
        }
        onStep((pageStart - from) / PAGE_LENGTH);
        touchedTo = pageStart;
        return true;
    }

    private void onStep(final long pages)
    {
        touchedPages += pages;
        if (pages > longestStepPages)
        {
            longestStepPages = pages;
        }
    }

    /**
     * Start the next segment once the appender is within reach of its segment's end (once per segment); its first
     * pages are touched afterwards, a step per call of {@link #touchNext()}.
     *
     * @return whether there was work.
     */
    private boolean startNext() throws IOException
    {
        if (null != nextChannel)
        {
            return false;
        }
        final Path file = segmentFile;
        final int next = segmentCycle + 1;
        if (null == nextSegment || null == file || next == preparedCycle || position < segmentLength - aheadLength)
        {
            return false;
        }
        preparedCycle = next;
        final Path nextFile;
        try
        {
            nextFile = nextSegment.create(next);
        }
        catch (final RuntimeException ex)
        {
            // The appender creates the file itself when it rolls; only the head start is lost.
            LOGGER.warn("cannot create the next log segment ahead of the appender; not trying again", ex);
            nextSegment = null;
            return false;
        }
        if (null == nextFile)
        {
            // Already compacted away: this thread ran late and the appender is past that cycle.
            return true;
        }
        final FileChannel channel = openExisting(nextFile);
        if (null == channel)
        {
            return true;
        }
        final long length = Math.min(aheadLength, channel.size() / PAGE_LENGTH * PAGE_LENGTH);
        if (length <= 0)
        {
            channel.close();
            preparedSegments++;
            return true;
        }
        nextChannel = channel;
        nextMapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
        nextPages.wrap(nextMapped);
        nextLength = length;
        nextTouchedTo = 0;
        return true;
    }

    /**
     * One step of touching the next segment's head; done when it is all touched, or when the appender is already
     * writing that segment (then {@link #touchSome()} goes on with it).
     */
    private boolean touchNext()
    {
        if (null == nextChannel)
        {
            return false;
        }
        if (segmentCycle >= preparedCycle)
        {
            closeNext();
            return false;
        }
        final long to = Math.min(nextLength, nextTouchedTo + STEP_PAGES * PAGE_LENGTH);
        long page = nextTouchedTo;
        while (page < to && isRunning)
        {
            nextPages.compareAndSetInt((int)page, 0, 0);
            page += PAGE_LENGTH;
        }
        onStep((page - nextTouchedTo) / PAGE_LENGTH);
        nextTouchedTo = page;
        if (nextTouchedTo >= nextLength)
        {
            closeNext();
            preparedSegments++;
        }
        return true;
    }

    private void closeNext()
    {
        if (null != nextMapped)
        {
            nextPages.wrap(0, 0);
            IoUtil.unmap(nextMapped);
            nextMapped = null;
        }
        if (null != nextChannel)
        {
            try
            {
                nextChannel.close();
            }
            catch (final IOException ex)
            {
                LOGGER.debug("closing the next segment", ex);
            }
            nextChannel = null;
        }
    }

    /**
     * @return the open file, or null if compaction deleted it since (the appender rolled into it and past it).
     */
    private static FileChannel openExisting(final Path file) throws IOException
    {
        try
        {
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
    }

    private void mapWindow(final long start, final long fileSize) throws IOException
    {
        unmapWindow();
        // Never beyond the file's end: mapping READ_WRITE past it would grow the file.
        final long length = Math.min(WINDOW_LENGTH, fileSize - start);
        mapped = channel.map(FileChannel.MapMode.READ_WRITE, start, length);
        window.wrap(mapped);
        windowStart = start;
        windowEnd = start + length;
    }

    private void unmapWindow()
    {
        if (null != mapped)
        {
            window.wrap(0, 0);
            IoUtil.unmap(mapped);
            mapped = null;
        }
        windowStart = 0;
        windowEnd = 0;
    }

    private void unmap()
    {
        closeNext();
        unmapCurrent();
    }

    private void unmapCurrent()
    {
        unmapWindow();
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                LOGGER.debug("closing {}", mappedFile, ex);
            }
            channel = null;
        }
        mappedFile = null;
    }
}
