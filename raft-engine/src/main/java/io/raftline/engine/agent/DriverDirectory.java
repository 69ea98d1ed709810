package io.raftline.engine.agent;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.exceptions.AeronException;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Where an embedded media driver keeps its directory, and how a start reclaims the directory of a dead predecessor.
 * <p>
 * A driver's directory holds its term buffers (hundreds of megabytes on tmpfs, which is memory). A driver deletes it
 * only on a clean close, so a process killed with kill -9 leaves it behind. Every driver therefore has a stable
 * name, as Aeron's own convention has it (one named directory per driver, deleted on start): a member's is derived
 * from its data directory and id, so a restarted member reuses it; clients take the first of the numbered slots
 * {@code <name>-0}, {@code <name>-1}, ... that no live process holds, so a host never has more client directories
 * than it once had live clients. A directory is live while the process named by its CnC file runs and the driver's
 * heartbeat in it is younger than the driver timeout (Aeron's {@link CommonContext#isDriverActive}); a live one is
 * never reclaimed.
 * <p>
 * The directories go under {@link MemberConfiguration#DRIVER_DIR_BASE_PROP_NAME} (default {@code /dev/shm}, or
 * {@code java.io.tmpdir} where there is none). Starts are serialised through a lock file there, so that two
 * processes starting at once never both take the same dead directory; its holder deletes it when done.
 */
public final class DriverDirectory
{
    /**
     * Name of the lock file under the base directory that serialises claims.
     */
    public static final String LOCK_FILE_NAME = ".raftline-driver-dirs.lock";

    /**
     * Most client slots tried before giving up: more live clients than this on one host is a leak of its own.
     */
    public static final int MAX_CLIENT_SLOTS = 1024;

    private DriverDirectory()
    {
    }

    /**
     * @return the base directory from {@link MemberConfiguration#DRIVER_DIR_BASE_PROP_NAME}, or {@code /dev/shm}
     * where it is a writable directory, or {@code java.io.tmpdir}.
     */
    public static File defaultBase()
    {
        final String configured = MemberConfiguration.driverDirBase();
        if (null != configured)
        {
            return new File(configured);
        }
        final File shm = new File("/dev/shm");
        return shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
    }

    /**
     * The stable directory of a member's driver: the same for every start with the same data directory and id, and
     * different for two clusters whose data directories differ.
     *
     * @param base          under which driver directories go.
     * @param memberId      of the member.
     * @param memberDataDir the member's own data directory.
     * @return {@code <base>/raftline-member-<id>-<hash of the data directory's canonical path>}.
     */
    public static File forMember(final File base, final int memberId, final File memberDataDir)
    {
        String path;
        try
        {
            path = memberDataDir.getCanonicalPath();
        }
        catch (final IOException ex)
        {
            path = memberDataDir.getAbsolutePath();
        }
        return new File(base, "raftline-member-" + memberId + "-" + shortHash(path));
    }

    /**
     * Claim a named directory for a new driver: fine if it does not exist or its driver is dead (the driver's
     * delete-on-start then reclaims it).
     *
     * @param dir       to claim.
     * @param timeoutMs the driver timeout: a heartbeat older than this is dead.
     * @param launch    starts the driver in the directory; runs while the claim is held, so the next claimant sees
     *                  the new driver live.
     * @param <T>       the launched driver.
     * @return what launch returned.
     * @throws IllegalStateException if a live process holds the directory.
     */
    public static synchronized <T> T claim(final File dir, final long timeoutMs, final Function<File, T> launch)
    {
        try (ClaimLock lock = lock(dir.getAbsoluteFile().getParentFile()))
        {
            if (isLive(dir, timeoutMs))
            {
                throw new IllegalStateException("driver directory " + dir + " is held by live process " +
                    pid(dir) + ": is this member already running?");
            }
            return launch.apply(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Claim the first client slot {@code <base>/<name>-<n>} that no live process holds.
     *
     * @param base      under which driver directories go.
     * @param name      of the slots.
     * @param timeoutMs the driver timeout: a heartbeat older than this is dead.
     * @param launch    starts the driver in the slot's directory while the claim is held.
     * @param <T>       the launched driver.
     * @return what launch returned.
     * @throws IllegalStateException if all {@link #MAX_CLIENT_SLOTS} slots are live.
     */
    public static synchronized <T> T claimSlot(final File base, final String name, final long timeoutMs,
        final Function<File, T> launch)
    {
        try (ClaimLock lock = lock(base))
        {
            for (int slot = 0; slot < MAX_CLIENT_SLOTS; slot++)
            {
                final File dir = new File(base, name + "-" + slot);
                if (!isLive(dir, timeoutMs))
                {
                    return launch.apply(dir);
                }
            }
            throw new IllegalStateException("all " + MAX_CLIENT_SLOTS + " driver directories " + name +
                "-<n> under " + base + " are held by live processes");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param dir       of a media driver.
     * @param timeoutMs the driver timeout: a heartbeat older than this is dead.
     * @return whether a live driver holds it: the process its CnC file names runs and the driver's heartbeat is
     * younger than the timeout. A directory without a complete CnC file is not live.
     */
    public static boolean isLive(final File dir, final long timeoutMs)
    {
        final long pid = pid(dir);
        if (pid <= 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        {
            // The heartbeat of a driver killed a moment ago still looks fresh; its process is the better witness.
            return false;
        }
        try
        {
            return CommonContext.isDriverActive(dir, timeoutMs, (message) -> {});
        }
        catch (final AeronException ex)
        {
            // A CnC file that never became ready, or of another version: no driver we could share it with.
            return false;
        }
    }

    /**
     * @param dir of a media driver.
     * @return the id of the process that made its CnC file, or 0 if it has no ready one.
     */
    public static long pid(final File dir)
    {
        final File cnc = new File(dir, CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile() || cnc.length() < CncFileDescriptor.END_OF_METADATA_OFFSET)
        {
            return 0;
        }
        final MappedByteBuffer buffer;
        try
        {
            buffer = IoUtil.mapExistingFile(cnc, "CnC file");
        }
        catch (final RuntimeException ex)
        {
            return 0;
        }
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(buffer);
            final int version = metaData.getIntVolatile(CncFileDescriptor.cncVersionOffset(0));
            return CncFileDescriptor.CNC_VERSION == version ? CncFileDescriptor.pid(metaData) : 0;
        }
        finally
        {
            BufferUtil.free(buffer);
        }
    }

    private static ClaimLock lock(final File base) throws IOException
    {
        IoUtil.ensureDirectoryExists(base, "driver directory base");
        final Path path = new File(base, LOCK_FILE_NAME).toPath();
        final byte[] token = (ProcessHandle.current().pid() + "-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        while (true)
        {
            final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try
            {
                // Held until the channel closes; the kernel releases it if the process dies. Threads of this
                // process are kept apart by the methods' monitor (a second lock from the same process would throw).
                channel.lock();
                // The holder before us may have deleted the file we opened: our lock is good only if the file at
                // the path is still ours, which the token written through our channel tells.
                channel.truncate(0).write(ByteBuffer.wrap(token));
                if (Arrays.equals(token, readOrEmpty(path)))
                {
                    return new ClaimLock(path, channel);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                throw ex;
            }
            channel.close();
        }
    }

    private static byte[] readOrEmpty(final Path path) throws IOException
    {
        try
        {
            return Files.readAllBytes(path);
        }
        catch (final NoSuchFileException ex)
        {
            return new byte[0];
        }
    }

    /**
     * The lock file is deleted by its holder before it lets go, so that a host keeps nothing of a claim; a process
     * that waited on the deleted file sees that and locks a new one.
     */
    private static final class ClaimLock implements AutoCloseable
    {
        private final Path path;
        private final FileChannel channel;

        ClaimLock(final Path path, final FileChannel channel)
        {
            this.path = path;
            this.channel = channel;
        }

        public void close() throws IOException
        {
            try
            {
                Files.deleteIfExists(path);
            }
            finally
            {
                channel.close();
            }
        }
    }

    private static String shortHash(final String text)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            final StringBuilder builder = new StringBuilder();
            for (int i = 0; i < 6; i++)
            {
                builder.append(String.format("%02x", digest[i] & 0xFF));
            }
            return builder.toString();
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
