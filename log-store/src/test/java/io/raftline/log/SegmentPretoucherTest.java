package io.raftline.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentPretoucherTest
{
    private static final long AHEAD_LENGTH = 16 * 1024;
    private static final long SEGMENT_LENGTH = 64 * 1024;

    @TempDir
    Path dir;

    /**
     * The pretoucher acts on a segment the appender published earlier; compaction may have deleted the next segment
     * just after this thread had it made ahead, or the segment itself, by the time this thread opens them (crash
     * test, seed 20261122: the pretoucher stopped on a NoSuchFileException in prepareNext). Neither is a failure: it
     * goes on with the appender's next segment.
     */
    @Test
    void shouldGoOnWhenCompactionDeletedTheFilesItWasAbout() throws IOException
    {
        final AtomicInteger created = new AtomicInteger();
        final Path live = createFile("live.cq4");
        final Path later = createFile("later.cq4");
        try (SegmentPretoucher pretoucher = new SegmentPretoucher(dir, AHEAD_LENGTH, SEGMENT_LENGTH, (cycle) ->
        {
            created.incrementAndGet();
            return dir.resolve("deleted-after-creation-" + cycle + ".cq4");
        }))
        {
            // Near the end of its segment (nothing left to touch there), so the next segment is due at once.
            pretoucher.segment(live, 5, SEGMENT_LENGTH - 1024);
            await(() -> created.get() >= 1 || null != pretoucher.failure(), "the next segment was never asked for");
            assertNull(pretoucher.failure(), "the pretoucher stopped on a next segment compaction deleted");

            pretoucher.segment(dir.resolve("compacted.cq4"), 6, SEGMENT_LENGTH - 1024);
            await(() -> created.get() >= 2 || null != pretoucher.failure(), "the next segment was never asked for");
            assertNull(pretoucher.failure(), "the pretoucher stopped on a segment compaction deleted");

            pretoucher.segment(later, 7, 0);
            await(() -> pretoucher.touchedPages() > 0 || null != pretoucher.failure(),
                "the later segment was never touched");
            assertNull(pretoucher.failure());
            assertEquals(0, pretoucher.preparedSegments());
        }
    }

    /**
     * A compacted cycle comes back from the creation as null: nothing was made, nothing to touch.
     */
    @Test
    void shouldSkipANextSegmentAlreadyCompactedAway() throws IOException
    {
        final AtomicInteger asked = new AtomicInteger();
        final Path live = createFile("live.cq4");
        try (SegmentPretoucher pretoucher = new SegmentPretoucher(dir, AHEAD_LENGTH, SEGMENT_LENGTH, (cycle) ->
        {
            asked.incrementAndGet();
            return null;
        }))
        {
            pretoucher.segment(live, 5, SEGMENT_LENGTH - 1024);
            await(() -> asked.get() > 0 || null != pretoucher.failure(), "the next segment was never asked for");
            assertNull(pretoucher.failure());
            assertEquals(0, pretoucher.preparedSegments());
        }
    }

    /**
     * The pretoucher runs on a core a spinning agent needs (two cores, two spinners): it touches a step of at most
     * {@link SegmentPretoucher#STEP_PAGES} pages and pauses, in the segment being written and in the next one alike.
     * Before, one pass touched everything from the appender to the distance ahead (here 1,023 pages, and the next
     * segment's 1,024 in another), which held the core for milliseconds at the default 32 MiB.
     */
    @Test
    void shouldTouchAStepAtATime() throws IOException
    {
        final long ahead = 4L * 1024 * 1024;
        final long segment = 16L * 1024 * 1024;
        final Path live = createFile("live.cq4", segment);
        final Path next = createFile("next.cq4", segment);
        try (SegmentPretoucher pretoucher = new SegmentPretoucher(dir, ahead, segment, (cycle) -> next))
        {
            pretoucher.segment(live, 1, 0);
            await(() -> pretoucher.touchedPages() >= ahead / 4096 - 1 || null != pretoucher.failure(),
                "the pages ahead of the appender were never touched");
            assertNull(pretoucher.failure());
            final long longestStep = pretoucher.longestStepPages();
            assertTrue(longestStep > 0 && longestStep <= SegmentPretoucher.STEP_PAGES, "longest step " + longestStep);

            // Near the end: the next segment's head is made and touched, in steps too.
            pretoucher.position(segment - ahead);
            await(() -> pretoucher.preparedSegments() == 1 || null != pretoucher.failure(),
                "the next segment was never prepared");
            assertNull(pretoucher.failure());
            assertTrue(pretoucher.touchedPages() >= 2 * (ahead / 4096) - 1, "pages " + pretoucher.touchedPages());
            assertTrue(pretoucher.longestStepPages() <= SegmentPretoucher.STEP_PAGES,
                "longest step " + pretoucher.longestStepPages());
        }
    }

    /**
     * The appender may already be within reach of its segment's end when the pretoucher first sees the segment (a
     * fast start, a busy core). The next segment is then started before the current one is first mapped, and mapping
     * the current one must not close the next one's head: it did, and the next segment was never prepared (seen as
     * a timeout in {@code ChronicleRaftLogTest} once the start moved ahead of the touching).
     */
    @Test
    void shouldPrepareTheNextSegmentWhenTheAppenderIsNearTheEndAtFirstSight() throws IOException
    {
        final long ahead = 1024L * 1024;
        final long segment = 4L * 1024 * 1024;
        final Path live = createFile("live.cq4", segment);
        final Path next = createFile("next.cq4", segment);
        try (SegmentPretoucher pretoucher = new SegmentPretoucher(dir, ahead, segment, (cycle) -> next))
        {
            pretoucher.segment(live, 1, segment - ahead / 2);
            await(() -> pretoucher.preparedSegments() == 1 || null != pretoucher.failure(),
                "the next segment was never prepared");
            assertNull(pretoucher.failure());
        }
    }

    private Path createFile(final String name) throws IOException
    {
        return createFile(name, SEGMENT_LENGTH);
    }

    private Path createFile(final String name, final long length) throws IOException
    {
        final Path file = dir.resolve(name);
        try (RandomAccessFile channel = new RandomAccessFile(file.toFile(), "rw"))
        {
            channel.setLength(length);
        }
        return file;
    }

    private static void await(final BooleanSupplier condition, final String message)
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadlineNs)
        {
            Thread.yield();
        }
        assertTrue(condition.getAsBoolean(), message);
    }
}
