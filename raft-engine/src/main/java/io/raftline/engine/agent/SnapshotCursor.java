package io.raftline.engine.agent;

import io.raftline.engine.SnapshotInput;
import io.raftline.log.SnapshotReader;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads a snapshot front to back: the engine's section with typed reads, then the service's bytes as a
 * {@link SnapshotInput}.
 */
final class SnapshotCursor implements SnapshotInput
{
    private final SnapshotReader reader;
    private final long length;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[8]);
    private long position;

    SnapshotCursor(final SnapshotReader reader)
    {
        this.reader = reader;
        this.length = reader.metadata().length();
    }

    public long remaining()
    {
        return length - position;
    }

    public int read(final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
    {
        final int read = reader.read(position, dst, dstOffset, (int)Math.min(maxLength, remaining()));
        position += read;
        return read;
    }

    public void readFully(final byte[] dst)
    {
        final UnsafeBuffer target = new UnsafeBuffer(dst);
        int done = 0;
        while (done < dst.length)
        {
            final int read = read(target, done, dst.length - done);
            if (read <= 0)
            {
                throw new IllegalStateException("snapshot at index " + reader.metadata().index() + " ends at " +
                    position + ", " + (dst.length - done) + " bytes short");
            }
            done += read;
        }
    }

    long readLong()
    {
        fill(8);
        return scratch.getLong(0, ByteOrder.LITTLE_ENDIAN);
    }

    int readInt()
    {
        fill(4);
        return scratch.getInt(0, ByteOrder.LITTLE_ENDIAN);
    }

    byte[] readBytes(final int count)
    {
        final byte[] bytes = new byte[count];
        readFully(bytes);
        return bytes;
    }

    String readAscii()
    {
        final int count = readInt();
        if (count < 0 || count > remaining())
        {
            throw new IllegalStateException("snapshot at index " + reader.metadata().index() +
                " has a string of length " + count + " at " + (position - 4));
        }
        return new String(readBytes(count), StandardCharsets.US_ASCII);
    }

    private void fill(final int count)
    {
        int done = 0;
        while (done < count)
        {
            final int read = read(scratch, done, count - done);
            if (read <= 0)
            {
                throw new IllegalStateException("snapshot at index " + reader.metadata().index() +
                    " ends at " + position + " inside a field");
            }
            done += read;
        }
    }
}
