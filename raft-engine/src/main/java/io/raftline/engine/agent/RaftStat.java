package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.raftline.engine.core.RaftRole;
import org.agrona.concurrent.status.CountersReader;

import java.io.PrintStream;

/**
 * Prints the counters of the Raftline members attached to a media driver: role, term, commit and applied index,
 * last log index, leader, elections, errors and rejected frames. Reads the driver's CnC file, so it works from
 * another process while the members run.
 * <pre>
 * java -cp raftline-samples.jar io.raftline.engine.agent.RaftStat /dev/shm/raftline-member-0-&lt;hash&gt;
 * </pre>
 */
public final class RaftStat
{
    private RaftStat()
    {
    }

    /**
     * @param args the Aeron directory of the member's media driver; optionally {@code --watch} to repeat every
     *             second.
     */
    public static void main(final String[] args)
    {
        if (args.length < 1)
        {
            System.err.println("usage: RaftStat <aeron directory> [--watch]");
            System.exit(2);
        }
        final boolean watch = args.length > 1 && "--watch".equals(args[1]);
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(args[0]).clientName("raftstat")))
        {
            do
            {
                print(aeron.countersReader(), System.out);
                if (watch)
                {
                    Thread.sleep(1000);
                }
            }
            while (watch);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Print every Raftline counter the reader holds.
     *
     * @param counters to read.
     * @param out      to print to.
     */
    public static void print(final CountersReader counters, final PrintStream out)
    {
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId >= MemberCounters.ROLE_TYPE_ID && typeId <= MemberCounters.EVENTS_TYPE_ID)
            {
                final long value = counters.getCounterValue(counterId);
                final String shown = MemberCounters.ROLE_TYPE_ID == typeId && value >= 0 && value <= 3 ?
                    RaftRole.get((int)value).name() : Long.toString(value);
                out.printf("%-48s %s%n", label, shown);
            }
        });
    }

    /**
     * @param counters to read.
     * @return how many Raftline counters the reader holds: 0 when no member is attached to the driver.
     */
    public static int count(final CountersReader counters)
    {
        final int[] found = {0};
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId >= MemberCounters.ROLE_TYPE_ID && typeId <= MemberCounters.EVENTS_TYPE_ID)
            {
                found[0]++;
            }
        });
        return found[0];
    }

    /**
     * Start a new window of every member's {@code max-duty-cycle-ns}: write 0 to it, so that it holds the longest
     * duty cycle from now on (the agent compares each cycle with the counter itself). Works only where the counters
     * are mapped writable, as an Aeron client's CnC file is.
     *
     * @param counters of the members' media driver.
     * @return how many counters were reset.
     */
    public static int resetMaxDutyCycles(final CountersReader counters)
    {
        final int[] found = {0};
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (MemberCounters.EVENTS_TYPE_ID == typeId && label.endsWith(" max-duty-cycle-ns"))
            {
                counters.valuesBuffer().putLongRelease(CountersReader.counterOffset(counterId), 0);
                found[0]++;
            }
        });
        return found[0];
    }

    /**
     * The longest duty cycle of every member attached to the driver since its start or the last
     * {@link #resetMaxDutyCycles}.
     *
     * @param counters of the members' media driver.
     * @return the longest of the members' {@code max-duty-cycle-ns}, 0 if there is none.
     */
    public static long maxDutyCycleNs(final CountersReader counters)
    {
        final long[] max = {0};
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (MemberCounters.EVENTS_TYPE_ID == typeId && label.endsWith(" max-duty-cycle-ns"))
            {
                max[0] = Math.max(max[0], counters.getCounterValue(counterId));
            }
        });
        return max[0];
    }

    /**
     * Find one counter's value.
     *
     * @param counters to read.
     * @param label    of the counter, e.g. {@code "raftline member=0 commit-index"}.
     * @return its value, or {@link Long#MIN_VALUE} if there is no such counter.
     */
    public static long value(final CountersReader counters, final String label)
    {
        final long[] found = {Long.MIN_VALUE};
        counters.forEach((counterId, typeId, keyBuffer, counterLabel) ->
        {
            if (label.equals(counterLabel))
            {
                found[0] = counters.getCounterValue(counterId);
            }
        });
        return found[0];
    }
}
