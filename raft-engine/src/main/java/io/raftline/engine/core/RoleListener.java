package io.raftline.engine.core;

/**
 * Told of every change of role, from the node's single role transition. This is how leadership reaches what
 * depends on it outside the core (the client sessions, the member's published role); {@link RaftEventListener} is
 * for tracing only. Called on the node's thread, inside the step that changed the role.
 */
@FunctionalInterface
public interface RoleListener
{
    /**
     * A listener that ignores every change.
     */
    RoleListener NO_OP = (from, to, term, nowNs) ->
    {
    };

    /**
     * The member changed role (or re-entered the same role, as a candidate starting a new election does).
     *
     * @param from  the previous role.
     * @param to    the new role.
     * @param term  the term after the change.
     * @param nowNs the time of the change.
     */
    void onRoleChange(RaftRole from, RaftRole to, long term, long nowNs);
}
