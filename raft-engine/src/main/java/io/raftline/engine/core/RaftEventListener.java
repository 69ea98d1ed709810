package io.raftline.engine.core;

/**
 * Trace hooks of the core. Every method has an empty default, so production pays nothing; tests and debugging
 * plug in a listener that records the events. Nothing may depend on them for its behaviour: leadership reaches
 * what needs it through a {@link RoleListener}.
 */
public interface RaftEventListener
{
    /**
     * A listener that ignores every event.
     */
    RaftEventListener NO_OP = new RaftEventListener()
    {
    };

    /**
     * The member changed role (or re-entered the same role, as a candidate starting a new election does).
     *
     * @param memberId of this member.
     * @param from     the previous role.
     * @param to       the new role.
     * @param term     the term after the change.
     * @param reason   why, for humans.
     * @param nowNs    the time of the change.
     */
    default void onRoleChange(
        final int memberId,
        final RaftRole from,
        final RaftRole to,
        final long term,
        final String reason,
        final long nowNs)
    {
    }

    /**
     * The commit index advanced.
     *
     * @param memberId    of this member.
     * @param commitIndex the new commit index.
     */
    default void onCommit(final int memberId, final long commitIndex)
    {
    }

    /**
     * A message was ignored because it is not valid for this member now (unknown sender, stale, out of role).
     *
     * @param memberId of this member.
     * @param senderId of the message.
     * @param reason   why, for humans.
     */
    default void onRejectedMessage(final int memberId, final int senderId, final String reason)
    {
    }

    /**
     * Something about the member's configuration an operator should know: it found itself removed, its log's
     * configuration differs from the bootstrap member list, a configuration change was refused or completed.
     *
     * @param memberId of this member.
     * @param message  for humans, one line.
     */
    default void onMembershipEvent(final int memberId, final String message)
    {
    }
}
