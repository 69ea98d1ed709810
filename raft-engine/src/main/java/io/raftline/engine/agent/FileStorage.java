package io.raftline.engine.agent;

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
     * A directory that was created but never held any state (a member that crashed while starting the first time)
     * may get a fresh metadata file; one whose log holds entries may not.
     */
    private static boolean isEmptyMember(final RaftLog log, final Path dir)
    {
        return 0 == log.lastIndex() && !Files.exists(dir.resolve(SNAPSHOT_DIR));
    }
}
