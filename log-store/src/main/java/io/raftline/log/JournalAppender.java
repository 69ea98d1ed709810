package io.raftline.log;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;

/**
 * Writes journal records into Chronicle Queue documents, encoding each one in place in the mapped file (the payload
 * is copied once, from the caller's buffer to the file), and rolls to a new segment when the current one is full.
 * <p>
 * After a write, {@link #cycle()} says which segment the record went to.
 */
final class JournalAppender implements AutoCloseable
{
    private static final int ENTRY = 0;
    private static final int TRUNCATE = 1;
    private static final int BASE = 2;

    private final ExcerptAppender appender;
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

    JournalAppender(
        final ExcerptAppender appender,
        final SegmentClock clock,
        final LogSegments segments,
        final JournalRecords records,
        final long segmentLength,
        final SegmentPretoucher pretoucher)
    {
        this.appender = appender;
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
        final long index, final long term, final DirectBuffer buffer, final int offset, final int length)
    {
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
     * Start a new segment with the next write.
     */
    void roll()
    {
        clock.advance();
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
            clock.advance();
        }
        final Thread thread = Thread.currentThread();
        if (thread != owner)
        {
            appender.singleThreadedCheckReset();
            owner = thread;
        }
        try (DocumentContext context = appender.writingDocument())
        {
            final Bytes<?> bytes = context.wire().bytes();
            final long position = bytes.writePosition();
            final long address = bytes.addressForWrite(position);
            final BytesStore<?, ?> store = bytes.bytesStore();
            if (!store.inside(position, recordLength))
            {
                context.rollbackOnClose();
                throw new IllegalStateException("record of " + recordLength + " bytes does not fit the mapping");
            }
            final Segment segment = segmentFor(clock.cycle());
            segment.retain(store, segments.owner());
            try
            {
                encode(type, address, first, second, buffer, offset, length);
                bytes.writeSkip(recordLength);
            }
            catch (final RuntimeException ex)
            {
                context.rollbackOnClose();
                throw ex;
            }
            segment.onWrite(position, recordLength);
            lastAddress = address;
            if (null != pretoucher)
            {
                publish(segment, position + recordLength);
            }
        }
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
                records.writeEntry(address, first, second, buffer, offset, length);
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
            pretoucher.segment(segment.file(), nextPosition);
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
        }
        return current;
    }

    /**
     * Close the Chronicle appender.
     */
    public void close()
    {
        appender.close();
    }
}
