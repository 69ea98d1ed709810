package io.raftline.engine;

import org.agrona.DirectBuffer;

/**
 * What a {@link RaftService} may ask of the cluster from inside its callbacks: the cluster time, timers and messages
 * to client sessions, in the manner of Aeron Cluster's {@code Cluster}. Given to the service once, in
 * {@link RaftService#onStart(Cluster)}; keep it and use it on the member's agent thread only, inside a callback.
 * <p>
 * Everything here is a function of the log, so every member, every replay and every restore sees the same: the time
 * is the timestamp of the entry being applied; a timer fires at the same entry on every member; a message is sent
 * by the leader alone and counted by the others. A service never reads a clock.
 */
public interface Cluster
{
    /**
     * Most timers that may be scheduled at once, unless configured ({@code raftline.max.timers}).
     */
    int MAX_TIMERS_DEFAULT = 16_384;

    /**
     * @return the id of this member (member-local: never let it change the replicated state).
     */
    int memberId();

    /**
     * @return this member's role (member-local: never let it change the replicated state).
     */
    ClusterRole role();

    /**
     * The cluster time: the timestamp the leader gave the entry being applied, in ns since the epoch. It never goes
     * back along the log. Outside the application of an entry ({@link RaftService#onStart}, role changes) it is the
     * time of the last entry applied or of the snapshot loaded.
     *
     * @return ns since the epoch.
     */
    long time();

    /**
     * @return the index of the entry being applied, or the last applied.
     */
    long logIndex();

    /**
     * @return the client session whose command {@code onApply} is applying (where to send its answers later), 0 in
     * any other callback.
     */
    long clientSessionId();

    /**
     * Schedule a timer, or move an existing one with the same correlation id, to fire when the cluster time reaches
     * {@code deadlineNs}: the leader appends a timer entry once its clock passes the deadline, and every member
     * calls {@link RaftService#onTimer} at that entry, once. Only while an entry is applied ({@code onApply},
     * {@code onTimer}, {@code onSessionOpen}, {@code onSessionClose}), where every member makes the same call.
     *
     * @param correlationId the service's id for the timer.
     * @param deadlineNs    cluster time at which it fires, ns since the epoch (in the past: as soon as possible).
     * @return false if the timer table is full (every member refuses alike), true if scheduled.
     * @throws IllegalStateException outside the application of an entry.
     */
    boolean scheduleTimer(long correlationId, long deadlineNs);

    /**
     * Cancel a timer. A timer cancelled before its entry is applied never fires, even if the entry is already in
     * the log. Only while an entry is applied, as {@link #scheduleTimer}.
     *
     * @param correlationId of the timer.
     * @return true if it was scheduled.
     * @throws IllegalStateException outside the application of an entry.
     */
    boolean cancelTimer(long correlationId);

    /**
     * Send a message to one client session; the client's listener receives it as
     * {@code ResponseListener.onMessage}, in log order, apart from the answers to its own commands. See
     * {@link EgressResult} for what to do with each outcome.
     *
     * @param clientSessionId of an open session.
     * @param buffer          holding the message.
     * @param offset          of the message.
     * @param length          of the message.
     * @return {@link EgressResult#SENT}, {@link EgressResult#BACK_PRESSURED} (leader only) or
     * {@link EgressResult#CLOSED}.
     */
    EgressResult offer(long clientSessionId, DirectBuffer buffer, int offset, int length);

    /**
     * Send a message to every open session.
     *
     * @param buffer holding the message.
     * @param offset of the message.
     * @param length of the message.
     * @return the number of sessions for which the result was {@link EgressResult#SENT}.
     */
    int broadcast(DirectBuffer buffer, int offset, int length);

    /**
     * Close a client session: the leader appends its close, and every member then calls
     * {@link RaftService#onSessionClose} with {@link CloseReason#EVICTED}. Only while an entry is applied.
     *
     * @param clientSessionId of the session.
     * @return false if the session is not open.
     * @throws IllegalStateException outside the application of an entry.
     */
    boolean closeSession(long clientSessionId);
}
