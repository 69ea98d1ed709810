package io.raftline.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileSnapshotStoreTest
{
    @TempDir
    Path dir;

    @Test
    void shouldStreamCommitAndReadBackASnapshot()
    {
        final byte[] data = data(200_000, 1);
        final FileSnapshotStore store = new FileSnapshotStore(dir, Durability.BATCH);
        assertNull(store.latest());
        assertNull(store.openLatest());
        final SnapshotMetadata metadata = write(store, 42, 3, data);
        assertEquals(new SnapshotMetadata(42, 3, data.length, crc(data)), metadata);
        assertEquals(metadata, store.latest());
        assertArrayEquals(data, readAll(store));

        final FileSnapshotStore reopened = new FileSnapshotStore(dir, Durability.BATCH);
        assertEquals(metadata, reopened.latest());
        assertArrayEquals(data, readAll(reopened));
        assertTrue(reopened.rejected().isEmpty());
    }

    @Test
    void shouldLeaveNothingVisibleWhenAborted() throws IOException
    {
        final FileSnapshotStore store = new FileSnapshotStore(dir, Durability.BATCH);
        try (SnapshotWriter writer = store.begin(10, 1))
        {
            writer.write(new UnsafeBuffer(data(1000, 2)), 0, 1000);
        }
        assertNull(store.latest());
        assertEquals(List.of(), files());
    }

    @Test
    void shouldDeleteATemporaryFileLeftByACrashAndKeepTheCommittedOne() throws IOException
    {
        final FileSnapshotStore store = new FileSnapshotStore(dir, Durability.BATCH);
        final SnapshotMetadata committed = write(store, 5, 1, data(100, 3));
        final SnapshotWriter crashed = store.begin(9, 2);
        crashed.write(new UnsafeBuffer(data(100, 4)), 0, 100);
        // The process dies here: the writer is never committed or closed.

        final FileSnapshotStore reopened = new FileSnapshotStore(dir, Durability.BATCH);
        assertEquals(committed, reopened.latest());
        assertEquals(List.of(SnapshotFiles.name(5, 1)), files());
    }

    @Test
    void shouldSkipACorruptNewestSnapshotInFavourOfAnOlderValidOne() throws IOException
    {
        final FileSnapshotStore store = new FileSnapshotStore(dir, Durability.BATCH);
        final byte[] older = data(5000, 5);
        final SnapshotMetadata olderMetadata = write(store, 100, 4, older);
        write(store, 200, 5, data(5000, 6));
        final Path newest = dir.resolve(SnapshotFiles.name(200, 5));
        flipByte(newest, SnapshotFiles.HEADER_LENGTH + 1234);

        final FileSnapshotStore reopened = new FileSnapshotStore(dir, Durability.BATCH);
        assertEquals(olderMetadata, reopened.latest());
        assertArrayEquals(older, readAll(reopened));
        final List<LogCorruptionException> rejected = reopened.rejected();
        assertEquals(1, rejected.size());
        assertEquals(newest, rejected.get(0).file());
        assertTrue(rejected.get(0).getMessage().contains("data checksum mismatch"), rejected.get(0).getMessage());
        assertTrue(rejected.get(0).getMessage().contains(newest.toString()), rejected.get(0).getMessage());
    }

    @Test
    void shouldReportADamagedHeaderAndATruncatedSnapshot() throws IOException
    {
        final FileSnapshotStore store = new FileSnapshotStore(dir, Durability.BATCH);
        write(store, 1, 1, data(3000, 7));
        write(store, 2, 1, data(3000, 8));
        flipByte(dir.resolve(SnapshotFiles.name(2, 1)), 12);
        final Path truncated = dir.resolve(SnapshotFiles.name(1, 1));
        final byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 10));

        final FileSnapshotStore reopened = new FileSnapshotStore(dir, Durability.BATCH);
        assertNull(reopened.latest());
        final List<LogCorruptionException> rejected = reopened.rejected();
        assertEquals(2, rejected.size());
        assertTrue(rejected.get(0).getMessage().contains("header checksum"), rejected.get(0).getMessage());
        assertEquals(truncated, rejected.get(1).file());
        assertTrue(rejected.get(1).getMessage().contains("promises"), rejected.get(1).getMessage());
    }

    @Test
    void shouldDeleteOlderSnapshots() throws IOException
    {
        final FileSnapshotStore store = new FileSnapshotStore(dir, Durability.NONE);
        write(store, 1, 1, data(10, 1));
        write(store, 2, 1, data(10, 2));
        write(store, 30, 2, data(10, 3));
        store.deleteOlder();
        assertEquals(List.of(SnapshotFiles.name(30, 2)), files());
    }

    @Test
    void shouldRefuseWritesAfterCommit()
    {
        final FileSnapshotStore store = new FileSnapshotStore(dir, Durability.BATCH);
        final SnapshotWriter writer = store.begin(3, 1);
        writer.commit();
        assertThrows(IllegalStateException.class, () -> writer.write(new UnsafeBuffer(new byte[1]), 0, 1));
        assertEquals(new SnapshotMetadata(3, 1, 0, crc(new byte[0])), store.latest());
    }

    private static SnapshotMetadata write(final FileSnapshotStore store, final long index, final long term,
        final byte[] data)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(data);
        try (SnapshotWriter writer = store.begin(index, term))
        {
            int offset = 0;
            while (offset < data.length)
            {
                final int part = Math.min(7777, data.length - offset);
                writer.write(buffer, offset, part);
                offset += part;
            }
            assertEquals(data.length, writer.length());
            return writer.commit();
        }
    }

    private static byte[] readAll(final FileSnapshotStore store)
    {
        try (SnapshotReader reader = store.openLatest())
        {
            final byte[] data = new byte[(int)reader.metadata().length()];
            final UnsafeBuffer buffer = new UnsafeBuffer(data);
            long position = 0;
            int read;
            while ((read = reader.read(position, buffer, (int)position, 5000)) > 0)
            {
                position += read;
            }
            assertEquals(data.length, position);
            return data;
        }
    }

    private List<String> files() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(file -> file.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static void flipByte(final Path file, final int offset) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x10;
        Files.write(file, bytes);
    }

    private static byte[] data(final int length, final int seed)
    {
        final byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(i * 31 + seed * 7 + (i >> 8));
        }
        return data;
    }

    private static long crc(final byte[] data)
    {
        final CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }
}
