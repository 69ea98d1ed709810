package io.raftline.engine.agent;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.AeronException;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * processes starting at once never both take the same dead directory; the (empty) lock file stays.
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
     * @param launch    starts the driver in the directory; runs while the claim is held, and the claim lasts until
     *                  the new driver is live, so that the next claimant sees it live.
     * @return what launch returned.
     * @throws IllegalStateException if a live process holds the directory.
     */
    public static synchronized MediaDriver claim(final File dir, final long timeoutMs,
        final Function<File, MediaDriver> launch)
    {
        try (FileChannel lock = lock(dir.getAbsoluteFile().getParentFile()))
        {
            if (isLive(dir, timeoutMs))
            {
                throw new IllegalStateException("driver directory " + dir + " is held by live process " +
                    pid(dir) + ": is this member already running?");
            }
            return awaitLive(launch.apply(dir), dir, timeoutMs);
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
     * @param launch    starts the driver in the slot's directory while the claim is held (until it is live).
     * @return what launch returned.
     * @throws IllegalStateException if all {@link #MAX_CLIENT_SLOTS} slots are live.
     */
    public static synchronized MediaDriver claimSlot(final File base, final String name, final long timeoutMs,
        final Function<File, MediaDriver> launch)
    {
        try (FileChannel lock = lock(base))
        {
            for (int slot = 0; slot < MAX_CLIENT_SLOTS; slot++)
            {
                final File dir = new File(base, name + "-" + slot);
                if (!isLive(dir, timeoutMs))
                {
                    return awaitLive(launch.apply(dir), dir, timeoutMs);
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
     * A driver has no heartbeat in its CnC file until its conductor first runs (in invoker mode: until someone
     * invokes it), and a claimant that came meanwhile would take its directory for a dead one's.
     */
    private static MediaDriver awaitLive(final MediaDriver driver, final File dir, final long timeoutMs)
    {
        final AgentInvoker invoker = driver.sharedAgentInvoker();
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        while (!isLive(dir, timeoutMs))
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                CloseHelper.quietClose(driver);
                throw new IllegalStateException("the media driver in " + dir + " did not beat within " + timeoutMs +
                    " ms of its start");
            }
            if (null == invoker || 0 == invoker.invoke())
            {
                Thread.yield();
            }
        }
        return driver;
    }

    /**
     * @param dir       of a media driver.
     * @param timeoutMs the driver timeout: a heartbeat older than this is dead.
     * @return whether a live driver holds it: the process its CnC file names runs and the driver's heartbeat is
     * younger than the timeout. A directory without a complete CnC file is not live.
     */
    public static boolean isLive(final File dir, final long timeoutMs)
    {
        final MappedByteBuffer cnc = mapCnc(dir);
        if (null == cnc)
        {
            return false;
        }
        try
        {
            final long pid = pid(cnc);
            if (pid <= 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            {
                // The heartbeat of a driver killed a moment ago still looks fresh; its process is the better witness.
                return false;
            }
            return CommonContext.isDriverActive(timeoutMs, (message) -> {}, cnc);
        }
        catch (final AeronException | IndexOutOfBoundsException ex)
        {
            // A CnC file that never became ready, of another version, or replaced by a starting driver while it was
            // read: no driver we could share it with.
            return false;
        }
        finally
        {
            BufferUtil.free(cnc);
        }
    }

    /**
     * Aeron's own liveness check, by the driver's heartbeat alone (for a tool that may run in another process
     * namespace, where the CnC file's process id means nothing), through the read-only mapping of {@link #mapCnc}.
     *
     * @param dir       of a media driver.
     * @param timeoutMs a heartbeat older than this is dead.
     * @return whether the driver's heartbeat is younger than the timeout; false without a complete CnC file.
     * @throws AeronException if the CnC file is of another Aeron version.
     */
    public static boolean hasFreshHeartbeat(final File dir, final long timeoutMs)
    {
        final MappedByteBuffer cnc = mapCnc(dir);
        if (null == cnc)
        {
            return false;
        }
        try
        {
            return CommonContext.isDriverActive(timeoutMs, (message) -> {}, cnc);
        }
        finally
        {
            BufferUtil.free(cnc);
        }
    }

    /**
     * @param dir of a media driver.
     * @return the id of the process that made its CnC file, or 0 if it has no ready one.
     */
    public static long pid(final File dir)
    {
        final MappedByteBuffer cnc = mapCnc(dir);
        if (null == cnc)
        {
            return 0;
        }
        try
        {
            return pid(cnc);
        }
        finally
        {
            BufferUtil.free(cnc);
        }
    }

    /**
     * Map a directory's CnC file read-only, as it is at this moment.
     * <p>
     * Read-only on purpose: Agrona's {@code IoUtil.mapExistingFile} maps read-write through a
     * {@code RandomAccessFile} opened "rw", which creates the file when it is missing. A driver starting with
     * delete-on-start deletes a dead predecessor's files and then the directory; a check in between made an empty
     * CnC file again, and the driver's delete failed with DirectoryNotEmptyException (a client process died of it
     * in DriverDirectoryIT about one run in five under load; the IndexOutOfBoundsException of an empty CnC file,
     * handled in {@link #pid(MappedByteBuffer)}, was the same race).
     *
     * @param dir of a media driver.
     * @return the mapping (free it with {@link BufferUtil#free}), or null if there is no CnC file long enough to
     * hold its metadata.
     */
    static MappedByteBuffer mapCnc(final File dir)
    {
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(new File(dir, CncFileDescriptor.CNC_FILE).toPath(), StandardOpenOption.READ);
            final long length = channel.size();
            return length < CncFileDescriptor.END_OF_METADATA_OFFSET ? null :
                channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
        }
        catch (final IOException | RuntimeException ex)
        {
            // Gone, or going: a driver deleting or replacing it.
            return null;
        }
        finally
        {
            // The mapping outlives the channel; a failure to close it must not lose the mapping.
            CloseHelper.quietClose(channel);
        }
    }

    /**
     * @param cnc a mapped CnC file.
     * @return the id of the process that made it, or 0 if it is not a complete CnC file of this version. The length
     * checked before mapping does not hold: a driver starting with delete-on-start may have replaced the file by an
     * empty one in between, so the mapped bytes are checked again.
     */
    static long pid(final MappedByteBuffer cnc)
    {
        if (cnc.capacity() < CncFileDescriptor.END_OF_METADATA_OFFSET)
        {
            return 0;
        }
        final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(cnc);
        final int version = metaData.getIntVolatile(CncFileDescriptor.cncVersionOffset(0));
        return CncFileDescriptor.CNC_VERSION == version ? CncFileDescriptor.pid(metaData) : 0;
    }

    private static FileChannel lock(final File base) throws IOException
    {
        IoUtil.ensureDirectoryExists(base, "driver directory base");
        final FileChannel channel = FileChannel.open(new File(base, LOCK_FILE_NAME).toPath(),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try
        {
            // Held until the channel closes; the kernel releases it if the process dies. Threads of this process
            // are kept apart by the methods' monitor (a second lock from the same process would throw). The file
            // stays: deleting it safely would need its holder to tell whether the path still names the file it
            // locked, and any second descriptor it opened on the file to look would drop its POSIX lock.
            channel.lock();
            return channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
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
