package io.raftline.engine;

/**
 * The outcome of {@link Cluster#offer}: a message from the service to a client session.
 * <p>
 * Only the leader sends; every other member applies the same entry and makes the same call, so the result must not
 * change the replicated state unless it is {@link #CLOSED}, the one outcome every member agrees on.
 */
public enum EgressResult
{
    /**
     * On the leader: the message left, or waits in order behind earlier messages of the session and leaves within
     * the egress backlog timeout. On any other member: the message was counted, not sent (the leader sends it).
     * Nothing to do.
     */
    SENT,

    /**
     * Only on the leader: the session's egress backlog is full (the client reads too slowly) and the message was
     * dropped. Every other member saw {@link #SENT}, so do not change the replicated state because of it. Send the
     * client a fresh summary later (a timer), or let it ask for the state it missed with a command, or close a
     * client that cannot keep up ({@link Cluster#closeSession}, which every member then applies); for data that the
     * next update supersedes (market data) dropping it is the usual answer.
     */
    BACK_PRESSURED,

    /**
     * The session is not open: closed, never opened, or its close is applied. The same on every member, so a
     * service may act on it in its state (for example forget the subscriber).
     */
    CLOSED
}
