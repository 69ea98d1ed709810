package io.raftline.engine.client;

/**
 * The client could not do what was asked: the session was refused, or no leader answered in time.
 */
public final class ClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message saying what failed and why.
     */
    public ClientException(final String message)
    {
        super(message);
    }
}
