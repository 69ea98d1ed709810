package io.raftline.engine.sim;

import org.agrona.DirectBuffer;

/**
 * 64-bit hashes of log entries and chains of them, for the simulator's invariant checks.
 */
final class Hashing
{
    private Hashing()
    {
    }

    static long entry(final long term, final DirectBuffer buffer, final int offset, final int length)
    {
        long hash = 0xcbf29ce484222325L ^ term;
        for (int i = 0; i < length; i++)
        {
            hash ^= buffer.getByte(offset + i) & 0xFF;
            hash *= 0x100000001b3L;
        }
        return mix(hash ^ length);
    }

    /**
     * An entry with its cluster time: two logs that agree on this agree on the time of every entry too.
     */
    static long entry(
        final long term, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        return mix(entry(term, buffer, offset, length) + timestamp * 0x9E3779B97F4A7C15L);
    }

    static long entry(final long term, final byte[] bytes)
    {
        long hash = 0xcbf29ce484222325L ^ term;
        for (final byte b : bytes)
        {
            hash ^= b & 0xFF;
            hash *= 0x100000001b3L;
        }
        return mix(hash ^ bytes.length);
    }

    static long chain(final long previous, final long entryHash)
    {
        return mix(previous * 0x9E3779B97F4A7C15L + entryHash);
    }

    private static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
