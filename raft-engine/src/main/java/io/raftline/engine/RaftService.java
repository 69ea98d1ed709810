package io.raftline.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The replicated state machine a service hands to Raftline. Every member applies the same commands, in the same
 * order, exactly once per member lifetime.
 * <p>
 * All methods run on the member's agent thread. They must be deterministic (the state may depend only on the
 * commands applied, never on clocks, randomness or the member), must not block, must not call back into Raftline
 * other than through the {@link Cluster} given to {@link #onStart}, and should allocate nothing: {@link #onApply} is
 * on the latency path of every command.
 * <p>
 * Time, timers and messages: {@link Cluster#time()} (or the {@code timestamp} argument) is the cluster time of the
 * entry being applied, the same on every member; {@link Cluster#scheduleTimer} fires {@link #onTimer} at one entry on
 * every member; {@link Cluster#offer} sends to any session from the leader. Every method but the first
 * {@code onApply} has a default, so a service written for an earlier version (or a lambda) compiles unchanged.
 */
public interface RaftService
{
    /**
     * Apply one committed command and write the answer for the client.
     *
     * @param index    of the command in the replicated log.
     * @param term     in which the command was proposed.
     * @param command  buffer holding the command; valid only during the call.
     * @param offset   of the command.
     * @param length   of the command.
     * @param response where to write the answer, from offset 0; it grows as needed.
     * @return the length of the answer written to {@code response}, 0 for none.
     */
    int onApply(long index, long term, DirectBuffer command, int offset, int length, MutableDirectBuffer response);

    /**
     * Apply one committed command at its cluster time and write the answer for the client: what the engine calls. By
     * default the method above, which reads the time from {@link Cluster#time()} if it needs it; a service may
     * override this one instead to take the time as an argument (the method above then only has to exist).
     *
     * @param index     of the command in the replicated log.
     * @param term      in which the command was proposed.
     * @param timestamp the cluster time of the command (the leader's clock when it appended it), ns since the epoch.
     * @param command   buffer holding the command; valid only during the call.
     * @param offset    of the command.
     * @param length    of the command.
     * @param response  where to write the answer, from offset 0; it grows as needed.
     * @return the length of the answer written to {@code response}, 0 for none.
     */
    default int onApply(
        final long index,
        final long term,
        final long timestamp,
        final DirectBuffer command,
        final int offset,
        final int length,
        final MutableDirectBuffer response)
    {
        return onApply(index, term, command, offset, length, response);
    }

    /**
     * The member starts: after the newest snapshot was loaded ({@link #loadSnapshot}) and before any entry after it
     * is applied. Keep the cluster: it is how the service reads the time, schedules timers and sends messages.
     * {@link Cluster#time()} is the snapshot's time here (0 without one).
     *
     * @param cluster of this member.
     */
    default void onStart(final Cluster cluster)
    {
    }

    /**
     * A timer scheduled with {@link Cluster#scheduleTimer} fired: at the same entry on every member, once, at a
     * cluster time at or after its deadline.
     *
     * @param correlationId of the timer.
     * @param timestamp     the cluster time of the timer's entry, ns since the epoch.
     */
    default void onTimer(final long correlationId, final long timestamp)
    {
    }

    /**
     * This member's role changed. Member-local, not part of the log: a service may start or stop what only a leader
     * does (publishing market data), never change its replicated state.
     *
     * @param role the new role.
     */
    default void onRoleChange(final ClusterRole role)
    {
    }

    /**
     * The member is closing: the last callback.
     *
     * @param cluster of this member.
     */
    default void onTerminate(final Cluster cluster)
    {
    }

    /**
     * {@link #onQuery} result: this service answers no queries.
     */
    int NO_QUERIES = -1;

    /**
     * Answer a read-only query from the state as it is now (reads: the member has applied at least every command
     * committed before the query arrived, as its consistency level promises). It must not change the state, nor
     * anything {@link #onApply} depends on: members answer queries at different points, so a change here would make
     * their states diverge. Runs on the agent thread like every method here, and should allocate nothing.
     *
     * @param query    buffer holding the query; valid only during the call.
     * @param offset   of the query.
     * @param length   of the query.
     * @param response where to write the answer, from offset 0; it grows as needed.
     * @return the length of the answer written to {@code response}, 0 for none, or {@link #NO_QUERIES}.
     */
    default int onQuery(
        final DirectBuffer query, final int offset, final int length, final MutableDirectBuffer response)
    {
        return NO_QUERIES;
    }

    /**
     * A client session opened (replicated: every member sees it at the same point of the log).
     *
     * @param clientSessionId of the new session.
     */
    default void onSessionOpen(final long clientSessionId)
    {
    }

    /**
     * A client session opened, at its cluster time; by default {@link #onSessionOpen(long)}.
     *
     * @param clientSessionId of the new session.
     * @param timestamp       the cluster time of the opening, ns since the epoch.
     */
    default void onSessionOpen(final long clientSessionId, final long timestamp)
    {
        onSessionOpen(clientSessionId);
    }

    /**
     * A client session closed.
     *
     * @param clientSessionId of the closed session.
     */
    default void onSessionClose(final long clientSessionId)
    {
    }

    /**
     * A client session closed, at its cluster time, and why; by default {@link #onSessionClose(long)}.
     *
     * @param clientSessionId of the closed session.
     * @param timestamp       the cluster time of the close, ns since the epoch.
     * @param reason          why it closed.
     */
    default void onSessionClose(final long clientSessionId, final long timestamp, final CloseReason reason)
    {
        onSessionClose(clientSessionId);
    }

    /**
     * Capture the state as of the command just applied at {@code index}, for a snapshot. Called on the agent
     * thread: capture cheaply (a copy of small state, a copy-on-write view of large state) and leave the writing to
     * the returned source, which runs on a background thread while commands keep being applied.
     *
     * @param index of the last command applied.
     * @return the view to write, or null if this service does not take snapshots (the log then grows forever).
     */
    default SnapshotSource takeSnapshot(final long index)
    {
        return null;
    }

    /**
     * Replace the whole state with a snapshot's: when the member starts, or when the leader installs a snapshot.
     *
     * @param index of the last command the snapshot covers.
     * @param input the bytes the {@link SnapshotSource} wrote.
     */
    default void loadSnapshot(final long index, final SnapshotInput input)
    {
    }
}
