package io.raftline.samples;

import io.aeron.Aeron;
import io.aeron.exceptions.AeronException;
import io.raftline.engine.agent.DriverDirectory;
import io.raftline.engine.agent.RaftStat;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.util.concurrent.Callable;

/**
 * {@code stat <aeron dir> [--watch]}: the counters of the members attached to a running media driver.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Print the counters of the Raftline members attached to a media driver (role, term, commit, " +
    "applied, elections, errors, rejected frames ...).")
public final class StatCommand implements Callable<Integer>
{
    /**
     * How long a driver may have been silent before it counts as gone (Aeron's default driver timeout is 10 s;
     * an operator asking for counters should not wait that long to hear that nothing runs).
     */
    static final long DRIVER_TIMEOUT_MS = 2_000;

    @Parameters(index = "0", paramLabel = "AERON_DIR",
        description = "the Aeron directory of a running member (the node command prints it)")
    File aeronDir;

    @Option(names = "--watch", description = "print again every second until interrupted")
    boolean watch;

    private Aeron connect(final Throwable[] driverError)
    {
        try
        {
            // Aeron's default error handler prints a stack trace: a driver that goes away is reported by the loop.
            return Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDir.getPath())
                .driverTimeoutMs(DRIVER_TIMEOUT_MS)
                .errorHandler((error) -> driverError[0] = error)
                .clientName("raftline-stat"));
        }
        catch (final AeronException ex)
        {
            throw new IllegalStateException("the media driver at " + aeronDir + " is not running: " +
                ex.getMessage(), ex);
        }
    }

    private boolean isDriverActive()
    {
        try
        {
            // By the heartbeat, as Aeron does (stat may run in another process namespace, where the CnC file's process
            // id names nobody), but read-only: a member restarting meanwhile deletes its directory, and Aeron's
            // read-write mapping would make its CnC file again in the middle of that (DriverDirectory.mapCnc).
            return DriverDirectory.hasFreshHeartbeat(aeronDir, DRIVER_TIMEOUT_MS);
        }
        catch (final AeronException ex)
        {
            // A CnC file that was never initialised or belongs to another Aeron version: no driver to read.
            throw new IllegalStateException("the media driver at " + aeronDir + " is not running: " +
                ex.getMessage(), ex);
        }
    }

    /**
     * Print the counters once, or every second.
     *
     * @return 0, or 1 when no member runs there.
     * @throws InterruptedException if interrupted while watching.
     */
    public Integer call() throws InterruptedException
    {
        if (!aeronDir.isDirectory())
        {
            throw new IllegalStateException("no such directory " + aeronDir);
        }
        if (!new File(aeronDir, "cnc.dat").exists())
        {
            throw new IllegalStateException("no media driver at " + aeronDir + " (no cnc.dat): is the member running?");
        }
        if (!isDriverActive())
        {
            throw new IllegalStateException("the media driver at " + aeronDir + " is not running (its heartbeat " +
                "is older than " + DRIVER_TIMEOUT_MS + " ms): is the member running?");
        }
        final Throwable[] driverError = new Throwable[1];
        try (Aeron aeron = connect(driverError))
        {
            do
            {
                if (null != driverError[0])
                {
                    throw new IllegalStateException("lost the media driver at " + aeronDir + ": " +
                        driverError[0].getMessage(), driverError[0]);
                }
                final CountersReader counters = aeron.countersReader();
                if (0 == RaftStat.count(counters))
                {
                    throw new IllegalStateException("no Raftline member is attached to the media driver at " +
                        aeronDir);
                }
                RaftStat.print(counters, System.out);
                if (watch)
                {
                    System.out.println();
                    Thread.sleep(1000);
                }
            }
            while (watch);
        }
        return 0;
    }
}
