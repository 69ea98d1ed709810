package io.raftline.engine;

/**
 * A consistent view of a state machine, captured on the agent thread by {@link RaftService#takeSnapshot(long)},
 * that writes its bytes later on a background thread while the member keeps applying commands. The view must not
 * change as the state machine goes on (copy it, or use copy-on-write).
 */
@FunctionalInterface
public interface SnapshotSource
{
    /**
     * Write the captured state.
     *
     * @param output to write to.
     */
    void writeTo(SnapshotOutput output);
}
