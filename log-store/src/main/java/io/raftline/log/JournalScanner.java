package io.raftline.log;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.NavigableSet;

/**
 * Reads the whole journal once when the log opens: validates every record, replays it into the entry index, takes
 * the references that keep the live records mapped, and decides what a damaged record means.
 * <p>
 * What counts as a crash and what counts as corruption:
 * <ul>
 *     <li>A record whose Chronicle header is still marked incomplete ends the journal: a process died while writing
 *     it. Chronicle replaces that header with an end-of-file marker when the next appender starts.</li>
 *     <li>A newest segment file whose own Chronicle header was never completed (a process died while Chronicle
 *     was creating it) holds no record and is deleted.</li>
 *     <li>A complete record that fails its checksum (a machine crash wrote its header but not all its bytes) is a
 *     torn tail when it is the last record of the journal: it is dropped, and the log writes a repair marker (a
 *     {@code LogTruncate} at the last good index) as the first record of the next segment, so the next scan knows
 *     the damaged record was dropped on purpose.</li>
 *     <li>Anything else is corruption and opening fails, naming the file and offset: a bad record followed by good
 *     ones; a segment that ends before the last record position Chronicle's file header records (a truncated file;
 *     the header may lag by the record in flight, never lead);
 *     a missing segment between two others; records in a segment after the point where the journal stopped.</li>
 * </ul>
 */
final class JournalScanner
{
    private static final long NO_RECORD = -1;
    private static final int CHRONICLE_HEADER_LENGTH = 4;
    private static final int NOT_COMPLETE_BIT = 0x8000_0000;

    private final SingleChronicleQueue queue;
    private final JournalRecords records;
    private final JournalReplay replay;
    private final LogSegments segments;

    private int firstCycle;
    private Path[] files;
    private Segment[] segmentsByCycle;
    private long[] writePositions;
    private long[] lastHeaderPositions;

    private int suspectSlot = -1;
    private long suspectPosition;
    private String suspectReason;
    private Path tornTailFile;
    private long tornTailPosition;

    JournalScanner(
        final SingleChronicleQueue queue,
        final JournalRecords records,
        final JournalReplay replay,
        final LogSegments segments)
    {
        this.queue = queue;
        this.records = records;
        this.replay = replay;
        this.segments = segments;
    }

    /**
     * @return the file of a torn last record the scan dropped, or null.
     */
    Path tornTailFile()
    {
        return tornTailFile;
    }

    /**
     * @return the offset of the torn record in {@link #tornTailFile()}.
     */
    long tornTailPosition()
    {
        return tornTailPosition;
    }

    /**
     * Scan the journal.
     *
     * @throws LogCorruptionException if the journal cannot be trusted.
     */
    void scan()
    {
        firstCycle = queue.firstCycle();
        if (Integer.MAX_VALUE == firstCycle)
        {
            return;
        }
        if (0 == listSegments())
        {
            return;
        }
        final int lastSlot = readRecords();
        checkSegmentEnds(lastSlot);
        if (suspectSlot >= 0)
        {
            tornTailFile = files[suspectSlot];
            tornTailPosition = suspectPosition;
        }
        replay.finish();
        if (replay.hasStarted() && !replay.isAnchored())
        {
            throw new LogCorruptionException(files[0], LogCorruptionException.NO_OFFSET,
                "no LogBase marker anchors the journal that starts in this segment: older segments are missing");
        }
    }

    /**
     * @return how many segments there are.
     */
    private int listSegments()
    {
        final int lastCycle = queue.lastCycle();
        final NavigableSet<Long> cycles = queue.listCyclesBetween(firstCycle, lastCycle);
        final int count = lastCycle - firstCycle + 1;
        files = new Path[count];
        segmentsByCycle = new Segment[count];
        writePositions = new long[count];
        lastHeaderPositions = new long[count];
        long expected = firstCycle;
        for (final Long boxedCycle : cycles)
        {
            final int cycle = boxedCycle.intValue();
            final int slot = cycle - firstCycle;
            final SingleChronicleQueueStore store;
            try
            {
                store = queue.storeForCycle(cycle, queue.epoch(), false, null);
            }
            catch (final RuntimeException ex)
            {
                throw new LogCorruptionException(queue.file().toPath(), LogCorruptionException.NO_OFFSET,
                    "Chronicle cannot open the segment of cycle " + cycle, ex);
            }
            if (null == store)
            {
                if (cycle == lastCycle && discardUnfinishedSegment(cycle))
                {
                    break;
                }
                throw new LogCorruptionException(segmentFile(cycle), LogCorruptionException.NO_OFFSET,
                    "the segment of cycle " + cycle + " is listed but Chronicle cannot open it");
            }
            try
            {
                files[slot] = store.file().toPath();
                writePositions[slot] = store.writePosition();
            }
            finally
            {
                queue.closeStore(store);
            }
            if (cycle != expected)
            {
                throw new LogCorruptionException(files[slot], LogCorruptionException.NO_OFFSET,
                    "the segments of cycles " + expected + " to " + (cycle - 1) + " before this one are missing");
            }
            expected = cycle + 1;
            lastHeaderPositions[slot] = NO_RECORD;
            segmentsByCycle[slot] = segments.add(cycle, files[slot], false);
        }
        final int listed = (int)(expected - firstCycle);
        if (listed < count)
        {
            files = Arrays.copyOf(files, listed);
            segmentsByCycle = Arrays.copyOf(segmentsByCycle, listed);
            writePositions = Arrays.copyOf(writePositions, listed);
            lastHeaderPositions = Arrays.copyOf(lastHeaderPositions, listed);
        }
        return listed;
    }

