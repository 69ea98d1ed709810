package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import static io.aeron.CommonContext.DRIVER_TIMEOUT_MS;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An embedded media driver and an Aeron client for one process, in one of two arrangements:
 * <ul>
 *     <li><b>threads</b>: the driver runs on its own thread (SHARED mode) with the given idle strategy; right over
 *     IPC, where the driver is off the data path;</li>
 *     <li><b>invoker</b>: the driver and the client's conductor run on the caller's thread, through
 *     {@link #agent()}: the whole process works on one thread. Over UDP, where the driver is on the data path, this
 *     removes two thread hand-offs from every message and keeps the number of runnable threads down on a small
 *     host (with more spinning threads than cores, each waits out the others' scheduler slices).</li>
 * </ul>
 * The driver's directory is stable and reclaimed from a dead predecessor at start ({@link DriverDirectory}): a
 * member's is named by its data directory and id, a client's is the first free numbered slot of its name. It is
 * deleted on close; a process killed with kill -9 leaves it for the next start to reclaim.
 */
public final class EmbeddedAeron implements AutoCloseable
{
    /**
     * Aeron's system property for the UDP sockets' receive buffer; when set, it is left as the user set it.
     */
    public static final String SO_RCVBUF_PROP_NAME = "aeron.socket.so_rcvbuf";

    /**
     * Receive buffer of the embedded drivers' UDP sockets unless {@link #SO_RCVBUF_PROP_NAME} is set: 4 MiB, or the
     * kernel's {@code net.core.rmem_max} if that is less.
     */
    public static final int SO_RCVBUF_DEFAULT = 4 * 1024 * 1024;

    private static final int AERON_SO_RCVBUF_DEFAULT = 128 * 1024;
    private static final String RMEM_MAX_FILE = "/proc/sys/net/core/rmem_max";

    private final MediaDriver driver;
    private final Aeron aeron;
    private final Agent agent;

    private EmbeddedAeron(final MediaDriver driver, final String name, final boolean isInvoker)
    {
        this.driver = driver;
        final String dir = driver.aeronDirectoryName();
        try
        {
            final Aeron.Context context = new Aeron.Context().aeronDirectoryName(dir).clientName(name);
            if (isInvoker)
            {
                context.useConductorAgentInvoker(true).driverAgentInvoker(driver.sharedAgentInvoker());
            }
            aeron = Aeron.connect(context);
        }
        catch (final RuntimeException ex)
        {
            driver.close();
            throw ex;
        }
        agent = isInvoker ? new InvokerAgent(driver.sharedAgentInvoker(), aeron.conductorAgentInvoker()) : null;
    }

    /**
     * Driver and client conductor on the caller's thread, in the first free slot {@code <name>-<n>} under
     * {@link DriverDirectory#defaultBase()} (for clients: two live ones never share a slot).
     *
     * @param name of the directory slots and the client.
     * @return the embedded Aeron; run {@link #agent()} or {@link #invoke()} on one thread.
     */
    public static EmbeddedAeron invoker(final String name)
    {
        return invoker(DriverDirectory.defaultBase(), name);
    }

    /**
     * Driver and client conductor on the caller's thread, in the first free slot {@code <base>/<name>-<n>}.
     *
     * @param base under which the slots are.
     * @param name of the directory slots and the client.
     * @return the embedded Aeron; run {@link #agent()} or {@link #invoke()} on one thread.
     */
    public static EmbeddedAeron invoker(final File base, final String name)
    {
        final MediaDriver driver = DriverDirectory.claimSlot(base, name, DRIVER_TIMEOUT_MS,
            (dir) -> launchDriver(dir, true, new BackoffIdleStrategy()));
        return new EmbeddedAeron(driver, name, true);
    }

    /**
     * Driver and client conductor on the caller's thread, in a named directory of its own (a member's): a dead
     * predecessor's directory is reclaimed, a live one's is refused.
     *
     * @param dir  of the driver.
     * @param name of the client.
     * @return the embedded Aeron; run {@link #agent()} or {@link #invoke()} on one thread.
     * @throws IllegalStateException if a live process holds the directory.
     */
    public static EmbeddedAeron invokerIn(final File dir, final String name)
    {
        final MediaDriver driver = DriverDirectory.claim(dir, DRIVER_TIMEOUT_MS,
            (claimed) -> launchDriver(claimed, true, new BackoffIdleStrategy()));
        return new EmbeddedAeron(driver, name, true);
    }

    /**
     * Driver on its own thread, in the first free slot {@code <name>-<n>} under {@link DriverDirectory#defaultBase()}.
     *
     * @param name         of the directory slots and the client.
     * @param driverIdle   idle strategy of the driver's thread.
     * @return the embedded Aeron.
     */
    public static EmbeddedAeron threaded(final String name, final IdleStrategy driverIdle)
    {
        return threaded(DriverDirectory.defaultBase(), name, driverIdle);
    }

    /**
     * Driver on its own thread, in the first free slot {@code <base>/<name>-<n>}.
     *
     * @param base         under which the slots are.
     * @param name         of the directory slots and the client.
     * @param driverIdle   idle strategy of the driver's thread.
     * @return the embedded Aeron.
     */
    public static EmbeddedAeron threaded(final File base, final String name, final IdleStrategy driverIdle)
    {
        final MediaDriver driver = DriverDirectory.claimSlot(base, name, DRIVER_TIMEOUT_MS,
            (dir) -> launchDriver(dir, false, driverIdle));
        return new EmbeddedAeron(driver, name, false);
    }

    static MediaDriver launchDriver(final File dir, final boolean isInvoker, final IdleStrategy driverIdle)
    {
        final MediaDriver.Context context = new MediaDriver.Context();
        final int rcvbuf = socketRcvbufLength(System.getProperty(SO_RCVBUF_PROP_NAME), readRmemMax());
        if (rcvbuf > 0)
        {
            context.socketRcvbufLength(rcvbuf);
        }
        return MediaDriver.launch(context
            .aeronDirectoryName(dir.getAbsolutePath())
            .threadingMode(isInvoker ? ThreadingMode.INVOKER : ThreadingMode.SHARED)
            .sharedIdleStrategy(driverIdle)
            // The claim found no live driver here: whatever is left is a dead one's and goes.
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            // In threaded mode the async executor's own thread woke about 900 times a second, each time taking a
            // core from a spinning member on a two-core host; its rare tasks run on the conductor instead.
            .asyncExecutorEnabled(isInvoker)
            .termBufferSparseFile(true));
    }

    /**
     * The receive buffer of the driver's UDP sockets, when the user did not set {@code aeron.socket.so_rcvbuf}:
     * {@link #SO_RCVBUF_DEFAULT} or as much of it as the kernel allows ({@code net.core.rmem_max}). Aeron's own
     * default of 128 KiB overflowed under load here: with three members and a client on one host, 258,732 UDP receive
     * buffer errors in an 8 s run of 1000 outstanding commands, each a datagram lost and NAKed; with 4 MiB, none.
     *
     * @param userValue the system property as set, or null.
     * @param rmemMax   {@code net.core.rmem_max}, or 0 when it cannot be read.
     * @return the length to set, or 0 to leave Aeron's setting.
     */
    static int socketRcvbufLength(final String userValue, final long rmemMax)
    {
        if (null != userValue || rmemMax <= AERON_SO_RCVBUF_DEFAULT)
        {
            return 0;
        }
        return (int)Math.min(SO_RCVBUF_DEFAULT, rmemMax);
    }

    static long readRmemMax()
    {
        // Read as a line: Files.readString returned "4" of "4194304" from this kernel's /proc file.
        try (BufferedReader reader = Files.newBufferedReader(Path.of(RMEM_MAX_FILE)))
        {
            final String line = reader.readLine();
            return null == line ? 0 : Long.parseLong(line.trim());
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    /**
     * @return the client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @return the driver's directory.
     */
    public String aeronDirectoryName()
    {
        return driver.aeronDirectoryName();
    }

    /**
     * @return an agent doing the driver's and the conductor's work in invoker mode, null otherwise.
     */
    public Agent agent()
    {
        return agent;
    }

    /**
     * Do the driver's and the conductor's work once (invoker mode; nothing otherwise).
     *
     * @return the work done.
     */
    public int invoke()
    {
        return null == agent ? 0 : ((InvokerAgent)agent).doWork();
    }

    /**
     * Close the client and the driver, deleting its directory.
     */
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }

    /**
     * The driver's and the client conductor's duty cycles as one agent.
     */
    private static final class InvokerAgent implements Agent
    {
        private final AgentInvoker driver;
        private final AgentInvoker conductor;

        InvokerAgent(final AgentInvoker driver, final AgentInvoker conductor)
        {
            this.driver = driver;
            this.conductor = conductor;
        }

        public int doWork()
        {
            return driver.invoke() + conductor.invoke();
        }

        public String roleName()
        {
            return "aeron-invoker";
        }
    }
}
