package io.raftline.log;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The off-heap index from Raft index to where the entry lives: for entries {@code firstIndex() ..
 * firstIndex() + count() - 1}, one 24-byte slot each holding the term, the address of the payload in mapped memory,
 * the payload length and the roll cycle (segment) that holds it.
 * <p>
 * Slots are a window over one direct buffer: dropping a prefix moves the window's head, appending fills its tail,
 * and the window slides back to the start of the buffer (or the buffer doubles) when the tail reaches its end. No
 * allocation except when the buffer doubles.
 */
final class EntryIndex
{
    private static final int SLOT_LENGTH = 24;
    private static final int TERM_OFFSET = 0;
    private static final int ADDRESS_OFFSET = 8;
    private static final int LENGTH_OFFSET = 16;
    private static final int CYCLE_OFFSET = 20;

    private final UnsafeBuffer slots = new UnsafeBuffer(0, 0);
    private ByteBuffer memory;
    private int capacity;
    private int head;
    private int count;
    private long firstIndex = 1;

    EntryIndex(final int initialCapacity)
    {
        allocate(Math.max(16, initialCapacity));
    }

    long firstIndex()
    {
        return firstIndex;
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

    void add(final long term, final long address, final int length, final int cycle)
    {
        if (head + count == capacity)
        {
            makeRoom();
        }
        final int offset = (head + count) * SLOT_LENGTH;
        slots.putLong(offset + TERM_OFFSET, term);
        slots.putLong(offset + ADDRESS_OFFSET, address);
        slots.putInt(offset + LENGTH_OFFSET, length);
        slots.putInt(offset + CYCLE_OFFSET, cycle);
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
        head += dropped;
        count -= dropped;
        firstIndex = index + 1;
    }

    long term(final long index)
    {
        return slots.getLong(slotOffset(index) + TERM_OFFSET);
    }

    long address(final long index)
    {
        return slots.getLong(slotOffset(index) + ADDRESS_OFFSET);
    }

    int length(final long index)
    {
        return slots.getInt(slotOffset(index) + LENGTH_OFFSET);
    }

    int cycle(final long index)
    {
        return slots.getInt(slotOffset(index) + CYCLE_OFFSET);
    }

    private int slotOffset(final long index)
    {
        return (head + (int)(index - firstIndex)) * SLOT_LENGTH;
    }

    private void makeRoom()
    {
        if (head >= capacity / 2)
        {
            slots.putBytes(0, slots, head * SLOT_LENGTH, count * SLOT_LENGTH);
            head = 0;
        }
        else
        {
            // The UnsafeBuffer holds the old ByteBuffer, so its memory lives until the copy is done.
            final UnsafeBuffer old = new UnsafeBuffer(memory, head * SLOT_LENGTH, count * SLOT_LENGTH);
            allocate(capacity * 2);
            slots.putBytes(0, old, 0, count * SLOT_LENGTH);
            head = 0;
        }
    }

    private void allocate(final int newCapacity)
    {
        if (newCapacity > Integer.MAX_VALUE / SLOT_LENGTH)
        {
            throw new IllegalStateException("log index cannot hold " + newCapacity + " entries");
        }
        memory = ByteBuffer.allocateDirect(newCapacity * SLOT_LENGTH);
        slots.wrap(memory);
        capacity = newCapacity;
    }
}
