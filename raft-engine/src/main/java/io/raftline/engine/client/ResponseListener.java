package io.raftline.engine.client;

import org.agrona.DirectBuffer;

/**
 * Receives the outcome of each command, on the thread that calls {@link RaftClient#poll()}, in correlation order,
 * and the messages the service sends this client's session ({@link #onMessage}).
 */
@FunctionalInterface
public interface ResponseListener
{
    /**
     * Applied; the payload is the state machine's answer.
     */
    int OK = 0;

    /**
     * Applied earlier (this was a resend); the payload is the original answer if the cluster still had it cached,
     * else empty.
     */
    int DUPLICATE = 1;

    /**
     * Refused by the cluster (session closing, command too large); not applied.
     */
    int REJECTED = 2;

    /**
     * No answer within the command timeout: the outcome is unknown (it may still be applied).
     */
    int TIMED_OUT = 3;

    /**
     * The cluster reported an error.
     */
    int ERROR = 4;

    /**
     * @param correlationId of the command, as {@link RaftClient#offer} returned it.
     * @param outcome       one of the constants above.
     * @param logIndex      where the command was applied, 0 if unknown.
     * @param buffer        holding the answer; valid only during the call.
     * @param offset        of the answer.
     * @param length        of the answer.
     */
    void onResponse(long correlationId, int outcome, long logIndex, DirectBuffer buffer, int offset, int length);

    /**
     * A message the service sent to this session ({@code Cluster.offer} or {@code broadcast}), not an answer to a
     * command: in the order of the log, each once per session (a copy a new leader sends again is dropped). A
     * message may be lost when the leader dies before sending it, or when the client reads too slowly; a client
     * that must not miss one asks the service for the state with a command.
     *
     * @param clientSessionId the session it was sent to.
     * @param logIndex        of the entry whose application sent it.
     * @param timestamp       the cluster time of that entry, ns since the epoch.
     * @param buffer          holding the message; valid only during the call.
     * @param offset          of the message.
     * @param length          of the message.
     */
    default void onMessage(
        final long clientSessionId,
        final long logIndex,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
    }
}
