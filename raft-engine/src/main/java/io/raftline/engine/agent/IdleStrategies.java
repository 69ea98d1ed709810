package io.raftline.engine.agent;

import org.agrona.SystemUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * Idle strategies by name, for configuration.
 */
public final class IdleStrategies
{
    private IdleStrategies()
    {
    }

    private static final String SLEEP_PREFIX = "sleep-";

    /**
     * @param name of an idle strategy, as {@link #parse(String)} takes it.
     * @return how long it sleeps between duty cycles that found no work: the duration of {@code sleep-<duration>},
     * 0 for the others (they spin, yield or park for at most a millisecond).
     */
    public static long sleepNs(final String name)
    {
        final String value = name.trim().toLowerCase();
        return value.startsWith(SLEEP_PREFIX) ?
            SystemUtil.parseDuration("idle strategy", value.substring(SLEEP_PREFIX.length())) : 0;
    }

    /**
     * @param name {@code busy}, {@code noop}, {@code yield}, {@code backoff} or {@code sleep-<duration>}
     *             (e.g. {@code sleep-1ms}).
     * @return a new idle strategy.
     * @throws IllegalArgumentException naming the valid choices.
     */
    public static IdleStrategy parse(final String name)
    {
        final String value = name.trim().toLowerCase();
        switch (value)
        {
            case "busy":
                return new BusySpinIdleStrategy();
            case "noop":
                return NoOpIdleStrategy.INSTANCE;
            case "yield":
                return new YieldingIdleStrategy();
            case "backoff":
                return new BackoffIdleStrategy();
            default:
                if (value.startsWith(SLEEP_PREFIX))
                {
                    return new SleepingIdleStrategy(sleepNs(value));
                }
                throw new IllegalArgumentException("unknown idle strategy '" + name +
                    "': expected busy, noop, yield, backoff or sleep-<duration>");
        }
    }
}
