package io.raftline.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileMetadataStoreTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void shouldKeepTermAndVoteAcrossReopen(final Durability durability)
    {
        final Path file = dir.resolve("metadata");
        try (FileMetadataStore store = FileMetadataStore.open(file, durability, true))
        {
            assertEquals(0, store.currentTerm());
            assertEquals(MetadataStore.NO_VOTE, store.votedFor());
            store.update(3, 2);
            store.sync();
            store.update(4, MetadataStore.NO_VOTE);
            store.update(4, 1);
            store.sync();
        }
        try (FileMetadataStore store = FileMetadataStore.open(file, durability, false))
        {
            assertEquals(4, store.currentTerm());
            assertEquals(1, store.votedFor());
        }
        assertFalse(Files.exists(dir.resolve("metadata.tmp")));
    }

    @Test
    void shouldWriteAtOnceWithDurabilityEach()
    {
        final Path file = dir.resolve("metadata");
        final FileMetadataStore store = FileMetadataStore.open(file, Durability.EACH, true);
        store.update(9, 0);
        // No sync and no close: a crash now must still find the vote.
        try (FileMetadataStore reopened = FileMetadataStore.open(file, Durability.EACH, false))
        {
            assertEquals(9, reopened.currentTerm());
            assertEquals(0, reopened.votedFor());
        }
    }

    @Test
    void shouldRefuseATermGoingBackwards()
    {
        try (FileMetadataStore store = FileMetadataStore.open(dir.resolve("metadata"), Durability.BATCH, true))
        {
            store.update(5, 1);
            assertThrows(IllegalArgumentException.class, () -> store.update(4, 1));
        }
    }

    @Test
    void shouldIgnoreATemporaryFileLeftByACrashBeforeTheRename() throws IOException
    {
        final Path file = dir.resolve("metadata");
        try (FileMetadataStore store = FileMetadataStore.open(file, Durability.BATCH, true))
        {
            store.update(7, 3);
            store.sync();
        }
        Files.write(dir.resolve("metadata.tmp"), new byte[]{1, 2, 3});
        try (FileMetadataStore store = FileMetadataStore.open(file, Durability.BATCH, false))
        {
            assertEquals(7, store.currentTerm());
            assertEquals(3, store.votedFor());
        }
        assertFalse(Files.exists(dir.resolve("metadata.tmp")));
    }

    @Test
    void shouldReportAMissingFileWhenOneIsExpected()
    {
        final Path file = dir.resolve("metadata");
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class,
            () -> FileMetadataStore.open(file, Durability.BATCH, false));
        assertEquals(file, ex.file());
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
    }

    @Test
    void shouldReportAFlippedByte() throws IOException
    {
        final Path file = writeStore(11, 2);
        final byte[] bytes = Files.readAllBytes(file);
        bytes[10] ^= 0x01;
        Files.write(file, bytes);
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class,
            () -> FileMetadataStore.open(file, Durability.BATCH, false));
        assertEquals(file, ex.file());
        assertTrue(ex.getMessage().contains("checksum"), ex.getMessage());
        assertTrue(ex.getMessage().contains("offset"), ex.getMessage());
    }

    @Test
    void shouldReportATruncatedFile() throws IOException
    {
        final Path file = writeStore(11, 2);
        final byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class,
            () -> FileMetadataStore.open(file, Durability.BATCH, false));
        assertEquals(file, ex.file());
        assertEquals(0, ex.offset());
    }

    @Test
    void shouldReportAnEmptyFile() throws IOException
    {
        final Path file = writeStore(11, 2);
        Files.write(file, new byte[0]);
        assertThrows(LogCorruptionException.class, () -> FileMetadataStore.open(file, Durability.BATCH, false));
    }

    private Path writeStore(final long term, final int vote)
    {
        final Path file = dir.resolve("metadata");
        try (FileMetadataStore store = FileMetadataStore.open(file, Durability.BATCH, true))
        {
            store.update(term, vote);
            store.sync();
        }
        return file;
    }
}