    /**
     * A process killed while Chronicle was creating the newest segment leaves a file whose first header was never
     * completed. It holds no record, so it is deleted (Chronicle itself would rename it aside when writing).
     *
     * @return true if the file was such a leftover and is gone.
     */
    private boolean discardUnfinishedSegment(final int cycle)
    {
        final Path file = segmentFile(cycle);
        final ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            int read = 0;
            while (read >= 0 && header.hasRemaining())
            {
                read = channel.read(header);
            }
        }
        catch (final IOException ex)
        {
            return false;
        }
        final int word = header.position() < 4 ? 0 : header.getInt(0);
        if (0 != word && 0 == (word & NOT_COMPLETE_BIT))
        {
            return false;
        }
        try
        {
            Files.delete(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete the unfinished segment " + file, ex);
        }
        queue.refreshDirectoryListing();
        return true;
    }

    private Path segmentFile(final int cycle)
    {
        final String name = DateTimeFormatter.ofPattern(queue.rollCycle().format())
            .withZone(ZoneOffset.UTC)
            .format(Instant.ofEpochMilli(cycle * (long)queue.rollCycle().lengthInMillis()));
        return queue.file().toPath().resolve(name + SingleChronicleQueue.SUFFIX);
    }

    private int readRecords()
    {
        int lastSlot = -1;
        long lastPosition = LogCorruptionException.NO_OFFSET;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext context = tailer.readingDocument())
                {
                    if (!context.isPresent())
                    {
                        break;
                    }
                    final int cycle = queue.rollCycle().toCycle(context.index());
                    final int slot = cycle - firstCycle;
                    if (slot < 0 || slot >= files.length || slot < lastSlot)
                    {
                        throw new LogCorruptionException(queue.file().toPath(), LogCorruptionException.NO_OFFSET,
                            "Chronicle returned a record of cycle " + cycle + " out of order");
                    }
                    lastSlot = slot;
                    final Bytes<?> bytes = context.wire().bytes();
                    lastPosition = bytes.readPosition();
                    lastHeaderPositions[slot] = lastPosition - CHRONICLE_HEADER_LENGTH;
                    onDocument(slot, bytes, lastPosition, (int)bytes.readRemaining());
                }
            }
        }
        catch (final LogCorruptionException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            final Path file = lastSlot >= 0 ? files[lastSlot] : queue.file().toPath();
            throw new LogCorruptionException(file, lastPosition, "Chronicle cannot read the record after this", ex);
        }
        return lastSlot;
    }

    /**
     * A Chronicle document holds one or more records back to back (the appender gathers the records of one sync
     * into one document). A damaged record takes the rest of its document with it.
     */
    private void onDocument(final int slot, final Bytes<?> bytes, final long position, final int length)
    {
        if (0 == length)
        {
            onRecord(slot, bytes, position, 0);
            return;
        }
        final long address = bytes.addressForRead(position, length);
        int offset = 0;
        while (offset < length)
        {
            final int remaining = length - offset;
            final int recordLength = records.recordLength(address + offset, remaining);
            if (JournalRecords.INVALID == onRecord(slot, bytes, position + offset, recordLength))
            {
                return;
            }
            offset += recordLength;
        }
    }

    private int onRecord(final int slot, final Bytes<?> bytes, final long position, final int length)
    {
        final long address = length > 0 ? bytes.addressForRead(position, length) : 0;
        final int type = length > 0 ? records.decode(address, length) : JournalRecords.INVALID;
        if (suspectSlot >= 0)
        {
            judgeSuspect(slot, type);
        }
        switch (type)
        {
            case JournalRecords.ENTRY:
            {
                final String error = replay.onEntry(records.index(), records.term(), address);
                if (null != error)
                {
                    throw new LogCorruptionException(files[slot], position, error);
                }
                segmentsByCycle[slot].retain(bytes.bytesStore(), segments.owner());
                break;
            }
            case JournalRecords.TRUNCATE:
                replay.onTruncate(records.index());
                break;
            case JournalRecords.BASE:
            {
                final String error = replay.onBase(records.index(), records.term());
                if (null != error)
                {
                    throw new LogCorruptionException(files[slot], position, error);
                }
                break;
            }
            default:
                suspectSlot = slot;
                suspectPosition = position;
                suspectReason = length > 0 ? records.error() : "empty record";
                break;
        }
        return type;
    }

    /**
     * A record failed validation earlier and another record follows it. That is only fine when the damaged record
     * ended its segment and this one is the repair marker a previous open wrote after dropping it.
     */
    private void judgeSuspect(final int slot, final int type)
    {
        final boolean isRepairMarker = slot > suspectSlot &&
            JournalRecords.TRUNCATE == type &&
            records.index() == replay.lastIndex();
        if (!isRepairMarker)
        {
            throw new LogCorruptionException(files[suspectSlot], suspectPosition,
                suspectReason + ", and more records follow it");
        }
        suspectSlot = -1;
    }

    private void checkSegmentEnds(final int lastSlot)
    {
        for (int slot = 0; slot < files.length; slot++)
        {
            final long header = lastHeaderPositions[slot];
            final long recorded = writePositions[slot];
            if (NO_RECORD == header)
            {
                if (0 != recorded)
                {
                    throw new LogCorruptionException(files[slot], recorded, slot > lastSlot ?
                        "the segment holds a record after the point where the journal stopped" :
                        "Chronicle records a last record here that the scan never reached");
                }
            }
            else if (header < recorded)
            {
                throw new LogCorruptionException(files[slot], header + CHRONICLE_HEADER_LENGTH,
                    "the segment's records end with the one at this offset, but Chronicle's header records the " +
                    "last one at offset " + (recorded + CHRONICLE_HEADER_LENGTH) +
                    ": truncated file or damaged header");
            }
        }
    }
}
