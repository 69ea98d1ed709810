package io.raftline.engine.core;

import io.raftline.log.InMemoryMetadataStore;
import io.raftline.log.InMemoryRaftLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The owner of the core's log and metadata: every mutation marks it dirty, and it knows how far the log is durable.
 */
class CoreLogTest
{
    private final InMemoryRaftLog raftLog = new InMemoryRaftLog();
    private final InMemoryMetadataStore metadata = new InMemoryMetadataStore();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[]{1});

    @Test
    void everyMutationMarksItDirtyUntilPersisted()
    {
        final CoreLog log = new CoreLog(raftLog, metadata);
        assertFalse(log.isPersistPending());

        log.append(1, payload, 0, 1);
        assertDirtyThenClean(log);
        log.append(1, payload, 0, 1);
        log.append(1, payload, 0, 1);
        log.onPersisted();
        log.truncateAfter(2);
        assertDirtyThenClean(log);
        log.compactTo(1);
        assertDirtyThenClean(log);
        log.reset(5, 1);
        assertDirtyThenClean(log);
        log.updateTermAndVote(2, 3);
        assertDirtyThenClean(log);
        assertEquals(2, metadata.currentTerm());
        assertEquals(3, metadata.votedFor());
        assertEquals(2, log.currentTerm());
        assertEquals(3, log.votedFor());
    }

    @Test
    void persistedIndexFollowsTheSyncsAndDropsWithTruncation()
    {
        final CoreLog log = new CoreLog(raftLog, metadata);
        log.append(1, payload, 0, 1);
        log.append(1, payload, 0, 1);
        assertEquals(0, log.persistedIndex(), "nothing synced yet");
        log.onPersisted();
        assertEquals(2, log.persistedIndex());

        log.append(1, payload, 0, 1);
        assertEquals(2, log.persistedIndex(), "the new entry is not durable yet");
        log.truncateAfter(1);
        assertEquals(1, log.persistedIndex(), "a truncated entry is not durable any more");
        log.append(2, payload, 0, 1);
        log.onPersisted();
        assertEquals(2, log.persistedIndex());

        log.reset(1, 1);
        assertEquals(1, log.persistedIndex(), "a reset keeps nothing above its base");
    }

    @Test
    void startsFromTheDurableState()
    {
        raftLog.append(1, payload, 0, 1);
        raftLog.sync();
        metadata.update(4, 2);
        final CoreLog log = new CoreLog(raftLog, metadata);
        assertFalse(log.isPersistPending());
        assertEquals(1, log.persistedIndex());
        assertEquals(4, log.currentTerm());
        assertEquals(2, log.votedFor());
        assertTrue(log.isUpToDate(1, 1));
        assertFalse(log.isUpToDate(0, 1));
        assertTrue(log.isUpToDate(0, 2));
    }

    private static void assertDirtyThenClean(final CoreLog log)
    {
        assertTrue(log.isPersistPending());
        log.onPersisted();
        assertFalse(log.isPersistPending());
    }
}
