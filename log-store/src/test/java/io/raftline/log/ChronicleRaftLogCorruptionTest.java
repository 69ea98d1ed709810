package io.raftline.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged journal files: the log must refuse to open with a {@link LogCorruptionException} naming the file and
 * offset, except for a torn last record, which a crash explains and which is dropped.
 */
class ChronicleRaftLogCorruptionTest
{
    private static final int ENTRIES = 120;
    private static final int PAYLOAD = 80;
    private static final long MAGIC = 0x52_41_46_54_4C_49_4E_45L;

    @TempDir
    Path dir;

    @Test
    void shouldRefuseAFlippedPayloadByteInTheMiddleOfTheLog() throws IOException
    {
        writeLog();
        final Location entry = find(60);
        flip(entry.file, entry.payloadOffset + 20);
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, this::open);
        assertNamesRecord(ex, entry);
        assertTrue(ex.getMessage().contains("checksum mismatch"), ex.getMessage());
    }

    @Test
    void shouldRefuseAFlippedTermInARecord() throws IOException
    {
        writeLog();
        final Location entry = find(30);
        // The LogEntry block starts 8 bytes into the record: index (8 bytes), then term.
        flip(entry.file, entry.recordOffset + 8 + 8 + 1);
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, this::open);
        assertNamesRecord(ex, entry);
    }

    @Test
    void shouldDropATornLastRecordAndKeepItDroppedAfterMoreWrites() throws IOException
    {
        writeLog();
        final Location last = find(ENTRIES);
        flip(last.file, last.payloadOffset + 5);
        try (ChronicleRaftLog log = open())
        {
            assertEquals(ENTRIES - 1, log.lastIndex());
            assertEquals(last.file, log.droppedTornRecordFile());
            assertEquals(last.recordOffset, log.droppedTornRecordPosition());
            append(log, ENTRIES - 1, ENTRIES + 10);
            log.sync();
        }
        try (ChronicleRaftLog log = open())
        {
            assertNull(log.droppedTornRecordFile());
            assertEquals(ENTRIES + 10, log.lastIndex());
            checkEntries(log, 1, ENTRIES + 10);
        }
    }

    @Test
    void shouldDropTheDamagedTailOfALastDocumentOfSeveralRecords() throws IOException
    {
        writeLog();
        appendOneDocument(ENTRIES, ENTRIES + 6);
        // A machine crash after the document was completed but before all its pages reached the disk.
        final Location damaged = find(ENTRIES + 4);
        flip(damaged.file, damaged.payloadOffset + 30);
        try (ChronicleRaftLog log = open())
        {
            assertEquals(ENTRIES + 3, log.lastIndex());
            assertEquals(damaged.file, log.droppedTornRecordFile());
            assertEquals(damaged.recordOffset, log.droppedTornRecordPosition());
            checkEntries(log, 1, ENTRIES + 3);
        }
    }

    @Test
    void shouldRefuseADamagedRecordInsideADocumentThatOthersFollow() throws IOException
    {
        writeLog();
        appendOneDocument(ENTRIES, ENTRIES + 6);
        appendOneDocument(ENTRIES + 6, ENTRIES + 8);
        final Location damaged = find(ENTRIES + 2);
        flip(damaged.file, damaged.payloadOffset + 30);
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, this::open);
        assertNamesRecord(ex, damaged);
        assertTrue(ex.getMessage().contains("more records follow"), ex.getMessage());
    }

    private void appendOneDocument(final int from, final int to)
    {
        // A fresh open starts a new segment; the records up to the sync share one document.
        try (ChronicleRaftLog log = open())
        {
            append(log, from, to);
            log.sync();
        }
    }

    @Test
    void shouldDropARecordWhoseChronicleHeaderIsIncomplete() throws IOException
    {
        writeLog();
        final Location last = find(ENTRIES);
        // A writer killed mid-record leaves Chronicle's header with its not-complete bit after the last record.
        final long next = (last.recordOffset + last.recordLength + 3) & ~3L;
        final ByteBuffer torn = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        torn.putInt(0x8000_0000 | 36).putLong(MAGIC).putLong(ENTRIES + 1);
        torn.flip();
        try (RandomAccessFile file = new RandomAccessFile(last.file.toFile(), "rw"))
        {
            file.getChannel().write(torn, next);
        }
        try (ChronicleRaftLog log = open())
        {
            assertEquals(ENTRIES, log.lastIndex());
            append(log, ENTRIES, ENTRIES + 5);
        }
        try (ChronicleRaftLog log = open())
        {
            assertEquals(ENTRIES + 5, log.lastIndex());
            checkEntries(log, 1, ENTRIES + 5);
        }
    }

    @Test
    void shouldRefuseASegmentCutShortBeforeItsLastRecords() throws IOException
    {
        writeLog();
        final Location entry = find(ENTRIES - 3);
        try (RandomAccessFile file = new RandomAccessFile(entry.file.toFile(), "rw"))
        {
            file.setLength(entry.recordOffset + 10);
        }
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, this::open);
        assertEquals(entry.file, ex.file());
        assertTrue(ex.getMessage().contains("offset"), ex.getMessage());
    }

    @Test
    void shouldRefuseASegmentCutAtARecordBoundary() throws IOException
    {
        writeLog();
        final Location entry = find(50);
        try (RandomAccessFile file = new RandomAccessFile(entry.file.toFile(), "rw"))
        {
            file.setLength(entry.recordOffset - 4);
        }
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, this::open);
        assertEquals(entry.file, ex.file());
        assertTrue(ex.getMessage().contains("truncated"), ex.getMessage());
    }

    @Test
    void shouldRefuseAMissingSegmentBetweenTwoOthers() throws IOException
    {
        writeLog();
        final List<Path> segments = segments();
        assertTrue(segments.size() >= 3, "segments: " + segments);
        Files.delete(segments.get(1));
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, this::open);
        assertTrue(ex.getMessage().contains("missing"), ex.getMessage());
    }

    @Test
    void shouldRefuseAJournalWhoseFirstSegmentsAreMissing() throws IOException
    {
        writeLog();
        final List<Path> segments = segments();
        Files.delete(segments.get(0));
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, this::open);
        assertEquals(segments.get(1), ex.file());
        assertTrue(ex.getMessage().contains("anchors"), ex.getMessage());
    }

    @Test
    void shouldOpenAfterCompactionDeletedTheFirstSegments()
    {
        writeLog();
        final int before;
        try (ChronicleRaftLog log = open())
        {
            before = log.segmentCount();
            log.compactTo(100);
            assertTrue(log.segmentCount() < before, log.segmentCount() + " segments, " + before + " before");
        }
        try (ChronicleRaftLog log = open())
        {
            assertEquals(100, log.baseIndex());
            assertEquals(termOf(100), log.baseTerm());
            assertEquals(termOf(100), log.termAt(100));
            checkEntries(log, 101, ENTRIES);
        }
    }

    /**
     * One sync per entry: each record is a Chronicle document of its own, so a cut or damage is "before the last
     * record" exactly when it is before the last document.
     */
    private void writeLog()
    {
        try (ChronicleRaftLog log = open())
        {
            for (int index = 0; index < ENTRIES; index++)
            {
                append(log, index, index + 1);
                log.sync();
            }
        }
    }

    private ChronicleRaftLog open()
    {
        return ChronicleRaftLog.open(new ChronicleLogContext()
            .directory(dir)
            .durability(Durability.BATCH)
            .segmentLength(4096)
            .blockLength(256 * 1024)
            .maxEntryLength(PAYLOAD));
    }

    private static void append(final ChronicleRaftLog log, final int from, final int to)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
        for (int index = from + 1; index <= to; index++)
        {
            fill(payload, index);
            assertEquals(index, log.append(termOf(index), payload, 0, PAYLOAD));
        }
    }

    private static void checkEntries(final ChronicleRaftLog log, final int from, final int to)
    {
        final LogEntryView view = new LogEntryView();
        final UnsafeBuffer expected = new UnsafeBuffer(new byte[PAYLOAD]);
        for (int index = from; index <= to; index++)
        {
            assertTrue(log.read(index, view), "read " + index);
            assertEquals(termOf(index), view.term());
            fill(expected, index);
            for (int i = 0; i < PAYLOAD; i++)
            {
                assertEquals(expected.getByte(i), view.buffer().getByte(view.offset() + i), "entry " + index);
            }
        }
    }

    private static long termOf(final long index)
    {
        return 1 + index / 25;
    }

    private static void fill(final UnsafeBuffer payload, final long index)
    {
        payload.putLong(0, MAGIC);
        payload.putLong(8, index);
        for (int i = 16; i < PAYLOAD; i++)
        {
            payload.putByte(i, (byte)(index + i));
        }
    }

    private List<Path> segments() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(file -> file.toString().endsWith(".cq4")).sorted().collect(Collectors.toList());
        }
    }

    /**
     * Where an entry's record lies: found by its payload, which starts with a magic number and the index.
     */
    private Location find(final long index) throws IOException
    {
        final ByteBuffer pattern = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(MAGIC).putLong(index);
        final byte[] needle = pattern.array();
        for (final Path file : segments())
        {
            final byte[] bytes = Files.readAllBytes(file);
            for (int i = 0; i + needle.length <= bytes.length; i++)
            {
                int j = 0;
                while (j < needle.length && bytes[i + j] == needle[j])
                {
                    j++;
                }
                if (j == needle.length)
                {
                    return new Location(file, i - JournalRecords.ENTRY_PAYLOAD_OFFSET, i,
                        JournalRecords.entryLength(PAYLOAD));
                }
            }
        }
        throw new AssertionError("entry " + index + " not found");
    }

    private static void flip(final Path file, final long offset) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            final int value = raf.read();
            raf.seek(offset);
            raf.write(value ^ 0x04);
        }
    }

    private static void assertNamesRecord(final LogCorruptionException ex, final Location entry)
    {
        assertNotNull(ex.file());
        assertEquals(entry.file, ex.file());
        assertEquals(entry.recordOffset, ex.offset());
        assertTrue(ex.getMessage().contains(entry.file.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("offset " + entry.recordOffset), ex.getMessage());
    }

    private static final class Location
    {
        final Path file;
        final long recordOffset;
        final long payloadOffset;
        final int recordLength;

        Location(final Path file, final long recordOffset, final long payloadOffset, final int recordLength)
        {
            this.file = file;
            this.recordOffset = recordOffset;
            this.payloadOffset = payloadOffset;
            this.recordLength = recordLength;
        }
    }
}
