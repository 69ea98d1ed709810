package io.raftline.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * File-system steps shared by the stores: forcing a directory after a create, rename or delete, writing a small
 * file atomically.
 */
final class FileSync
{
    private FileSync()
    {
    }

    /**
     * Force a directory's entries to disk so that files created, renamed or deleted in it stay so after a machine
     * crash (Linux needs an fsync on the directory itself for that).
     *
     * @param directory to force.
     * @throws IOException if it cannot be forced.
     */
    static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /**
     * Replace a file's contents atomically: write a temporary file beside it, optionally force it, rename it over
     * the target, optionally force the directory. A crash at any point leaves either the old or the new contents.
     *
     * @param target  the file to replace.
     * @param content the new contents, from position to limit.
     * @param isForce whether to force the data and the rename to disk (else atomic for a process crash only).
     * @throws IOException if a step fails.
     */
    static void replaceAtomically(final Path target, final ByteBuffer content, final boolean isForce)
        throws IOException
    {
        final Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(
            temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
        {
            while (content.hasRemaining())
            {
                channel.write(content);
            }
            if (isForce)
            {
                channel.force(true);
            }
        }
        try
        {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            throw new IOException("the file system of " + target + " cannot rename atomically", ex);
        }
        if (isForce)
        {
            forceDirectory(target.getParent());
        }
    }
}
