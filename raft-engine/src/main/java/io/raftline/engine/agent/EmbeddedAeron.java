package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.util.UUID;

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
 * The driver's directory is fresh (under /dev/shm where possible) and deleted on close.
 */
public final class EmbeddedAeron implements AutoCloseable
{
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Agent agent;

    private EmbeddedAeron(final String name, final boolean isInvoker, final IdleStrategy driverIdle)
    {
        final File shm = new File("/dev/shm");
        final File base = shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
        final String dir = new File(base, name + "-" + UUID.randomUUID()).getAbsolutePath();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(isInvoker ? ThreadingMode.INVOKER : ThreadingMode.SHARED)
            .sharedIdleStrategy(driverIdle)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true));
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
     * Driver and client conductor on the caller's thread.
     *
     * @param name prefix of the directory and client name.
     * @return the embedded Aeron; run {@link #agent()} or {@link #invoke()} on one thread.
     */
    public static EmbeddedAeron invoker(final String name)
    {
        return new EmbeddedAeron(name, true, new BackoffIdleStrategy());
    }

    /**
     * Driver on its own thread.
     *
     * @param name         prefix of the directory and client name.
     * @param driverIdle   idle strategy of the driver's thread.
     * @return the embedded Aeron.
     */
    public static EmbeddedAeron threaded(final String name, final IdleStrategy driverIdle)
    {
        return new EmbeddedAeron(name, false, driverIdle);
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
