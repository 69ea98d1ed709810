package io.raftline.perf.baseline;

import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A uniquely named directory that a baseline owns for its lifetime and deletes, with everything in it, on close.
 * Media driver directories go to shared memory ({@code /dev/shm}): a killed run leaves the driver's ~100 MB of log
 * buffers behind, and in {@code /dev/shm} they are at least easy to find. Archive and cluster files go to the
 * ordinary temporary directory, as Raftline's own log does.
 */
public final class ScratchDirectory implements AutoCloseable
{
    private static final File SHARED_MEMORY = new File("/dev/shm");

    private final File dir;

    private ScratchDirectory(final File dir)
    {
        this.dir = dir;
    }

    /**
     * @param prefix of the directory's name.
     * @return a new directory under {@code /dev/shm}, or under {@code java.io.tmpdir} where there is none.
     */
    public static ScratchDirectory inSharedMemory(final String prefix)
    {
        final boolean hasShm = SHARED_MEMORY.isDirectory() && SHARED_MEMORY.canWrite();
        return create(hasShm ? SHARED_MEMORY.toPath() : tempDir(), prefix);
    }

    /**
     * @param prefix of the directory's name.
     * @return a new directory under {@code java.io.tmpdir}.
     */
    public static ScratchDirectory onDisk(final String prefix)
    {
        return create(tempDir(), prefix);
    }

    private static ScratchDirectory create(final Path parent, final String prefix)
    {
        try
        {
            return new ScratchDirectory(Files.createTempDirectory(parent, prefix + "-").toFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Path tempDir()
    {
        return new File(System.getProperty("java.io.tmpdir")).toPath();
    }

    /**
     * @return the directory.
     */
    public File dir()
    {
        return dir;
    }

    /**
     * @param name of an entry inside the directory (not created here).
     * @return the entry's absolute path.
     */
    public String path(final String name)
    {
        return new File(dir, name).getAbsolutePath();
    }

    /**
     * Delete the directory and everything in it.
     */
    public void close()
    {
        IoUtil.delete(dir, true);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return dir.getAbsolutePath();
    }
}
