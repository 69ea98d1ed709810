package io.raftline.engine.agent;

import java.util.function.BooleanSupplier;

/**
 * Waits for a condition of a real (not simulated) cluster, polling, with a deadline that fails the test. Used where
 * no event or simulated clock is available: the members run on their own threads.
 */
final class Await
{
    private Await()
    {
    }

    static void until(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
