package io.raftline.engine.agent;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A driver directory held by a live process is never reclaimed; one left by a process killed with kill -9 is, by
 * the next start that claims it.
 */
@Timeout(120)
class DriverDirectoryTest
{
    private static final long TIMEOUT_MS = CommonContext.DRIVER_TIMEOUT_MS;

    private File base;
    private Process child;

    @BeforeEach
    void makeBase() throws IOException
    {
        final File shm = new File("/dev/shm");
        final File parent = shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
        base = Files.createTempDirectory(parent.toPath(), "raftline-driver-dir-test-").toFile();
    }

    @AfterEach
    void removeBase() throws InterruptedException
    {
        if (null != child)
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        IoUtil.delete(base, true);
    }

    @Test
    void aCncFileEmptiedAfterItsLengthWasCheckedNamesNoProcess() throws IOException
    {
        // A starting driver with delete-on-start replaces its CnC file by an empty one; a reader that checked the
        // length a moment earlier maps 0 bytes. It must see "no process", not throw (DriverDirectoryIT caught an
        // IndexOutOfBoundsException from this race once under load).
        final File cnc = new File(base, "cnc.dat");
        Files.write(cnc.toPath(), new byte[0]);
        try (FileChannel channel = FileChannel.open(cnc.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedByteBuffer empty = channel.map(FileChannel.MapMode.READ_WRITE, 0, 0);
            assertEquals(0, DriverDirectory.pid(empty));
        }
    }

    /**
     * A driver starting with delete-on-start deletes a dead predecessor's files, then its directory; another process
     * checks the directory meanwhile (a claimant, a test, a tool). Mapping the CnC file read-write opened it with
     * "rw", which made it again when it had just been deleted: the driver's delete then failed with
     * DirectoryNotEmptyException (DriverDirectoryIT's client died of it about one run in five under load). Checking
     * must never create anything.
     */
    @Test
    void checkingADirectoryWhileItIsDeletedNeverMakesItsCncFileAgain() throws Exception
    {
        final File dir = new File(base, "slot");
        final File cnc = new File(dir, CncFileDescriptor.CNC_FILE);
        final byte[] content = new byte[CncFileDescriptor.END_OF_METADATA_OFFSET + 64];
        final AtomicBoolean isDone = new AtomicBoolean();
        final AtomicLong checks = new AtomicLong();
        final Thread checker = new Thread(() ->
        {
            while (!isDone.get())
            {
                DriverDirectory.isLive(dir, TIMEOUT_MS);
                DriverDirectory.pid(dir);
                checks.incrementAndGet();
            }
        });
        checker.start();
        int recreated = 0;
        try
        {
            for (int i = 0; i < 100_000; i++)
            {
                Files.createDirectories(dir.toPath());
                Files.write(cnc.toPath(), content);
                Files.delete(cnc.toPath());
                try
                {
                    Files.delete(dir.toPath());
                }
                catch (final DirectoryNotEmptyException ex)
                {
                    recreated++;
                    IoUtil.delete(dir, true);
                }
            }
        }
        finally
        {
            isDone.set(true);
            checker.join();
        }
        assertTrue(checks.get() > 0, "the checker ran");
        assertEquals(0, recreated, "deletes that found the CnC file made again, in 100,000 (checks: " + checks + ")");
    }

    @Test
    void memberDirectoryIsStableAndNamedByDataDirectoryAndId()
    {
        final File dataDir = new File(base, "data/member-0");
        assertEquals(DriverDirectory.forMember(base, 0, dataDir), DriverDirectory.forMember(base, 0, dataDir));
        assertNotEquals(DriverDirectory.forMember(base, 0, dataDir),
            DriverDirectory.forMember(base, 1, new File(base, "data/member-1")));
        assertNotEquals(DriverDirectory.forMember(base, 0, dataDir),
            DriverDirectory.forMember(base, 0, new File(base, "other-cluster/member-0")),
            "two clusters on one host do not share member 0's directory");
        assertTrue(DriverDirectory.forMember(base, 0, dataDir).getName().startsWith("raftline-member-0-"));
    }

    @Test
    void liveDriversDirectoryIsNeverReclaimed()
    {
        final File dir = new File(base, "member");
        try (EmbeddedAeron live = EmbeddedAeron.invokerIn(dir, "live"))
        {
            live.invoke();
            assertTrue(DriverDirectory.isLive(dir, TIMEOUT_MS));
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> EmbeddedAeron.invokerIn(dir, "second"));
            assertTrue(refused.getMessage().startsWith("driver directory " + dir + " is held by live process " +
                ProcessHandle.current().pid()), refused.getMessage());
            assertTrue(DriverDirectory.isLive(dir, TIMEOUT_MS), "the refused start left the live driver alone");
            assertTrue(live.aeron().addCounter(1, "still works") != null);
        }
        assertFalse(dir.exists(), "a clean close deletes the directory");
    }

