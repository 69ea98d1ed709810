package io.raftline.log;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.RaftlineCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes journal records into Chronicle Queue documents, encoding each one in place in the mapped file (the payload
 * is copied once, from the caller's buffer to the file), and rolls to a new segment when the current one is full.
 * <p>
 * Records are gathered into one open document until {@link #commit()} (the log commits on every sync, before any
 * force, and on close), or until the document reaches {@link #MAX_DOCUMENT_LENGTH}: Chronicle's cost is per
 * document, so a duty cycle's batch of entries costs about one record's worth of it. The records of an open document
 * are readable in this process at once (the index holds their addresses); a crash of the process before the commit
 * loses them, which is what an unsynced write may do.
 * <p>
 * After a write, {@link #cycle()} says which segment the record went to.
 * <p>
 * <b>Starting a segment without a roll on the writing thread.</b> Chronicle rolls an appender to a new cycle inside
 * {@code writingDocument}, about 1 ms of CPU (see {@link RaftlineCycles}). With a spare appender, the pretoucher's
 * thread moves the spare to the next cycle ahead of time ({@link #prepareSpare(int)}); at the segment's end the
 * writing thread commits, writes the old cycle's end-of-file marker and swaps the two appenders. The old segment is
 * ended before the first record of the new one is written, exactly as Chronicle's own roll leaves it, so a crash at
 * any point leaves what a roll would have left. When the spare is not ready for that cycle (no pretoucher, or it ran
 * late), the writing appender rolls itself as before. The spare moves between the threads through
 * {@code spareState}: the writing thread hands it out ({@code SPARE_FREE}), the pretoucher takes it
 * ({@code SPARE_LENT}) and gives it back moved ({@code SPARE_READY}); each side touches the spare only while the
 * state says it is its own.
 */
final class JournalAppender implements AutoCloseable
{
    private static final int ENTRY = 0;
    private static final int TRUNCATE = 1;
    private static final int BASE = 2;

    /**
     * Records are added to an open document while it stays within this length (a larger record gets a document of
     * its own).
     */
    static final int MAX_DOCUMENT_LENGTH = 64 * 1024;

    private static final int SPARE_FREE = 0;
    private static final int SPARE_LENT = 1;
    private static final int SPARE_READY = 2;
    private static final int SPARE_BROKEN = 3;
    private static final int NO_CYCLE = Integer.MIN_VALUE;

    private ExcerptAppender appender;
    private ExcerptAppender spare;
    private final AtomicInteger spareState = new AtomicInteger(SPARE_FREE);
    private volatile int spareCycle = NO_CYCLE;
    // The cycle of the segment written last, for the pretoucher's thread (see writtenCycle()).
    private volatile int writtenCycle = NO_CYCLE;
    private long preparedStarts;
    // The third field of the entry being written (write() carries two, shared with the markers).
    private long entryTimestamp;
    // Chronicle confines an appender to one thread; the log is opened on one thread and then used by the member's
    // agent thread (one thread at a time), so ownership moves when the writing thread changes.
    private Thread owner;
    private final SegmentClock clock;
    private final LogSegments segments;
    private final JournalRecords records;
    private final long segmentLength;
    private final SegmentPretoucher pretoucher;
    private Segment current;
    private Segment pretouched;
    private long lastAddress;
    private DocumentContext document;
    private long documentStart;

    /**
     * @param appender     that writes.
     * @param spare        a second appender of the same queue, for segment starts off the writing thread (see the
     *                     class's comment).
     * @param clock        that Chronicle's cycles follow.
     * @param segments     the journal's segments.
     * @param records      the record codec.
     * @param segmentLength at which a new segment is started.
     * @param pretoucher   to tell where the appender writes, or null.
     */
    JournalAppender(
        final ExcerptAppender appender,
        final ExcerptAppender spare,
        final SegmentClock clock,
        final LogSegments segments,
        final JournalRecords records,
        final long segmentLength,
        final SegmentPretoucher pretoucher)
    {
        this.appender = appender;
        this.spare = spare;
        this.clock = clock;
        this.segments = segments;
        this.records = records;
        this.segmentLength = segmentLength;
        this.pretoucher = pretoucher;
    }

    /**
     * @return the cycle (segment) being written.
     */
    int cycle()
    {
        return clock.cycle();
    }

    /**
     * @return the address of the new entry's record in mapped memory.
     */
    long appendEntry(
        final long index, final long term, final long timestamp, final DirectBuffer buffer, final int offset,
        final int length)
    {
        entryTimestamp = timestamp;
        write(ENTRY, index, term, buffer, offset, length, JournalRecords.entryLength(length));
        return lastAddress;
    }

    void appendTruncate(final long lastKeptIndex)
    {
        write(TRUNCATE, lastKeptIndex, 0, null, 0, 0, JournalRecords.TRUNCATE_LENGTH);
    }

    void appendBase(final long baseIndex, final long baseTerm)
    {
        write(BASE, baseIndex, baseTerm, null, 0, 0, JournalRecords.BASE_LENGTH);
    }

    /**
     * @return the cycle of the segment this journal wrote last, or {@link Integer#MIN_VALUE} before its first write;
     * safe to read on any thread.
     */
    int writtenCycle()
    {
        return writtenCycle;
    }

    /**
     * @return segments started by swapping in the spare appender the pretoucher had moved there, not by a roll.
     */
    long preparedStarts()
    {
        return preparedStarts;
    }

    /**
     * Move the spare appender to a cycle, ahead of the writing thread; called on the pretoucher's thread, through
     * {@link LogSegments#createAhead(int, SegmentPretoucher.NextSegment)} so that a cycle compaction deleted is
     * never made again.
     *
     * @param cycle the next segment's.
     * @return the cycle's file, or null when the spare is not free (in use, or out of use after a failure): the caller
     * creates the file.
     */
    Path prepareSpare(final int cycle)
    {
        if (!spareState.compareAndSet(SPARE_FREE, SPARE_LENT))
        {
            return null;
        }
        int state = SPARE_BROKEN;
        try
        {
            final ExcerptAppender lent = spare;
            lent.singleThreadedCheckReset();
            final Path file = RaftlineCycles.startCycle(lent, cycle).toPath();
            spareCycle = cycle;
            state = SPARE_READY;
            return file;
        }
        finally
        {
            // A failure leaves the spare out of use for good: the writing appender rolls itself from then on.
            spareState.set(state);
        }
    }

    /**
     * End the current segment and make the next write go to the next one: by the spare when it is ready for that
     * cycle, else by a roll of the writing appender in its next {@code writingDocument}.
     */
    private void startNextSegment()
    {
        final int next = clock.cycle() + 1;
        if (SPARE_READY == spareState.get())
        {
            if (spareCycle == next && RaftlineCycles.endCycle(appender))
            {
                final ExcerptAppender ended = appender;
                appender = spare;
                spare = ended;
                // The swapped-in appender was last used by the pretoucher's thread.
                owner = null;
                preparedStarts++;
            }
            // Handed out again, to be moved on to a later cycle (it was ready for another one, or is the one that
            // just ended its segment).
            spareCycle = NO_CYCLE;
            spareState.set(SPARE_FREE);
        }
        clock.advance();
    }

    /**
     * Complete the open document, if any: its records become part of the journal a restart will scan.
     */
    void commit()
    {
        if (null != document)
        {
            claim();
            final DocumentContext context = document;
            document = null;
            context.close();
        }
    }

    private void claim()
    {
        final Thread thread = Thread.currentThread();
        if (thread != owner)
        {
            appender.singleThreadedCheckReset();
            owner = thread;
        }
    }

    private void write(
        final int type,
        final long first,
        final long second,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int recordLength)
    {
        if (null != current && current.writtenLength() >= segmentLength)
        {
            commit();
            startNextSegment();
        }
        claim();
        if (null != document && !fits(document.wire().bytes(), recordLength, true))
        {
            commit();
        }
        final boolean isNewDocument = null == document;
        if (isNewDocument)
        {
            document = appender.writingDocument();
            documentStart = document.wire().bytes().writePosition();
        }
        final Bytes<?> bytes = document.wire().bytes();
        final long position = bytes.writePosition();
        if (isNewDocument && !fits(bytes, recordLength, false))
        {
            document.rollbackOnClose();
            commit();
            throw new IllegalStateException("record of " + recordLength + " bytes does not fit the mapping");
        }
        final long address = bytes.addressForWrite(position);
        final BytesStore<?, ?> store = bytes.bytesStore();
        final Segment segment = segmentFor(clock.cycle());
        segment.retain(store, segments.owner());
        try
        {
            encode(type, address, first, second, buffer, offset, length);
        }
        catch (final RuntimeException ex)
        {
            // Nothing was skipped over: the document ends before this record. A document with no record yet
            // is dropped.
            if (isNewDocument)
            {
                document.rollbackOnClose();
                commit();
            }
            throw ex;
        }
        bytes.writeSkip(recordLength);
        segment.onWrite(position, recordLength);
        lastAddress = address;
        if (null != pretoucher)
        {
            publish(segment, position + recordLength);
        }
    }

    private boolean fits(final Bytes<?> bytes, final int recordLength, final boolean isAppending)
    {
        final long position = bytes.writePosition();
        if (isAppending && position - documentStart + recordLength > MAX_DOCUMENT_LENGTH)
        {
            return false;
        }
        return position + recordLength <= bytes.writeLimit() && bytes.bytesStore().inside(position, recordLength);
    }

    private void encode(
        final int type,
        final long address,
        final long first,
        final long second,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        switch (type)
        {
            case ENTRY:
                records.writeEntry(address, first, second, entryTimestamp, buffer, offset, length);
                break;
            case TRUNCATE:
                records.writeTruncate(address, first);
                break;
            default:
                records.writeBase(address, first, second);
                break;
        }
    }

    private void publish(final Segment segment, final long nextPosition)
    {
        if (segment != pretouched)
        {
            pretouched = segment;
            pretoucher.segment(segment.file(), segment.cycle(), nextPosition);
        }
        else
        {
            pretoucher.position(nextPosition);
        }
    }

    private Segment segmentFor(final int cycle)
    {
        if (null == current || current.cycle() != cycle)
        {
            if (null != current)
            {
                // Rolling wrote an end-of-file marker into the previous segment.
                current.markDirty();
            }
            current = segments.add(cycle, appender.currentFile().toPath(), true);
            writtenCycle = cycle;
        }
        return current;
    }

    /**
     * Close the Chronicle appender.
     */
    public void close()
    {
        try
        {
            commit();
        }
        finally
        {
            appender.close();
            // The pretoucher is stopped before the log closes this, so the spare is no other thread's by now.
            spare.singleThreadedCheckReset();
            spare.close();
        }
    }
}
