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

import java.io.File;

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
        return MediaDriver.launch(new MediaDriver.Context()
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
