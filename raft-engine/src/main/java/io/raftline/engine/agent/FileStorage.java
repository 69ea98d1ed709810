package io.raftline.engine.agent;

/**
 * Opens a member's durable storage in its directory: the Raft log on Chronicle Queue, the metadata file and the
 * snapshot files.
 */
final class FileStorage
{
    private FileStorage()
    {
    }

    static MemberStorage open(final MemberContext ctx)
    {
        throw new UnsupportedOperationException("storage=file needs the Chronicle Queue log store, which is not " +
            "wired in yet; use storage=memory");
    }
}
