package io.raftline.engine;

/**
 * Why a client session closed ({@link RaftService#onSessionClose(long, long, CloseReason)}); replicated, so every
 * member sees the same reason at the same point of the log.
 */
public enum CloseReason
{
    /**
     * The client closed it.
     */
    CLIENT_CLOSED,

    /**
     * The leader heard nothing from the client for the session timeout.
     */
    TIMED_OUT,

    /**
     * The service closed it ({@link Cluster#closeSession(long)}).
     */
    EVICTED
}
