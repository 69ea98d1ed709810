package io.raftline.engine.agent;

import org.agrona.SystemUtil;
import org.agrona.concurrent.IdleStrategy;

/**
 * Idle strategies by name, for system properties and command lines: {@code busy}, {@code noop}, {@code yield},
 * {@code backoff} or {@code sleep-<duration>} (e.g. {@code sleep-1ms}).
 */
public final class IdleStrategies
{
    private static final String SLEEP_PREFIX = "sleep-";

    private IdleStrategies()
    {
    }

    /**
     * @param name of an idle strategy.
     * @return its type.
     * @throws IllegalArgumentException naming the valid choices.
     */
    public static IdleStrategyType type(final String name)
    {
        final String value = name.trim().toLowerCase();
        switch (value)
        {
            case "busy":
                return IdleStrategyType.BUSY;
            case "noop":
                return IdleStrategyType.NOOP;
            case "yield":
                return IdleStrategyType.YIELD;
            case "backoff":
                return IdleStrategyType.BACKOFF;
            default:
                if (value.startsWith(SLEEP_PREFIX))
                {
                    return IdleStrategyType.SLEEP;
                }
                throw new IllegalArgumentException("unknown idle strategy '" + name +
                    "': expected busy, noop, yield, backoff or sleep-<duration>");
        }
    }

    /**
     * @param name of an idle strategy.
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
     * @param name of an idle strategy.
     * @return a new idle strategy.
     * @throws IllegalArgumentException naming the valid choices.
     */
    public static IdleStrategy parse(final String name)
    {
        return type(name).newIdleStrategy(sleepNs(name));
    }

    /**
     * @param type    of an idle strategy.
     * @param sleepNs of {@link IdleStrategyType#SLEEP}.
     * @return its name as {@link #type(String)} reads it, e.g. {@code sleep-20ms}.
     */
    public static String name(final IdleStrategyType type, final long sleepNs)
    {
        if (IdleStrategyType.SLEEP != type)
        {
            return type.name().toLowerCase();
        }
        if (0 == sleepNs % 1_000_000L)
        {
            return SLEEP_PREFIX + sleepNs / 1_000_000L + "ms";
        }
        return 0 == sleepNs % 1_000L ? SLEEP_PREFIX + sleepNs / 1_000L + "us" : SLEEP_PREFIX + sleepNs + "ns";
    }
}
