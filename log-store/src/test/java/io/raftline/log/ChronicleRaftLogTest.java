package io.raftline.log;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChronicleRaftLogTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[256]);
    private final LogEntryView view = new LogEntryView();

    @Test
    void shouldStartEmptyAndAnswerNullTermOutsideTheLog()
    {
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            assertEquals(0, log.baseIndex());
            assertEquals(0, log.baseTerm());
            assertEquals(0, log.lastIndex());
            assertEquals(0, log.lastTerm());
            assertEquals(0, log.termAt(0));
            assertEquals(RaftLog.NULL_TERM, log.termAt(1));
            assertEquals(RaftLog.NULL_TERM, log.termAt(-1));
            assertFalse(log.read(0, view));
            assertFalse(log.read(1, view));
        }
    }

    @Test
    void shouldAppendAndReadWithoutCopyingAndSurviveReopen()
    {
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            for (int i = 1; i <= 1000; i++)
            {
                payload.putInt(0, i);
                assertEquals(i, log.append(1 + i / 100, payload, 0, 4 + i % 50));
            }
            assertEquals(1001, log.append(11, payload, 0, 0));
            log.sync();
            assertTrue(log.read(500, view));
            assertEquals(500, view.index());
            assertEquals(6, view.term());
            assertEquals(500, view.buffer().getInt(view.offset()));
            assertEquals(4 + 500 % 50, view.length());
            assertNull(view.buffer().byteArray(), "a read must be a view over mapped memory, not a heap copy");
            assertTrue(log.read(1001, view));
            assertEquals(0, view.length());
        }
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            assertEquals(1001, log.lastIndex());
            assertEquals(11, log.lastTerm());
            for (int i = 1; i <= 1000; i++)
            {
                assertTrue(log.read(i, view));
                assertEquals(i, view.buffer().getInt(view.offset()));
                assertEquals(1 + i / 100, log.termAt(i));
            }
        }
    }

    @Test
    void shouldKeepEachEntrysTimestampAcrossReopenTruncationAndCompaction()
    {
        final long t0 = 1_764_547_200_000_000_000L;
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            for (int i = 1; i <= 300; i++)
            {
                payload.putInt(0, i);
                assertEquals(i, log.append(1, t0 + i * 1000L, payload, 0, 4));
            }
            log.truncateAfter(200);
            assertEquals(201, log.append(2, t0 + 7, payload, 0, 4));
            assertEquals(202, log.append(2, payload, 0, 4));
            log.compactTo(50);
            log.sync();
        }
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            for (int i = 51; i <= 200; i++)
            {
                assertTrue(log.read(i, view));
                assertEquals(t0 + i * 1000L, view.timestamp());
            }
            assertTrue(log.read(201, view));
            assertEquals(t0 + 7, view.timestamp());
            assertTrue(log.read(202, view));
            assertEquals(RaftLog.NO_TIMESTAMP, view.timestamp(), "an append without a timestamp is unstamped");
        }
    }

    @Test
    void shouldTruncateAConflictingSuffixAndReappend()
    {
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            appendRange(log, 1, 20, 1);
            log.truncateAfter(12);
            assertEquals(12, log.lastIndex());
            assertEquals(RaftLog.NULL_TERM, log.termAt(13));
            appendRange(log, 13, 15, 2);
            log.truncateAfter(100);
            assertEquals(15, log.lastIndex());
        }
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            assertEquals(15, log.lastIndex());
            assertEquals(1, log.termAt(12));
            assertEquals(2, log.termAt(13));
            assertTrue(log.read(14, view));
            assertEquals(2014, view.buffer().getInt(view.offset()));
        }
    }

    @Test
    void shouldCompactDeleteWholeSegmentsAndKeepTheBaseTermDurable() throws IOException
    {
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            appendRange(log, 1, 2000, 3);
            appendRange(log, 2001, 2500, 4);
            final int segmentsBefore = log.segmentCount();
            final long filesBefore = segmentFiles();
            log.compactTo(2100);
            assertEquals(2100, log.baseIndex());
            assertEquals(4, log.baseTerm());
            assertEquals(4, log.termAt(2100));
            assertEquals(RaftLog.NULL_TERM, log.termAt(2099));
            assertFalse(log.read(2100, view));
            assertTrue(log.segmentCount() < segmentsBefore, log.segmentCount() + " of " + segmentsBefore);
            awaitFewerFiles(log, filesBefore);
        }
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            assertEquals(2100, log.baseIndex());
            assertEquals(4, log.termAt(2100));
            assertEquals(2500, log.lastIndex());
            assertTrue(log.read(2101, view));
            assertEquals(4000 + 2101, view.buffer().getInt(view.offset()));
            log.compactTo(2500);
            assertEquals(2500, log.lastIndex());
            assertEquals(4, log.lastTerm());
        }
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            assertEquals(2500, log.baseIndex());
            assertEquals(2500, log.lastIndex());
            assertEquals(4, log.termAt(2500));
            assertEquals(2501, log.append(5, payload, 0, 8));
        }
    }

    /**
     * Deleting a compacted segment unmaps it and frees its pages: 4.6 ms for a 64 MiB segment on tmpfs, measured on
     * the member's thread. With the pretoucher running, its thread does it; without one (pretouchLength 0), the
     * compacting thread does, at once.
     */
    @Test
    void shouldDeleteCompactedSegmentsOnThePretouchersThreadWhenItRuns() throws IOException
    {
        final Path background = dir.resolve("background");
        final Path here = dir.resolve("here");
        for (final Path directory : new Path[]{ background, here })
        {
            try (ChronicleRaftLog log = open(directory, Durability.BATCH, directory == background ? 4096 : 0))
            {
                appendRange(log, 1, 2000, 3);
                log.sync();
                final int before = fileLengths(directory).size();
                log.compactTo(1900);
                // The pretoucher counts a deletion once it is done, so the files can go before the count moves.
                awaitCondition(() -> fileLengths(directory).size() < before &&
                    (directory != background || log.segmentsDeletedInBackground() > 0));
                assertTrue(fileLengths(directory).size() < before, "files " + fileLengths(directory));
                if (directory == background)
                {
                    assertTrue(log.segmentsDeletedInBackground() > 0, "deleted on the compacting thread");
                }
                else
                {
                    assertEquals(0, log.segmentsDeletedInBackground());
                }
                appendRange(log, 2001, 2100, 4);
                log.sync();
            }
            try (ChronicleRaftLog log = open(directory, Durability.BATCH, 0))
            {
                assertEquals(1900, log.baseIndex());
                assertEquals(2100, log.lastIndex());
                assertEquals(3, log.termAt(1900));
                assertEquals(4, log.termAt(2001));
                assertTrue(log.read(2001, view));
                assertEquals(4000 + 2001, view.buffer().getInt(view.offset()));
            }
        }
    }

    private void awaitFewerFiles(final ChronicleRaftLog log, final long filesBefore) throws IOException
    {
        // A running pretoucher deletes compacted segments on its own thread.
        awaitCondition(() -> segmentFiles() < filesBefore);
        assertTrue(segmentFiles() < filesBefore, segmentFiles() + " files of " + filesBefore + ", " +
            log.segmentsDeletedInBackground() + " deleted in the background");
    }

    @Test
    void shouldCompactWithoutForcingWhenDurabilityIsNone() throws IOException
    {
        try (ChronicleRaftLog log = open(Durability.NONE))
        {
            appendRange(log, 1, 2000, 3);
            appendRange(log, 2001, 2500, 4);
            final long filesBefore = segmentFiles();
            log.compactTo(2100);
            assertEquals(0, log.syncCount(), "NONE forces nothing, not even for compaction");
            awaitFewerFiles(log, filesBefore);
        }
        try (ChronicleRaftLog log = open(Durability.NONE))
        {
            assertEquals(2100, log.baseIndex());
            assertEquals(4, log.termAt(2100));
            assertEquals(2500, log.lastIndex());
            assertTrue(log.read(2101, view));
            assertEquals(4000 + 2101, view.buffer().getInt(view.offset()));
        }
    }

    @Test
    void shouldResetToASnapshotAheadOfOrInsideTheLog()
    {
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            appendRange(log, 1, 300, 2);
            log.reset(1000, 7);
            assertEquals(1000, log.baseIndex());
            assertEquals(1000, log.lastIndex());
            assertEquals(7, log.termAt(1000));
            appendRange(log, 1001, 1010, 7);
        }
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            assertEquals(1000, log.baseIndex());
            assertEquals(1010, log.lastIndex());
            log.reset(1005, 7);
            assertEquals(1005, log.lastIndex());
            assertFalse(log.read(1006, view));
        }
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            assertEquals(1005, log.baseIndex());
            assertEquals(1005, log.lastIndex());
            assertEquals(1, log.segmentCount(), "only the segment with the reset markers is left");
        }
    }

    @Test
    void shouldRejectInvalidArguments()
    {
        try (ChronicleRaftLog log = open(Durability.NONE))
        {
            appendRange(log, 1, 10, 5);
            assertThrows(IllegalArgumentException.class, () -> log.append(4, payload, 0, 1));
            final UnsafeBuffer large = new UnsafeBuffer(new byte[2048]);
            assertThrows(IllegalArgumentException.class, () -> log.append(5, large, 0, 2048));
            assertThrows(IndexOutOfBoundsException.class, () -> log.append(5, payload, 250, 10));
            log.compactTo(5);
            assertThrows(IllegalArgumentException.class, () -> log.truncateAfter(4));
            assertThrows(IllegalArgumentException.class, () -> log.compactTo(4));
            assertThrows(IllegalArgumentException.class, () -> log.compactTo(11));
            assertEquals(10, log.lastIndex());
        }
    }

    @Test
    void shouldRefuseASecondOpenOfTheSameDirectory()
    {
        try (ChronicleRaftLog log = open(Durability.NONE))
        {
            assertThrows(IllegalStateException.class, () -> open(Durability.NONE));
            appendRange(log, 1, 3, 1);
        }
        try (ChronicleRaftLog log = open(Durability.NONE))
        {
            assertEquals(3, log.lastIndex());
        }
    }

    @Test
    void shouldGatherTheRecordsBetweenSyncsIntoOneDocument()
    {
        try (ChronicleRaftLog log = open(Durability.NONE))
        {
            appendRange(log, 1, 50, 1);
            log.sync();
            appendRange(log, 51, 60, 1);
            assertEquals(60, log.lastIndex());
            assertTrue(log.read(55, view), "an entry of the open document is readable at once");
            log.sync();
        }
        // The base marker written at open, the 50 entries, the 10 entries (all in one 8 KiB segment).
        assertEquals(3, documents());
        try (ChronicleRaftLog log = open(Durability.NONE))
        {
            assertEquals(60, log.lastIndex());
            for (long index = 1; index <= 60; index++)
            {
                assertTrue(log.read(index, view));
                assertEquals(index, view.buffer().getInt(view.offset()) - 1000 * log.termAt(index));
            }
        }
    }

    private long documents()
    {
        long count = 0;
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile())
            .rollCycle(RollCycles.FAST_DAILY).readOnly(true).build();
            ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext context = tailer.readingDocument())
                {
                    if (!context.isPresent())
                    {
                        return count;
                    }
                    count++;
                }
            }
        }
    }

    @Test
    void shouldForceToDiskAsTheDurabilityLevelSays()
    {
        try (ChronicleRaftLog log = open(Durability.NONE))
        {
            appendRange(log, 1, 10, 1);
            log.sync();
            assertEquals(0, log.syncCount());
        }
        try (ChronicleRaftLog log = open(Durability.BATCH))
        {
            final long initial = log.syncCount();
            appendRange(log, 11, 20, 1);
            assertEquals(initial, log.syncCount());
            log.sync();
            log.sync();
            assertEquals(initial + 1, log.syncCount());
        }
        try (ChronicleRaftLog log = open(Durability.EACH))
        {
            final long initial = log.syncCount();
            appendRange(log, 21, 30, 1);
            assertEquals(initial + 10, log.syncCount());
            log.sync();
            assertEquals(initial + 10, log.syncCount());
        }
    }

    @Test
    void shouldPretouchAheadOfTheAppenderWithoutChangingDataOrFileLengths() throws IOException
    {
        final Path plainDir = dir.resolve("plain");
        final Path touchedDir = dir.resolve("touched");
        final int entries = 20_000;
        try (ChronicleRaftLog plain = openLarge(plainDir, 0);
            ChronicleRaftLog touched = openLarge(touchedDir, 1024 * 1024))
        {
            assertEquals(0, plain.pretouchedPages());
            for (int i = 1; i <= entries; i++)
            {
                payload.putInt(0, i);
                payload.putInt(252, -i);
                plain.append(1, payload, 0, 256);
                touched.append(1, payload, 0, 256);
            }
            awaitCondition(() -> touched.pretouchedPages() > 0);
            assertTrue(touched.pretouchedPages() > 0, "the pretoucher never ran");
        }

        assertEquals(fileLengths(plainDir), fileLengths(touchedDir), "pretouching must not change any file's length");
        try (ChronicleRaftLog touched = openLarge(touchedDir, 1024 * 1024))
        {
            assertEquals(entries, touched.lastIndex());
            for (int i = 1; i <= entries; i++)
            {
                assertTrue(touched.read(i, view));
                assertEquals(256, view.length());
                assertEquals(i, view.buffer().getInt(view.offset()));
                assertEquals(-i, view.buffer().getInt(view.offset() + 252));
            }
        }
    }

    @Test
    void shouldCreateTheNextSegmentAheadAndRecoverWithItUnused() throws IOException
    {
        final Path rolling = dir.resolve("rolling");
        try (ChronicleRaftLog log = openRolling(rolling))
        {
            appendPayloads(log, 1, 6_000);
            awaitPrepared(log, 1);
        }
        // Closed before rolling into the segment made ahead: it is on disk, empty, and recovery accepts it.
        final long filesWithUnused = fileLengths(rolling).size();
        try (ChronicleRaftLog log = openRolling(rolling))
        {
            checkPayloads(log, 6_000);
            appendPayloads(log, 6_001, 40_000);
            // Rolls race the pretoucher here: some segments are made ahead, some by the appender; both must hold.
            assertTrue(log.segmentCount() >= 4, "segments: " + log.segmentCount());
        }
        assertTrue(fileLengths(rolling).size() > filesWithUnused);
        try (ChronicleRaftLog log = openRolling(rolling))
        {
            checkPayloads(log, 40_000);
        }
    }

    /**
     * A segment whose next cycle was started ahead (the spare appender moved there on another thread) begins with a
     * swap of appenders, not a Chronicle roll on the writing thread. The swap must end the old cycle as a roll does:
     * without its end-of-file marker, a restart's scan stops at the old cycle's end and every entry after it is lost.
     * This plays the pretoucher on the test thread (no pretoucher runs: pretouchLength 0), alternates prepared
     * starts with plain rolls, and reads every entry back after two restarts.
     */
    @Test
    void shouldStartASegmentPreparedAheadWithoutARollAndKeepEveryEntryAcrossRestarts() throws IOException
    {
        final Path swapping = dir.resolve("swapping");
        long index = 0;
        try (ChronicleRaftLog log = open(swapping, Durability.NONE, 0))
        {
            for (int segment = 0; segment < 6; segment++)
            {
                final boolean isPrepared = 0 == segment % 2 || 5 == segment;
                final int cycle = log.journalCycle();
                final long starts = log.preparedSegmentStarts();
                if (isPrepared)
                {
                    final Path ahead = log.nextSegment().create(cycle + 1);
                    assertTrue(null != ahead && Files.exists(ahead), "no segment started ahead for " + (cycle + 1));
                }
                index = appendUntilTheNextSegment(log, index, cycle);
                assertEquals(cycle + 1, log.journalCycle());
                assertEquals(starts + (isPrepared ? 1 : 0), log.preparedSegmentStarts(),
                    "segment " + segment + " prepared=" + isPrepared);
            }
            // Only the successor of the segment being written is started ahead: not the current one, not further.
            assertNull(log.nextSegment().create(log.journalCycle()));
            assertNull(log.nextSegment().create(log.journalCycle() + 2));
            final long starts = log.preparedSegmentStarts();
            index = appendUntilTheNextSegment(log, index, log.journalCycle());
            assertEquals(starts, log.preparedSegmentStarts());
            log.sync();
            checkRange(log, 1, index);
        }
        try (ChronicleRaftLog log = open(swapping, Durability.NONE, 0))
        {
            assertEquals(index, log.lastIndex());
            checkRange(log, 1, index);
            // A restart writes a new segment, which its first write makes; after that write, its successor may be
            // started ahead.
            payload.putInt(0, (int)++index);
            payload.putInt(60, (int)-index);
            assertEquals(index, log.append(1, payload, 0, 64));
            assertNotNull(log.nextSegment().create(log.journalCycle() + 1));
            index = appendUntilTheNextSegment(log, index, log.journalCycle());
            assertEquals(1, log.preparedSegmentStarts());
            log.sync();
        }
        try (ChronicleRaftLog log = open(swapping, Durability.NONE, 0))
        {
            assertEquals(index, log.lastIndex());
            checkRange(log, 1, index);
        }
    }

    /**
     * Chronicle's roll from cycle a to c writes the end-of-file marker of a and of the newest file before c, if there
     * is one; a file beyond c makes it skip the cycles between. A killed process can leave its next segment started
     * ahead, empty; if the next process then started a segment two cycles ahead of the one it writes first, that empty
     * one kept no marker and the open after was refused ("records after the point where the journal stopped"; crash
     * test, seed 780, whose writer started a segment ahead before its first write). Only the successor of the segment
     * written last is started ahead.
     */
    @Test
    void shouldStartAheadOnlyTheSuccessorOfTheSegmentWrittenLast() throws IOException
    {
        final Path restarting = dir.resolve("restarting");
        long index = 0;
        try (ChronicleRaftLog log = open(restarting, Durability.NONE, 0))
        {
            index = appendUntilTheNextSegment(log, index, log.journalCycle());
            log.sync();
            // Left empty by the process's end, as a kill leaves it.
            assertNotNull(log.nextSegment().create(log.journalCycle() + 1));
        }
        try (ChronicleRaftLog log = open(restarting, Durability.NONE, 0))
        {
            assertNull(log.nextSegment().create(log.journalCycle() + 1), "started ahead before the first write");
            for (int segment = 0; segment < 3; segment++)
            {
                index = appendUntilTheNextSegment(log, index, log.journalCycle());
            }
            log.sync();
        }
        try (ChronicleRaftLog log = open(restarting, Durability.NONE, 0))
        {
            assertEquals(index, log.lastIndex());
            checkRange(log, 1, index);
        }
    }

    private long appendUntilTheNextSegment(final ChronicleRaftLog log, final long lastIndex, final int cycle)
    {
        long index = lastIndex;
        while (log.journalCycle() == cycle)
        {
            index++;
            payload.putInt(0, (int)index);
            payload.putInt(60, (int)-index);
            assertEquals(index, log.append(1, payload, 0, 64));
            if (0 == index % 10)
            {
                log.sync();
            }
        }
        return index;
    }

    private void checkRange(final ChronicleRaftLog log, final long from, final long to)
    {
        for (long i = from; i <= to; i++)
        {
            assertTrue(log.read(i, view), "entry " + i);
            assertEquals((int)i, view.buffer().getInt(view.offset()));
            assertEquals((int)-i, view.buffer().getInt(view.offset() + 60));
        }
    }

    /**
     * The pretoucher reads the appender's cycle and creates the next file on its own thread, so on a loaded machine
     * the creation can run after the appender rolled past that cycle and compaction deleted it. The file made again
     * then sits, empty and untracked, in front of the journal, and every later open finds the cycles after it missing
     * (crash test, seed 20261122, iteration 9: an empty 19700604F.cq4 before a gap of cycles 155 to 214). This plays
     * that late pretoucher: a compacted cycle must stay deleted, and the log must open again.
     */
    @Test
    void shouldNeverCreateAgainASegmentThatCompactionDeleted() throws IOException
    {
        final Path compacting = dir.resolve("compacting");
        final int compactedCycle;
        final int nextCycle;
        try (ChronicleRaftLog log = open(compacting, Durability.NONE, 0))
        {
            appendRange(log, 1, 600, 1);
            log.sync();
            final java.util.Set<String> before = fileLengths(compacting).keySet();
            assertTrue(before.size() >= 4, "segments: " + before);
            log.compactTo(600);
            final java.util.Set<String> deleted = new java.util.TreeSet<>(before);
            deleted.removeAll(fileLengths(compacting).keySet());
            assertTrue(deleted.size() >= 2, "compaction deleted " + deleted);
            compactedCycle = cycleOf(((java.util.TreeSet<String>)deleted).first());
            nextCycle = cycleOf(((java.util.TreeSet<String>)new java.util.TreeSet<>(before)).last()) + 1;

            // The late pretoucher read the appender's cycle as compactedCycle - 1, several segments ago.
            final Path late = log.nextSegment().create(compactedCycle);
            assertNull(late, "a segment was made again for compacted cycle " + compactedCycle);
            // A pretoucher on time still gets the next segment made ahead.
            final Path ahead = log.nextSegment().create(nextCycle);
            assertTrue(null != ahead && Files.exists(ahead), "no segment made ahead for cycle " + nextCycle);
            appendRange(log, 601, 700, 1);
            log.sync();
        }
        assertFalse(fileLengths(compacting).keySet().stream().anyMatch(name -> cycleOf(name) <= compactedCycle),
            "files: " + fileLengths(compacting));
        try (ChronicleRaftLog log = open(compacting, Durability.NONE, 0))
        {
            assertEquals(600, log.baseIndex());
            assertEquals(700, log.lastIndex());
            assertEquals(1, log.termAt(700));
        }
    }

    private static int cycleOf(final String segmentFileName)
    {
        return (int)java.time.LocalDate.parse(segmentFileName.substring(0, 8),
            java.time.format.DateTimeFormatter.BASIC_ISO_DATE).toEpochDay();
    }

    private ChronicleRaftLog openRolling(final Path directory)
    {
        return ChronicleRaftLog.open(new ChronicleLogContext()
            .directory(directory)
            .durability(Durability.NONE)
            .segmentLength(2L * 1024 * 1024)
            .blockLength(4L * 1024 * 1024)
            .maxEntryLength(1024)
            .pretouchLength(512 * 1024));
    }

    private void appendPayloads(final ChronicleRaftLog log, final int from, final int to)
    {
        for (int i = from; i <= to; i++)
        {
            payload.putInt(0, i);
            payload.putInt(252, -i);
            assertEquals(i, log.append(1, payload, 0, 256));
            if (0 == i % 100)
            {
                log.sync();
            }
        }
        log.sync();
    }

    private void checkPayloads(final ChronicleRaftLog log, final int entries)
    {
        assertEquals(entries, log.lastIndex());
        for (int i = 1; i <= entries; i++)
        {
            assertTrue(log.read(i, view));
            assertEquals(i, view.buffer().getInt(view.offset()));
            assertEquals(-i, view.buffer().getInt(view.offset() + 252));
        }
    }

    private static void awaitPrepared(final ChronicleRaftLog log, final long count) throws IOException
    {
        awaitCondition(() -> log.preparedSegments() >= count);
        assertEquals(count, log.preparedSegments(), "the pretoucher made the next segment ahead");
    }

    /**
     * A condition on the pretoucher's thread's work, which may read files.
     */
    @FunctionalInterface
    private interface Condition
    {
        boolean isMet() throws IOException;
    }

    /**
     * Yield until the condition holds or 10 s have passed; the caller asserts what it needs.
     */
    private static void awaitCondition(final Condition condition) throws IOException
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (!condition.isMet() && System.nanoTime() < deadlineNs)
        {
            Thread.yield();
        }
    }

    @Test
    void shouldRejectATinyPretouchLength()
    {
        final ChronicleLogContext context = new ChronicleLogContext().directory(dir).pretouchLength(100);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, context::conclude);
        assertTrue(ex.getMessage().contains("pretouchLength=100"), ex.getMessage());
    }

    private ChronicleRaftLog openLarge(final Path directory, final long pretouchLength)
    {
        return ChronicleRaftLog.open(new ChronicleLogContext()
            .directory(directory)
            .durability(Durability.NONE)
            .segmentLength(64L * 1024 * 1024)
            .blockLength(4L * 1024 * 1024)
            .maxEntryLength(1024)
            .pretouchLength(pretouchLength));
    }

    private static java.util.Map<String, Long> fileLengths(final Path directory) throws IOException
    {
        final java.util.Map<String, Long> lengths = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                if (file.toString().endsWith(".cq4"))
                {
                    try
                    {
                        lengths.put(file.getFileName().toString(), Files.size(file));
                    }
                    catch (final java.nio.file.NoSuchFileException ex)
                    {
                        // Deleted since the listing: the pretoucher's thread deletes compacted segments.
                    }
                }
            }
        }
        return lengths;
    }

    private void appendRange(final ChronicleRaftLog log, final long from, final long to, final long term)
    {
        for (long index = from; index <= to; index++)
        {
            payload.putInt(0, (int)(term * 1000 + index));
            assertEquals(index, log.append(term, payload, 0, 64));
        }
    }

    private long segmentFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(file -> file.toString().endsWith(".cq4")).count();
        }
    }

    private ChronicleRaftLog open(final Durability durability)
    {
        return ChronicleRaftLog.open(new ChronicleLogContext()
            .directory(dir)
            .durability(durability)
            .segmentLength(8 * 1024)
            .blockLength(256 * 1024)
            .maxEntryLength(1024));
    }

    private static ChronicleRaftLog open(final Path directory, final Durability durability, final long pretouchLength)
    {
        return ChronicleRaftLog.open(new ChronicleLogContext()
            .directory(directory)
            .durability(durability)
            .segmentLength(8 * 1024)
            .blockLength(256 * 1024)
            .maxEntryLength(1024)
            .pretouchLength(pretouchLength));
    }
}
