package io.raftline.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on a file in a store's directory, held while the store is open. The kernel drops it when the
 * process dies, however it dies, so holding it proves no other live process (or other store in this one) is using
 * the directory: locks that a killed writer left inside Chronicle's own metadata can then be cleared safely.
 */
final class DirectoryLock implements AutoCloseable
{
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param lockFile to lock, created if absent.
     * @return the held lock.
     * @throws IllegalStateException if another process or another open store holds it.
     */
    static DirectoryLock acquire(final Path lockFile)
    {
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (null == lock)
            {
                throw new IllegalStateException(lockFile + " is locked by another process: the store is in use");
            }
            return new DirectoryLock(channel, lock);
        }
        catch (final OverlappingFileLockException ex)
        {
            closeQuietly(channel);
            throw new IllegalStateException(lockFile + " is locked by this process: the store is already open", ex);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + lockFile, ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    /**
     * Release the lock.
     */
    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException ignore)
        {
            // Closing the channel below releases it as well.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // Nothing to do: the lock dies with the channel.
            }
        }
    }
}
