package io.raftline.engine.core;

/**
 * Told by the core, on the agent thread, whenever the member's effective configuration changes: when a
 * configuration entry is appended (the rule is "effective on append", Ongaro's thesis §4.1), when a truncation
 * removes one (the previous configuration is effective again), when a snapshot is installed, and once at start
 * (from the log and snapshot on a restart, or the bootstrap list). The agent opens and closes its publications
 * from here. It must not block and must not call back into the core.
 */
@FunctionalInterface
public interface MembershipListener
{
    /**
     * A listener that does nothing.
     */
    MembershipListener NO_OP = (membership) -> {};

    /**
     * @param membership the configuration now in effect.
     */
    void onMembershipChange(Membership membership);
}
