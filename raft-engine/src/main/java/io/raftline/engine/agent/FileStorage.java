package io.raftline.engine.agent;

import io.raftline.engine.core.RaftConfig;
import io.raftline.log.ChronicleLogContext;
import io.raftline.log.ChronicleRaftLog;
import io.raftline.log.FileMetadataStore;
import io.raftline.log.FileSnapshotStore;
import io.raftline.log.MetadataStore;
import io.raftline.log.RaftLog;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a member's durable storage in its directory ({@code <dir>/member-<id>}): the Raft log on Chronicle Queue
 * ({@code log/}), the term and vote ({@code member-state}) and the snapshots ({@code snapshots/}).
 * <p>
 * A member directory that does not exist yet is a new member: everything is created empty. In an existing one,
 * every part must be present and valid, or the member refuses to start (with the file and offset at fault) rather
 * than serve wrong data: a missing metadata file would let the member vote twice in a term it already voted in.
 */
final class FileStorage
{
    static final String LOG_DIR = "log";
    static final String METADATA_FILE = "member-state";
    static final String SNAPSHOT_DIR = "snapshots";
    static final int DEFAULT_INDEX_CAPACITY = 64 * 1024;
    // 2^24 slots of 8 bytes: 128 MiB of address space at most, reserved, not resident until used.
    static final int MAX_INITIAL_INDEX_CAPACITY = 1 << 24;

    private FileStorage()
    {
    }

    static MemberStorage open(final MemberContext ctx)
    {
        final Path dir = ctx.memberDir().toPath();
        final boolean isNew = !Files.exists(dir);
        RaftLog log = null;
        MetadataStore metadata = null;
        try
        {
            Files.createDirectories(dir);
            if (!isNew && !Files.exists(dir.resolve(LOG_DIR)) && Files.exists(dir.resolve(METADATA_FILE)))
            {
                throw new IllegalStateException("member directory " + dir + " has a metadata file but no log: " +
                    "refusing to start with the log lost");
            }
            log = ChronicleRaftLog.open(new ChronicleLogContext()
                .directory(dir.resolve(LOG_DIR))
                .durability(ctx.durability())
                .maxEntryLength(ctx.raftConfig().maxEntryLength())
                .initialIndexCapacity(indexCapacity(ctx.raftConfig()))
                .conclude());
            metadata = FileMetadataStore.open(dir.resolve(METADATA_FILE), ctx.durability(),
                isNew || isEmptyMember(log, dir));
            final FileSnapshotStore snapshots = new FileSnapshotStore(dir.resolve(SNAPSHOT_DIR), ctx.durability());
            return new MemberStorage(log, metadata, snapshots);
        }
        catch (final IOException ex)
        {
            CloseHelper.quietCloseAll(log, metadata);
            throw new UncheckedIOException("cannot open member directory " + dir, ex);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(log, metadata);
            throw ex;
        }
    }

    /**
     * The log's in-memory index sized for the most entries a member holds in its steady state: those applied since
     * the last snapshot (up to the snapshot interval) and those kept below it. Growing the index copies it on the
     * agent thread: measured, about 3 ms for each member when it passed 2^20 entries (with the default interval of
     * 1,000,000 and 100,000 kept), all three members of an IPC cluster at the same index, so a 9 ms stall of their
     * shared thread under load. Reserved, not touched: the pages are faulted in as the index fills.
     *
     * @param config of the member.
     * @return entries the index holds before it first grows.
     */
    static int indexCapacity(final RaftConfig config)
    {
        final long interval = config.snapshotIntervalEntries();
        if (interval <= 0)
        {
            return DEFAULT_INDEX_CAPACITY;
        }
        // A quarter more for the entries that arrive while a snapshot is being written.
        final long steady = interval + config.compactionRetainEntries();
        final long wanted = steady + steady / 4;
        return (int)Math.min(MAX_INITIAL_INDEX_CAPACITY, Math.max(DEFAULT_INDEX_CAPACITY, wanted));
    }

    /**
     * A directory that was created but never held any state (a member that crashed while starting the first time)
     * may get a fresh metadata file; one whose log holds entries may not.
     */
    private static boolean isEmptyMember(final RaftLog log, final Path dir)
    {
        return 0 == log.lastIndex() && !Files.exists(dir.resolve(SNAPSHOT_DIR));
    }
}
