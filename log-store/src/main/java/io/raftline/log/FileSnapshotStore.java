package io.raftline.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A {@link SnapshotStore} of files in one directory ({@link SnapshotFiles} describes the format).
 * <p>
 * A snapshot is streamed to a temporary file, checksummed with CRC32C, forced to disk, renamed to its final name
 * and the directory forced ({@link FileSnapshotWriter}), so a crash leaves either no new snapshot or a complete one.
 * Opening the store deletes leftover temporary files and verifies the snapshots from the newest down (header
 * checksum, length, data checksum); the first valid one becomes {@link #latest()}. A corrupt snapshot is never
 * returned: it is skipped in favour of an older valid one and reported by {@link #rejected()}, with the file and
 * offset of the damage, so the engine can decide whether the older one still fits its log.
 * <p>
 * {@link #latest()} and {@link #openLatest()} may be called from the agent thread while a writer runs on another.
 */
public final class FileSnapshotStore implements SnapshotStore
{
    private final Path directory;
    private final Durability durability;
    private final List<LogCorruptionException> rejected = new ArrayList<>();
    private SnapshotMetadata latest;
    private Path latestFile;
    private long temporaryCount;

    /**
     * Open the store in a directory, created if absent, and find the newest valid snapshot.
     *
     * @param directory  of the snapshot files.
     * @param durability {@link Durability#NONE} skips forcing files to disk; any other level forces them.
     */
    public FileSnapshotStore(final Path directory, final Durability durability)
    {
        this.directory = directory;
        this.durability = durability;
        try
        {
            Files.createDirectories(directory);
            final List<Path> snapshots = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory))
            {
                for (final Path file : files)
                {
                    final String name = file.getFileName().toString();
                    if (name.endsWith(SnapshotFiles.TEMPORARY_SUFFIX))
                    {
                        Files.deleteIfExists(file);
                    }
                    else if (name.startsWith(SnapshotFiles.PREFIX) && name.endsWith(SnapshotFiles.SUFFIX))
                    {
                        snapshots.add(file);
                    }
                }
            }
            Collections.sort(snapshots, Collections.reverseOrder());
            for (final Path file : snapshots)
            {
                if (tryAdopt(file))
                {
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open snapshot store " + directory, ex);
        }
    }

    /**
     * @return the corrupt snapshots found when the store opened, newest first, each naming its file and offset.
     */
    public synchronized List<LogCorruptionException> rejected()
    {
        return new ArrayList<>(rejected);
    }

    /**
     * @return the file of the newest snapshot, or null.
     */
    public synchronized Path latestFile()
    {
        return latestFile;
    }

    /**
     * {@inheritDoc}
     */
    public synchronized SnapshotMetadata latest()
    {
        return latest;
    }

    /**
     * {@inheritDoc}
     */
    public SnapshotWriter begin(final long index, final long term)
    {
        final long sequence;
        synchronized (this)
        {
            sequence = ++temporaryCount;
        }
        final Path temporary = directory.resolve(
            SnapshotFiles.name(index, term) + "." + sequence + SnapshotFiles.TEMPORARY_SUFFIX);
        return new FileSnapshotWriter(this, index, term, temporary, Durability.NONE != durability);
    }

    /**
     * {@inheritDoc}
     */
    public synchronized SnapshotReader openLatest()
    {
        return null == latest ? null : new FileSnapshotReader(latest, latestFile);
    }

    /**
     * {@inheritDoc}
     */
    public synchronized void deleteOlder()
    {
        if (null == latest)
        {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                if (name.startsWith(SnapshotFiles.PREFIX) && name.endsWith(SnapshotFiles.SUFFIX) &&
                    name.compareTo(latestFile.getFileName().toString()) < 0)
                {
                    Files.deleteIfExists(file);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete old snapshots in " + directory, ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
    }

    synchronized void publish(final SnapshotMetadata metadata, final Path file)
    {
        if (null == latest || metadata.index() > latest.index() ||
            (metadata.index() == latest.index() && metadata.term() >= latest.term()))
        {
            latest = metadata;
            latestFile = file;
        }
    }

    private boolean tryAdopt(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final SnapshotMetadata metadata = SnapshotFiles.verify(file, channel);
            if (!file.getFileName().toString().equals(SnapshotFiles.name(metadata.index(), metadata.term())))
            {
                throw new LogCorruptionException(file, 0, "the header says index " + metadata.index() + " term " +
                    metadata.term() + ", which does not match the file name");
            }
            latest = metadata;
            latestFile = file;
            return true;
        }
        catch (final LogCorruptionException ex)
        {
            rejected.add(ex);
            return false;
        }
    }
}