    @Test
    void twoLiveClientsGetTwoSlots()
    {
        try (EmbeddedAeron first = EmbeddedAeron.invoker(base, "raftline-client");
            EmbeddedAeron second = EmbeddedAeron.invoker(base, "raftline-client"))
        {
            assertEquals(new File(base, "raftline-client-0").getAbsolutePath(), first.aeronDirectoryName());
            assertEquals(new File(base, "raftline-client-1").getAbsolutePath(), second.aeronDirectoryName());
        }
        try (EmbeddedAeron again = EmbeddedAeron.invoker(base, "raftline-client"))
        {
            assertEquals(new File(base, "raftline-client-0").getAbsolutePath(), again.aeronDirectoryName(),
                "a freed slot is taken again");
        }
    }

    @Test
    void killedDriversDirectoryIsReclaimed() throws Exception
    {
        final File dir = new File(base, "member");
        final long pid = startChildDriver(dir, "member");
        assertTrue(DriverDirectory.isLive(dir, TIMEOUT_MS), "the child's driver is live");
        assertThrows(IllegalStateException.class, () -> EmbeddedAeron.invokerIn(dir, "too-early"));

        killChild();
        assertTrue(new File(dir, "cnc.dat").exists(), "kill -9 leaves the directory behind");
        assertEquals(pid, DriverDirectory.pid(dir));
        assertFalse(DriverDirectory.isLive(dir, TIMEOUT_MS), "its heartbeat is fresh, but its process is gone");
        try (EmbeddedAeron restarted = EmbeddedAeron.invokerIn(dir, "restarted"))
        {
            assertEquals(dir.getAbsolutePath(), restarted.aeronDirectoryName(), "the restart reuses the directory");
            assertEquals(ProcessHandle.current().pid(), DriverDirectory.pid(dir));
            assertTrue(DriverDirectory.isLive(dir, TIMEOUT_MS));
        }
    }

    @Test
    void killedClientsSlotIsReclaimed() throws Exception
    {
        startChildDriver(new File(base, "raftline-client-0"), "slot");
        try (EmbeddedAeron second = EmbeddedAeron.invoker(base, "raftline-client"))
        {
            assertEquals(new File(base, "raftline-client-1").getAbsolutePath(), second.aeronDirectoryName(),
                "the live child holds slot 0");
        }
        killChild();
        try (EmbeddedAeron reclaimed = EmbeddedAeron.invoker(base, "raftline-client"))
        {
            assertEquals(new File(base, "raftline-client-0").getAbsolutePath(), reclaimed.aeronDirectoryName(),
                "the dead child's slot is reclaimed");
        }
        final String[] left = base.list((dir, name) -> !DriverDirectory.LOCK_FILE_NAME.equals(name));
        assertEquals(0, left.length, "nothing is left but the claims' empty lock file: " + String.join(",", left));
    }

    @Test
    void clientsStartingAtOnceNeverShareASlot() throws Exception
    {
        final int count = 4;
        final List<Process> children = new ArrayList<>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                children.add(childDriver(new File(base, "raftline-client-0"), "any"));
            }
            final Set<String> dirs = new TreeSet<>();
            for (final Process process : children)
            {
                final String line = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
                assertTrue(null != line && line.startsWith("READY "), "a child started: " + line);
                dirs.add(line.substring("READY ".length()));
            }
            assertEquals(count, dirs.size(), "each live client has a slot of its own: " + dirs);
            for (final String dir : dirs)
            {
                assertTrue(DriverDirectory.isLive(new File(dir), TIMEOUT_MS), dir + " is live");
            }
        }
        finally
        {
            for (final Process process : children)
            {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private long startChildDriver(final File dir, final String mode) throws IOException
    {
        child = childDriver(dir, mode);
        final BufferedReader reader =
            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        final String line = reader.readLine();
        assertEquals("READY", line, "the child driver started");
        return child.pid();
    }

    private static Process childDriver(final File dir, final String mode) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            new File(System.getProperty("java.home"), "bin/java").getPath(), "-Xmx64m"));
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            // Agrona needs the same module exports as this JVM got.
            if (argument.startsWith("--add-"))
            {
                command.add(argument);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ChildDriver.class.getName(),
            dir.getPath(), mode));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private void killChild() throws InterruptedException
    {
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        child = null;
    }

    /**
     * A process with an embedded driver in a named directory (member) or in a slot (client), until killed.
     */
    public static final class ChildDriver
    {
        public static void main(final String[] args)
        {
            final File dir = new File(args[0]);
            final EmbeddedAeron aeron = "member".equals(args[1]) ? EmbeddedAeron.invokerIn(dir, "child") :
                EmbeddedAeron.invoker(dir.getParentFile(), dir.getName().substring(0, dir.getName().lastIndexOf('-')));
            if ("any".equals(args[1]))
            {
                System.out.println("READY " + aeron.aeronDirectoryName());
            }
            else if (!aeron.aeronDirectoryName().equals(dir.getAbsolutePath()))
            {
                System.out.println("WRONG DIRECTORY " + aeron.aeronDirectoryName());
                CloseHelper.close(aeron);
                return;
            }
            else
            {
                System.out.println("READY");
            }
            System.out.flush();
            while (true)
            {
                if (0 == aeron.invoke())
                {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
