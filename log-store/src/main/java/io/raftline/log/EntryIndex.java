package io.raftline.log;

import org.agrona.BitUtil;
import org.agrona.UnsafeApi;

/**
 * The off-heap index from Raft index to where the entry lives: for entries {@code firstIndex() ..
 * firstIndex() + count() - 1}, one 8-byte slot each holding the address of the entry's record in mapped memory.
 * Term and length are read from the record itself ({@link JournalRecords#entryTerm(long)}): an append then writes
 * 8 bytes of index besides its record, which matters when appends are bound by touching new memory.
 * <p>
 * The slots form a ring in natively allocated memory with a power-of-two number of slots, so dropping a compacted
 * prefix only moves the head and nothing is ever shifted. When the ring is full it doubles with
 * {@code realloc} (which large blocks get by remapping pages, without copying them) and moves only the wrapped part.
 * No allocation on the Java heap after construction. {@link #close()} frees the memory.
 */
final class EntryIndex implements AutoCloseable
{
    private static final int SLOT_LENGTH = 8;

    private long memory;
    private int capacity;
    private int mask;
    private int head;
    private int count;
    private long firstIndex = 1;

    EntryIndex(final int initialCapacity)
    {
        capacity = BitUtil.findNextPositivePowerOfTwo(Math.max(16, initialCapacity));
        mask = capacity - 1;
        memory = UnsafeApi.allocateMemory((long)capacity * SLOT_LENGTH);
    }

    long firstIndex()
    {
        return firstIndex;
    }

    /**
     * @return entries the index holds before it grows again.
     */
    int capacity()
    {
        return capacity;
    }

    int count()
    {
        return count;
    }

    /**
     * @return the index the next {@link #add} must carry.
     */
    long nextIndex()
    {
        return firstIndex + count;
    }

    /**
     * Empty the index; the next entry added must be {@code nextIndex}.
     *
     * @param nextIndex of the next entry.
     */
    void reset(final long nextIndex)
    {
        head = 0;
        count = 0;
        firstIndex = nextIndex;
    }

    /**
     * @param recordAddress address of the next entry's record.
     */
    void add(final long recordAddress)
    {
        if (count == capacity)
        {
            grow();
        }
        UnsafeApi.putLong(memory + (long)((head + count) & mask) * SLOT_LENGTH, recordAddress);
        count++;
    }

    /**
     * Keep entries up to and including {@code index}.
     *
     * @param index the last index to keep; below {@link #firstIndex()} empties the index.
     */
    void truncateAfter(final long index)
    {
        if (index < firstIndex)
        {
            count = 0;
        }
        else if (index - firstIndex + 1 < count)
        {
            count = (int)(index - firstIndex + 1);
        }
    }

    /**
     * Drop entries up to and including {@code index}; the index then starts at {@code index + 1} at the latest.
     *
     * @param index the last index to drop.
     */
    void dropUpTo(final long index)
    {
        if (index < firstIndex)
        {
            return;
        }
        if (index >= firstIndex + count - 1)
        {
            reset(index + 1);
            return;
        }
        final int dropped = (int)(index - firstIndex + 1);
        head = (head + dropped) & mask;
        count -= dropped;
        firstIndex = index + 1;
    }

    /**
     * @param index from {@link #firstIndex()} to {@link #nextIndex()} - 1; not checked, callers check the range.
     * @return the address of the entry's record.
     */
    long address(final long index)
    {
        return UnsafeApi.getLong(memory + (long)((head + (int)(index - firstIndex)) & mask) * SLOT_LENGTH);
    }

    /**
     * @param index from {@link #firstIndex()} to {@link #nextIndex()} - 1.
     * @return the entry's term, read from its record.
     */
    long term(final long index)
    {
        return JournalRecords.entryTerm(address(index));
    }

    /**
     * Free the index's memory; it must not be used afterwards.
     */
    public void close()
    {
        if (0 != memory)
        {
            UnsafeApi.freeMemory(memory);
            memory = 0;
        }
    }

    private void grow()
    {
        if (capacity >= 1 << 30)
        {
            throw new IllegalStateException("log index cannot hold more than " + capacity + " entries");
        }
        final int oldCapacity = capacity;
        capacity = oldCapacity * 2;
        mask = capacity - 1;
        memory = UnsafeApi.reallocateMemory(memory, (long)capacity * SLOT_LENGTH);
        // The ring was full: slots head..oldCapacity-1 then 0..head-1. Move the wrapped part after the rest.
        if (head > 0)
        {
            UnsafeApi.copyMemory(memory, memory + (long)oldCapacity * SLOT_LENGTH, (long)head * SLOT_LENGTH);
        }
    }
}
