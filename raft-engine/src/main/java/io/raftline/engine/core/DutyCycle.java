package io.raftline.engine.core;

/**
 * The one order of a member's duty cycle, for every driver of a {@link RaftNode}: the agent, the simulator and the
 * test harness run this class, so the simulator proves the cycle production runs.
 * <ol>
 *     <li>poll: the driver feeds inputs (frames, proposals, finished snapshots) to the node;</li>
 *     <li>step: {@link RaftNode#doWork(long)} runs timers, replication and applies;</li>
 *     <li>send what needs no sync: the transport flushes the immediate lane;</li>
 *     <li>sync the log and metadata, if anything changed, and tell the core ({@link RaftNode#onPersisted()});
 *     </li>
 *     <li>apply what that committed;</li>
 *     <li>send what waited for the sync: {@link AfterPersist#release()}, then the transport flushes again.</li>
 * </ol>
 * Pure: the driver passes the time in and does the I/O behind the interfaces. Allocates nothing.
 */
public final class DutyCycle
{
    /**
     * Feeds the inputs of one cycle to the node.
     */
    @FunctionalInterface
    public interface Inputs
    {
        /**
         * @param nowNs the time of the cycle.
         * @return work done (inputs handled).
         */
        int poll(long nowNs);
    }

    /**
     * Makes the log and metadata durable.
     */
    @FunctionalInterface
    public interface Storage
    {
        /**
         * @return false if the member died inside the sync (a simulated crash): the cycle ends at once.
         */
        boolean sync();
    }

    /**
     * Sends what the transport's outbox holds.
     */
    @FunctionalInterface
    public interface Transport
    {
        /**
         * @return messages sent.
         */
        int flush();
    }

    /**
     * Holds the after-persist lane until the state is durable ({@link DeferredOutbox}).
     */
    @FunctionalInterface
    public interface AfterPersist
    {
        /**
         * @return messages released.
         */
        int release();
    }

    /**
     * Nothing is held: for a driver whose outbox records every message as it is emitted (a test harness).
     */
    public static final AfterPersist NOTHING_HELD = () -> 0;

    private final RaftNode node;
    private final Inputs inputs;
    private final Storage storage;
    private final Transport transport;
    private final AfterPersist afterPersist;

    /**
     * @param node         the core to drive.
     * @param inputs       feeds it each cycle.
     * @param storage      syncs its log and metadata.
     * @param transport    sends what its outbox holds.
     * @param afterPersist the node's after-persist lane, usually the {@link DeferredOutbox} it sends through.
     */
    public DutyCycle(
        final RaftNode node,
        final Inputs inputs,
        final Storage storage,
        final Transport transport,
        final AfterPersist afterPersist)
    {
        this.node = node;
        this.inputs = inputs;
        this.storage = storage;
        this.transport = transport;
        this.afterPersist = afterPersist;
    }

    /**
     * Run one cycle.
     *
     * @param nowNs the time of the cycle, read once by the driver.
     * @return work done, 0 if there was none.
     */
    public int run(final long nowNs)
    {
        node.clock(nowNs);
        int workCount = inputs.poll(nowNs);
        workCount += node.doWork(nowNs);
        workCount += transport.flush();
        if (node.isPersistPending())
        {
            if (!storage.sync())
            {
                return workCount;
            }
            node.onPersisted();
            workCount += node.applyCommitted();
        }
        final int released = afterPersist.release();
        workCount += released;
        if (released > 0)
        {
            workCount += transport.flush();
        }
        return workCount;
    }
}
