package io.raftline.log;

import org.agrona.MutableDirectBuffer;

import java.nio.file.Path;

/**
 * What the crash test's child writes and the parent checks: the log settings and the payload of each (index, term).
 */
final class CrashWorkload
{
    static final int MAX_PAYLOAD = 700;

    private CrashWorkload()
    {
    }

    static ChronicleLogContext context(final Path dir, final Durability durability)
    {
        return new ChronicleLogContext()
            .directory(dir)
            .durability(durability)
            .segmentLength(64 * 1024)
            .blockLength(256 * 1024)
            // Small enough that the pretoucher makes every next segment ahead: kills land in that too.
            .pretouchLength(16 * 1024)
            .maxEntryLength(MAX_PAYLOAD);
    }

    static int payloadLength(final long index, final long term)
    {
        return (int)((index * 31 + term * 7) % MAX_PAYLOAD);
    }

    static byte payloadByte(final long index, final long term, final int i)
    {
        return (byte)(index * 131 + term * 17 + i * 7);
    }

    static int fillPayload(final MutableDirectBuffer buffer, final long index, final long term)
    {
        final int length = payloadLength(index, term);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, payloadByte(index, term, i));
        }
        return length;
    }
}
