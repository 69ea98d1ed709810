package io.raftline.engine.agent;

import io.raftline.log.ChronicleRaftLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member's log index is sized for its steady state (the entries since the last snapshot plus those kept below it),
 * so that it never grows, and copies itself on the agent thread, under load. Before, it started at 64 Ki entries and
 * doubled up to 2 Mi: the last doubling, at 2^20 entries, took about 3 ms for each member.
 */
class FileStorageIndexTest
{
    @TempDir
    Path dir;

    private MemberContext context()
    {
        return new MemberContext().dir(dir.toString()).memberId(0).members("0").service(new CounterService());
    }

    @Test
    void theIndexHoldsASnapshotIntervalAndTheEntriesKeptBelowIt()
    {
        final MemberContext ctx = context().conclude();
        final long steady = ctx.raftConfig().snapshotIntervalEntries() + ctx.raftConfig().compactionRetainEntries();
        try (MemberStorage storage = FileStorage.open(ctx))
        {
            final int capacity = ((ChronicleRaftLog)storage.log()).indexCapacity();
            assertTrue(capacity >= steady, "index capacity " + capacity + " for " + steady + " entries");
        }
    }

    @Test
    void anIntervalOfEntriesSetsTheSize()
    {
        final MemberContext ctx = context()
            .snapshotInterval(4_000_000, 0).compactionRetainEntries(500_000).conclude();
        try (MemberStorage storage = FileStorage.open(ctx))
        {
            assertTrue(((ChronicleRaftLog)storage.log()).indexCapacity() >= 4_500_000);
        }
    }

    @Test
    void withoutAnIntervalOfEntriesTheIndexStartsSmallAndItsSizeIsBounded()
    {
        assertEquals(FileStorage.DEFAULT_INDEX_CAPACITY, FileStorage.indexCapacity(
            context().snapshotInterval(0, 1 << 20).conclude().raftConfig()));
        assertEquals(FileStorage.MAX_INITIAL_INDEX_CAPACITY, FileStorage.indexCapacity(
            context().snapshotInterval(1L << 40, 0).conclude().raftConfig()));
    }
}
