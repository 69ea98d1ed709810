package io.raftline.log;

import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * Entries {@code baseIndex + 1 .. baseIndex + count} on the heap: parallel arrays of term, offset and length over
 * one growing byte array. Appends are amortised O(1); compaction copies the surviving tail down.
 */
final class EntryTable
{
    private long baseIndex;
    private long baseTerm;
    private int count;
    private long[] terms = new long[64];
    private long[] timestamps = new long[64];
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];
    private byte[] data = new byte[4096];
    private int dataLimit;

    long baseIndex()
    {
        return baseIndex;
    }

    long baseTerm()
    {
        return baseTerm;
    }

    long lastIndex()
    {
        return baseIndex + count;
    }

    long lastTerm()
    {
        return 0 == count ? baseTerm : terms[count - 1];
    }

    long termAt(final long index)
    {
        if (index == baseIndex)
        {
            return baseTerm;
        }
        if (index < baseIndex || index > baseIndex + count)
        {
            return RaftLog.NULL_TERM;
        }
        return terms[(int)(index - baseIndex - 1)];
    }

    long append(final long term, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        ensureEntryCapacity(count + 1);
        ensureDataCapacity(dataLimit + length);
        buffer.getBytes(offset, data, dataLimit, length);
        terms[count] = term;
        timestamps[count] = timestamp;
        offsets[count] = dataLimit;
        lengths[count] = length;
        dataLimit += length;
        count++;
        return baseIndex + count;
    }

    long append(final long term, final long timestamp, final byte[] bytes)
    {
        ensureEntryCapacity(count + 1);
        ensureDataCapacity(dataLimit + bytes.length);
        System.arraycopy(bytes, 0, data, dataLimit, bytes.length);
        terms[count] = term;
        timestamps[count] = timestamp;
        offsets[count] = dataLimit;
        lengths[count] = bytes.length;
        dataLimit += bytes.length;
        count++;
        return baseIndex + count;
    }

    boolean read(final long index, final LogEntryView view)
    {
        if (index <= baseIndex || index > baseIndex + count)
        {
            return false;
        }
        final int i = (int)(index - baseIndex - 1);
        view.wrap(index, terms[i], data, offsets[i], lengths[i]).timestamp(timestamps[i]);
        return true;
    }

    long timestampAt(final long index)
    {
        return timestamps[(int)(index - baseIndex - 1)];
    }

    byte[] copyPayload(final long index)
    {
        final int i = (int)(index - baseIndex - 1);
        return Arrays.copyOfRange(data, offsets[i], offsets[i] + lengths[i]);
    }

    void truncateAfter(final long index)
    {
        if (index < baseIndex)
        {
            throw new IllegalArgumentException("truncateAfter(" + index + ") is below baseIndex=" + baseIndex);
        }
        if (index >= baseIndex + count)
        {
            return;
        }
        count = (int)(index - baseIndex);
        dataLimit = 0 == count ? 0 : offsets[count - 1] + lengths[count - 1];
    }

    void compactTo(final long index)
    {
        if (index < baseIndex || index > baseIndex + count)
        {
            throw new IllegalArgumentException(
                "compactTo(" + index + ") is outside baseIndex=" + baseIndex + " lastIndex=" + lastIndex());
        }
        if (index == baseIndex)
        {
            return;
        }
        final int dropped = (int)(index - baseIndex);
        final long newBaseTerm = terms[dropped - 1];
        final int remaining = count - dropped;
        final int dataStart = 0 == remaining ? dataLimit : offsets[dropped];
        System.arraycopy(terms, dropped, terms, 0, remaining);
        System.arraycopy(timestamps, dropped, timestamps, 0, remaining);
        System.arraycopy(lengths, dropped, lengths, 0, remaining);
        for (int i = 0; i < remaining; i++)
        {
            offsets[i] = offsets[i + dropped] - dataStart;
        }
        System.arraycopy(data, dataStart, data, 0, dataLimit - dataStart);
        dataLimit -= dataStart;
        count = remaining;
        baseIndex = index;
        baseTerm = newBaseTerm;
    }

    void reset(final long baseIndex, final long baseTerm)
    {
        this.baseIndex = baseIndex;
        this.baseTerm = baseTerm;
        count = 0;
        dataLimit = 0;
    }

    void copyFrom(final EntryTable other)
    {
        baseIndex = other.baseIndex;
        baseTerm = other.baseTerm;
        count = other.count;
        terms = Arrays.copyOf(other.terms, Math.max(64, other.count));
        timestamps = Arrays.copyOf(other.timestamps, Math.max(64, other.count));
        offsets = Arrays.copyOf(other.offsets, Math.max(64, other.count));
        lengths = Arrays.copyOf(other.lengths, Math.max(64, other.count));
        data = Arrays.copyOf(other.data, Math.max(4096, other.dataLimit));
        dataLimit = other.dataLimit;
    }

    long payloadBytes()
    {
        return dataLimit;
    }

    private void ensureEntryCapacity(final int required)
    {
        if (required > terms.length)
        {
            final int newLength = Math.max(required, terms.length * 2);
            terms = Arrays.copyOf(terms, newLength);
            timestamps = Arrays.copyOf(timestamps, newLength);
            offsets = Arrays.copyOf(offsets, newLength);
            lengths = Arrays.copyOf(lengths, newLength);
        }
    }

    private void ensureDataCapacity(final int required)
    {
        if (required > data.length)
        {
            data = Arrays.copyOf(data, Math.max(required, data.length * 2));
        }
    }
}
