package io.raftline.log;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Streams a snapshot into a temporary file behind a blank header, computing the data's CRC32C on the way; on
 * commit writes the header, forces the file, renames it to its final name and forces the directory, then publishes
 * it to the store.
 */
final class FileSnapshotWriter implements SnapshotWriter
{
    private static final int CHUNK = 64 * 1024;

    private final FileSnapshotStore store;
    private final long index;
    private final long term;
    private final Path temporary;
    private final boolean isForced;
    private final FileChannel channel;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
    private final UnsafeBuffer chunkBuffer = new UnsafeBuffer(chunk);
    private final CRC32C crc = new CRC32C();
    private long length;
    private boolean isDone;

    FileSnapshotWriter(
        final FileSnapshotStore store, final long index, final long term, final Path temporary, final boolean isForced)
    {
        this.store = store;
        this.index = index;
        this.term = term;
        this.temporary = temporary;
        this.isForced = isForced;
        try
        {
            channel = FileChannel.open(temporary,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
            channel.position(SnapshotFiles.HEADER_LENGTH);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + temporary, ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void write(final DirectBuffer buffer, final int offset, final int length)
    {
        checkOpen();
        int done = 0;
        try
        {
            while (done < length)
            {
                final int part = Math.min(CHUNK, length - done);
                chunkBuffer.putBytes(0, buffer, offset + done, part);
                chunk.clear().limit(part);
                crc.update(chunk);
                chunk.flip();
                while (chunk.hasRemaining())
                {
                    channel.write(chunk);
                }
                done += part;
            }
        }
        catch (final IOException ex)
        {
            abort();
            throw new UncheckedIOException("cannot write " + temporary, ex);
        }
        this.length += length;
    }

    /**
     * {@inheritDoc}
     */
    public long length()
    {
        return length;
    }

    /**
     * {@inheritDoc}
     */
    public long checksum()
    {
        return crc.getValue();
    }

    /**
     * {@inheritDoc}
     */
    public SnapshotMetadata commit()
    {
        checkOpen();
        isDone = true;
        final Path target = temporary.resolveSibling(SnapshotFiles.name(index, term));
        final long checksum = crc.getValue();
        try
        {
            final ByteBuffer header = ByteBuffer.allocateDirect(SnapshotFiles.HEADER_LENGTH);
            SnapshotFiles.encodeHeader(header, index, term, length, checksum);
            long position = 0;
            while (header.hasRemaining())
            {
                position += channel.write(header, position);
            }
            if (isForced)
            {
                channel.force(true);
            }
            channel.close();
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (isForced)
            {
                FileSync.forceDirectory(target.getParent());
            }
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            deleteTemporary();
            throw new UncheckedIOException("the file system cannot rename " + temporary + " atomically", ex);
        }
        catch (final IOException ex)
        {
            deleteTemporary();
            throw new UncheckedIOException("cannot commit snapshot " + target, ex);
        }
        final SnapshotMetadata metadata = new SnapshotMetadata(index, term, length, checksum);
        store.publish(metadata, target);
        return metadata;
    }

    /**
     * {@inheritDoc}
     */
    public void abort()
    {
        if (!isDone)
        {
            isDone = true;
            deleteTemporary();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        abort();
    }

    private void checkOpen()
    {
        if (isDone)
        {
            throw new IllegalStateException("snapshot writer for index " + index + " is closed");
        }
    }

    private void deleteTemporary()
    {
        try
        {
            channel.close();
            Files.deleteIfExists(temporary);
        }
        catch (final IOException ignore)
        {
            // A leftover temporary file is deleted when the store next opens.
        }
    }
}
