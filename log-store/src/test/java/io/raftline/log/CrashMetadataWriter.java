package io.raftline.log;

import java.io.PrintStream;
import java.nio.file.Paths;

/**
 * Child process of {@link ChronicleRaftLogCrashTest}: raises the term in its metadata file forever, voting in each
 * term, until killed; prints {@code SYNCED <term>} after each {@link MetadataStore#sync()}.
 * <p>
 * Arguments: file, durability.
 */
public final class CrashMetadataWriter
{
    private CrashMetadataWriter()
    {
    }

    public static void main(final String[] args)
    {
        final PrintStream out = new PrintStream(System.out, false);
        try (FileMetadataStore store = FileMetadataStore.open(Paths.get(args[0]), Durability.parse(args[1]), true))
        {
            out.println("READY " + store.currentTerm() + " " + store.votedFor());
            out.flush();
            while (true)
            {
                final long term = store.currentTerm() + 1;
                store.update(term, MetadataStore.NO_VOTE);
                store.update(term, (int)(term % 5));
                store.sync();
                out.println("SYNCED " + term);
                out.flush();
            }
        }
    }
}
