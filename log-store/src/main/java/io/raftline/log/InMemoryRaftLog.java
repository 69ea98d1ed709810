package io.raftline.log;

import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link RaftLog} on the heap for simulation and tests, which models a crash honestly.
 * <p>
 * It keeps two images of the log: the one readers see, and the durable one as of the last {@link #sync()}. Every
 * mutation since that sync is also kept, in order, as a journal. {@link #crash(int)} keeps a prefix of that journal
 * (what a crashed machine may happen to have written to disk in order) and throws the rest away; {@link #crash()}
 * keeps nothing that was not synced. Either way the log afterwards looks like the one a restarted process would
 * open.
 * <p>
 * With {@code modelsCrashes == false} no journal or durable image is kept: {@code sync()} is free and
 * {@code crash()} is refused. Benchmarks use that mode.
 */
public final class InMemoryRaftLog implements RaftLog
{
    private static final int APPEND = 0;
    private static final int TRUNCATE = 1;
    private static final int COMPACT = 2;
    private static final int RESET = 3;

    private final EntryTable current = new EntryTable();
    private final EntryTable durable;
    private final List<Operation> unsynced;
    private long syncCount;

    /**
     * A log that models crashes.
     */
    public InMemoryRaftLog()
    {
        this(true);
    }

    /**
     * @param modelsCrashes whether to keep what {@link #crash()} needs.
     */
    public InMemoryRaftLog(final boolean modelsCrashes)
    {
        durable = modelsCrashes ? new EntryTable() : null;
        unsynced = modelsCrashes ? new ArrayList<>() : null;
    }

    /**
     * {@inheritDoc}
     */
    public long baseIndex()
    {
        return current.baseIndex();
    }

    /**
     * {@inheritDoc}
     */
    public long baseTerm()
    {
        return current.baseTerm();
    }

    /**
     * {@inheritDoc}
     */
    public long lastIndex()
    {
        return current.lastIndex();
    }

    /**
     * {@inheritDoc}
     */
    public long lastTerm()
    {
        return current.lastTerm();
    }

    /**
     * {@inheritDoc}
     */
    public long termAt(final long index)
    {
        return current.termAt(index);
    }

    /**
     * {@inheritDoc}
     */
    public long append(
        final long term, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        if (term < current.lastTerm())
        {
            throw new IllegalArgumentException("append term=" + term + " is below lastTerm=" + current.lastTerm());
        }
        final long index = current.append(term, timestamp, buffer, offset, length);
        if (null != unsynced)
        {
            final Operation operation = new Operation(APPEND, term, current.copyPayload(index));
            operation.timestamp = timestamp;
            unsynced.add(operation);
        }
        return index;
    }

    /**
     * {@inheritDoc}
     */
    public boolean read(final long index, final LogEntryView view)
    {
        return current.read(index, view);
    }

    /**
     * {@inheritDoc}
     */
    public void truncateAfter(final long index)
    {
        if (index >= current.lastIndex())
        {
            return;
        }
        current.truncateAfter(index);
        if (null != unsynced)
        {
            unsynced.add(new Operation(TRUNCATE, index, null));
        }
    }

    /**
     * {@inheritDoc}
     */
    public void compactTo(final long index)
    {
        current.compactTo(index);
        if (null != unsynced)
        {
            unsynced.add(new Operation(COMPACT, index, null));
        }
    }

    /**
     * {@inheritDoc}
     */
    public void reset(final long baseIndex, final long baseTerm)
    {
        current.reset(baseIndex, baseTerm);
        if (null != unsynced)
        {
            final Operation operation = new Operation(RESET, baseIndex, null);
            operation.baseTerm = baseTerm;
            unsynced.add(operation);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void sync()
    {
        syncCount++;
        if (null != unsynced && !unsynced.isEmpty())
        {
            for (final Operation operation : unsynced)
            {
                operation.applyTo(durable);
            }
            unsynced.clear();
        }
    }

    /**
     * @return how many times {@link #sync()} was called.
     */
    public long syncCount()
    {
        return syncCount;
    }

    /**
     * @return the number of mutations since the last {@link #sync()}.
     */
    public int unsyncedOperations()
    {
        return null == unsynced ? 0 : unsynced.size();
    }

    /**
     * Simulate a crash that loses everything not synced: the log becomes its durable image.
     */
    public void crash()
    {
        crash(0);
    }

    /**
     * Simulate a crash after which the first {@code keptOperations} unsynced mutations happened to reach the disk
     * and the rest did not.
     *
     * @param keptOperations how many of the {@link #unsyncedOperations()} survive, from the oldest.
     */
    public void crash(final int keptOperations)
    {
        if (null == unsynced)
        {
            throw new IllegalStateException("this log does not model crashes");
        }
        final int kept = Math.min(Math.max(0, keptOperations), unsynced.size());
        for (int i = 0; i < kept; i++)
        {
            unsynced.get(i).applyTo(durable);
        }
        unsynced.clear();
        current.copyFrom(durable);
    }

    /**
     * @return the bytes of payload the log holds now, a measure of its size on disk.
     */
    public long payloadBytes()
    {
        return current.payloadBytes();
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
    }

    private static final class Operation
    {
        final int type;
        final long value;
        final byte[] payload;
        long baseTerm;
        long timestamp;

        Operation(final int type, final long value, final byte[] payload)
        {
            this.type = type;
            this.value = value;
            this.payload = payload;
        }

        void applyTo(final EntryTable table)
        {
            switch (type)
            {
                case APPEND:
                    table.append(value, timestamp, payload);
                    break;
                case TRUNCATE:
                    table.truncateAfter(value);
                    break;
                case COMPACT:
                    table.compactTo(value);
                    break;
                case RESET:
                    table.reset(value, baseTerm);
                    break;
                default:
                    throw new IllegalStateException("unknown operation type " + type);
            }
        }
    }
}
