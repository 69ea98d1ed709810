package io.raftline.engine.core;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An {@link EntryBatch} over byte arrays, for tests.
 */
final class ArrayEntryBatch implements EntryBatch
{
    private final long[] terms;
    private final byte[][] payloads;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
    private int position = -1;

    ArrayEntryBatch(final long[] terms, final byte[][] payloads)
    {
        this.terms = terms;
        this.payloads = payloads;
    }

    /**
     * Entries with the given terms, each with a one-byte payload equal to its position in the batch plus an offset.
     */
    static ArrayEntryBatch ofTerms(final long... terms)
    {
        final byte[][] payloads = new byte[terms.length][];
        for (int i = 0; i < terms.length; i++)
        {
            payloads[i] = new byte[]{(byte)terms[i], (byte)i};
        }
        return new ArrayEntryBatch(terms, payloads);
    }

    static ArrayEntryBatch empty()
    {
        return new ArrayEntryBatch(new long[0], new byte[0][]);
    }

    public int count()
    {
        return terms.length;
    }

    public boolean next()
    {
        if (position + 1 >= terms.length)
        {
            return false;
        }
        position++;
        buffer.wrap(payloads[position]);
        return true;
    }

    public long term()
    {
        return terms[position];
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return 0;
    }

    public int length()
    {
        return payloads[position].length;
    }
}
