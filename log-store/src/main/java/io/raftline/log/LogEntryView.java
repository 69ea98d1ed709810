package io.raftline.log;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable flyweight over one log entry in the log's own storage. Filled by {@link RaftLog#read(long,
 * LogEntryView)}; valid until the log is next mutated. Allocates nothing after construction.
 */
public final class LogEntryView
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private long index;
    private long term;
    private long timestamp;
    private int offset;
    private int length;

    /**
     * Point the view at an entry held in a byte array.
     *
     * @param index  of the entry.
     * @param term   of the entry.
     * @param bytes  holding the payload.
     * @param offset of the payload in the array.
     * @param length of the payload.
     * @return this for a fluent API.
     */
    public LogEntryView wrap(final long index, final long term, final byte[] bytes, final int offset, final int length)
    {
        this.index = index;
        this.term = term;
        this.timestamp = RaftLog.NO_TIMESTAMP;
        buffer.wrap(bytes, offset, length);
        this.offset = 0;
        this.length = length;
        return this;
    }

    /**
     * Point the view at an entry held in off-heap or mapped memory.
     *
     * @param index   of the entry.
     * @param term    of the entry.
     * @param address of the first payload byte.
     * @param length  of the payload.
     * @return this for a fluent API.
     */
    public LogEntryView wrapAddress(final long index, final long term, final long address, final int length)
    {
        this.index = index;
        this.term = term;
        this.timestamp = RaftLog.NO_TIMESTAMP;
        buffer.wrap(address, length);
        this.offset = 0;
        this.length = length;
        return this;
    }

    /**
     * Point the view at an entry held in another buffer.
     *
     * @param index  of the entry.
     * @param term   of the entry.
     * @param source holding the payload.
     * @param offset of the payload in the source.
     * @param length of the payload.
     * @return this for a fluent API.
     */
    public LogEntryView wrap(
        final long index, final long term, final DirectBuffer source, final int offset, final int length)
    {
        this.index = index;
        this.term = term;
        this.timestamp = RaftLog.NO_TIMESTAMP;
        if (0 == length)
        {
            buffer.wrap(source, 0, 0);
        }
        else
        {
            buffer.wrap(source, offset, length);
        }
        this.offset = 0;
        this.length = length;
        return this;
    }

    /**
     * Set the cluster time of the entry the view wraps; the {@code wrap} methods reset it to
     * {@link RaftLog#NO_TIMESTAMP}, so call this after them.
     *
     * @param timestamp of the entry, ns since the epoch.
     * @return this for a fluent API.
     */
    public LogEntryView timestamp(final long timestamp)
    {
        this.timestamp = timestamp;
        return this;
    }

    /**
     * @return the cluster time the leader stamped the entry with, ns since the epoch, or
     * {@link RaftLog#NO_TIMESTAMP} for an entry written without one.
     */
    public long timestamp()
    {
        return timestamp;
    }

    /**
     * @return the index of the entry.
     */
    public long index()
    {
        return index;
    }

    /**
     * @return the term of the entry.
     */
    public long term()
    {
        return term;
    }

    /**
     * @return the buffer holding the payload, at {@link #offset()}.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the offset of the payload in {@link #buffer()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @return the payload length in bytes.
     */
    public int length()
    {
        return length;
    }
}
