package io.raftline.log;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a committed snapshot file at any offset through a small direct buffer.
 */
final class FileSnapshotReader implements SnapshotReader
{
    private static final int CHUNK = 64 * 1024;

    private final SnapshotMetadata metadata;
    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
    private final UnsafeBuffer chunkBuffer = new UnsafeBuffer(chunk);

    FileSnapshotReader(final SnapshotMetadata metadata, final Path file)
    {
        this.metadata = metadata;
        this.file = file;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open snapshot " + file, ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public SnapshotMetadata metadata()
    {
        return metadata;
    }

    /**
     * {@inheritDoc}
     */
    public int read(final long position, final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
    {
        final long remaining = metadata.length() - position;
        if (position < 0 || remaining <= 0 || maxLength <= 0)
        {
            return 0;
        }
        final int length = (int)Math.min(Math.min(remaining, maxLength), CHUNK);
        chunk.clear().limit(length);
        try
        {
            SnapshotFiles.readFully(channel, chunk, SnapshotFiles.HEADER_LENGTH + position);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read snapshot " + file + " at " + position, ex);
        }
        dst.putBytes(dstOffset, chunkBuffer, 0, length);
        return length;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // Read-only channel: nothing is lost.
        }
    }
}
