package io.raftline.engine.sim;

/**
 * A broken invariant or failed expectation in a simulation; the message carries the seed and the command that
 * replays the run.
 */
final class SimulationFailure extends AssertionError
{
    private static final long serialVersionUID = 1L;

    SimulationFailure(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
