package io.raftline.engine.agent;

import io.raftline.engine.core.MembershipSnapshots;
import io.raftline.log.InMemoryMetadataStore;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.InMemorySnapshotStore;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The agent's snapshot writer and the core share one store that puts the configuration into every snapshot, however
 * a storage factory builds the storage (tests wrap storages again).
 */
class MemberStorageSnapshotsTest
{
    @Test
    void theSnapshotStoreIsWrappedOnce()
    {
        final MemberStorage storage =
            new MemberStorage(new InMemoryRaftLog(), new InMemoryMetadataStore(), new InMemorySnapshotStore());
        assertInstanceOf(MembershipSnapshots.class, storage.snapshots());
        final MemberStorage again = new MemberStorage(storage.log(), storage.metadata(), storage.snapshots());
        assertSame(storage.snapshots(), again.snapshots());
    }
}
