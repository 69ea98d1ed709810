package io.raftline.engine.agent;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * The idle strategies a member's agent can be configured with; {@link IdleStrategies} reads them from text.
 */
public enum IdleStrategyType
{
    /**
     * Spin: lowest latency, one core per member.
     */
    BUSY,

    /**
     * Do nothing between cycles.
     */
    NOOP,

    /**
     * {@code Thread.yield()}: measured best on a 2-core host.
     */
    YIELD,

    /**
     * Spin, yield, then park for up to a millisecond.
     */
    BACKOFF,

    /**
     * Sleep for a fixed duration between cycles that found no work.
     */
    SLEEP;

    /**
     * @param sleepNs how long {@link #SLEEP} sleeps; ignored by the others.
     * @return a new idle strategy of this type.
     */
    public IdleStrategy newIdleStrategy(final long sleepNs)
    {
        switch (this)
        {
            case BUSY:
                return new BusySpinIdleStrategy();
            case NOOP:
                return NoOpIdleStrategy.INSTANCE;
            case YIELD:
                return new YieldingIdleStrategy();
            case BACKOFF:
                return new BackoffIdleStrategy();
            default:
                return new SleepingIdleStrategy(sleepNs);
        }
    }
}
