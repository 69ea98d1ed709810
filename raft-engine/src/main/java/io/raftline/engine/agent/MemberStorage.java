package io.raftline.engine.agent;

import io.raftline.engine.core.MembershipSnapshots;
import io.raftline.log.MetadataStore;
import io.raftline.log.RaftLog;
import io.raftline.log.SnapshotStore;
import org.agrona.CloseHelper;

/**
 * The durable state of one member.
 *
 * @param log       the Raft log.
 * @param metadata  the term and vote.
 * @param snapshots the snapshot store; wrapped so that every snapshot taken holds the cluster configuration.
 */
public record MemberStorage(RaftLog log, MetadataStore metadata, SnapshotStore snapshots) implements AutoCloseable
{
    /**
     * The snapshot store is wrapped (once) so that the snapshot writer and the core share it.
     */
    public MemberStorage
    {
        snapshots = MembershipSnapshots.wrap(snapshots);
    }

    /**
     * Opens the storage of a member from its context.
     */
    @FunctionalInterface
    public interface Factory
    {
        /**
         * @param ctx of the member, concluded.
         * @return its storage, open.
         */
        MemberStorage open(MemberContext ctx);
    }

    /**
     * Close the stores.
     */
    public void close()
    {
        CloseHelper.closeAll(log, metadata, snapshots);
    }
}
