package io.raftline.engine.agent;

import io.raftline.codecs.ClientRequestEncoder;
import io.raftline.engine.ForwardingRaftLog;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import io.raftline.log.LogCorruptionException;
import io.raftline.log.RaftLog;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged or missing files: the member refuses to start, naming the file (and the offset for the log), rather than
 * serve wrong data; with intact files it restarts from its snapshot and log. A full disk stops the member that
 * hits it (fail-stop) while the others go on, and nothing acknowledged is lost.
 */
@Timeout(180)
class MemberStorageFaultTest
{
    @TempDir
    Path dir;

    private MemberContext template()
    {
        return LocalClusterIpcTest.template()
            .storage(StorageType.FILE)
            .dir(dir.toString())
            .snapshotInterval(50, 0)
            .compactionRetainEntries(0);
    }

    private long runCommands(final LocalCluster cluster, final int commands)
    {
        final long[] acked = new long[1];
        final long[] value = new long[1];
        try (RaftClient client = RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxInflight(8)
            .leaderTimeoutNs(300_000_000L)
            .commandTimeoutNs(30_000_000_000L)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
            {
                assertTrue(ResponseListener.OK == outcome || ResponseListener.DUPLICATE == outcome);
                acked[0]++;
                value[0] = Math.max(value[0], buffer.getLong(offset));
            })))
        {
            final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
            command.putLong(0, 1);
            long sent = 0;
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (acked[0] < commands)
            {
                assertTrue(System.nanoTime() < deadline, "commands acknowledged: " + acked[0]);
                if (sent < commands && client.offer(command, 0, 8) > 0)
                {
                    sent++;
                }
                client.poll();
            }
        }
        return value[0];
    }

    private LocalCluster startOne(final CounterService[] service)
    {
        final LocalCluster cluster = LocalCluster.start(1, template(), (id) ->
        {
            service[0] = new CounterService();
            return service[0];
        });
        Await.until("a leader", 20_000, () -> cluster.leaderId() >= 0);
        return cluster;
    }

    private Path memberDir()
    {
        return dir.resolve("member-0");
    }

    private void writeSomeHistory()
    {
        final CounterService[] service = new CounterService[1];
        try (LocalCluster cluster = startOne(service))
        {
            assertEquals(200, runCommands(cluster, 200));
        }
    }

    @Test
    void restartsFromItsSnapshotAndLogWhenFilesAreIntact()
    {
        writeSomeHistory();
        final CounterService[] service = new CounterService[1];
        try (LocalCluster cluster = startOne(service))
        {
            assertTrue(service[0].snapshotsLoaded() >= 1, "restored from the snapshot");
            Await.until("state rebuilt from snapshot and log", 10_000, () -> service[0].value() == 200);
            assertEquals(201, runCommands(cluster, 1));
        }
    }

    @Test
    void refusesToStartWithoutItsMetadata() throws IOException
    {
        writeSomeHistory();
        Files.delete(memberDir().resolve(FileStorage.METADATA_FILE));
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, () -> startOne(
            new CounterService[1]));
        assertTrue(ex.getMessage().contains(FileStorage.METADATA_FILE), ex.getMessage());
        assertTrue(ex.getMessage().contains("missing"), ex.getMessage());
    }

    @Test
    void refusesToStartWithACorruptLogNamingFileAndOffset() throws IOException
    {
        writeSomeHistory();
        final Path segment = flipACommandInTheMiddleOfTheLog(memberDir().resolve(FileStorage.LOG_DIR));
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, () -> startOne(
            new CounterService[1]));
        assertTrue(ex.getMessage().contains(segment.getFileName().toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("offset"), ex.getMessage());
    }

    @Test
    void refusesToStartWhenTheOnlySnapshotCoveringTheLogIsCorrupt() throws IOException
    {
        writeSomeHistory();
        try (Stream<Path> files = Files.list(memberDir().resolve(FileStorage.SNAPSHOT_DIR)))
        {
            for (final Path snapshot : files.filter(Files::isRegularFile).toList())
            {
                flipByteNear(snapshot, 0.9);
            }
        }
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> startOne(
            new CounterService[1]));
        assertTrue(ex.getMessage().contains("no snapshot covering it") ||
            ex.getMessage().contains("refusing to start"), ex.getMessage());
    }

    @Test
    void fullDiskStopsOnlyTheMemberThatHitsItAndLosesNothing()
    {
        final boolean[] isDiskFull = new boolean[3];
        final CounterService[] services = new CounterService[3];
        try (LocalCluster cluster = LocalCluster.start(3, template()
            .storageFactory((ctx) ->
            {
                final MemberStorage storage = FileStorage.open(ctx);
                return new MemberStorage(new DiskFullLog(storage.log(), isDiskFull, ctx.memberId()),
                    storage.metadata(), storage.snapshots());
            }), (id) ->
            {
                services[id] = new CounterService();
                return services[id];
            }))
        {
            Await.until("a leader", 20_000, () -> cluster.leaderId() >= 0);
            assertEquals(100, runCommands(cluster, 100));

            final int follower = (cluster.leaderId() + 1) % 3;
            isDiskFull[follower] = true;
            assertEquals(300, runCommands(cluster, 200), "the other two go on");
            Await.until("the follower with a full disk stopped", 10_000, () -> cluster.member(follower).isFailed());
            isDiskFull[follower] = false;
            cluster.crash(follower);
            cluster.restart(follower);
            Await.until("the follower caught up", 20_000, () -> services[follower].value() == 300);

            final int leader = cluster.leaderId();
            isDiskFull[leader] = true;
            assertEquals(400, runCommands(cluster, 100), "a new leader took over from the one with a full disk");
            assertTrue(cluster.member(leader).isFailed(), "the leader with a full disk stopped");
            isDiskFull[leader] = false;
            cluster.crash(leader);
            cluster.restart(leader);
            for (int i = 0; i < 3; i++)
            {
                final int id = i;
                Await.until("member " + id + " converged", 20_000, () -> services[id].value() == 400);
            }
            assertFalse(cluster.member(follower).isFailed());
        }
    }

    /**
     * Find the stored ClientRequest frames (by their SBE header) in the log's segment files and flip a byte of the
     * command of one in the middle: a record the checksum covers, not a torn tail.
     *
     * @return the file changed.
     */
    private static Path flipACommandInTheMiddleOfTheLog(final Path logDir) throws IOException
    {
        final byte[] header = new byte[8];
        final UnsafeBuffer pattern = new UnsafeBuffer(header);
        pattern.putShort(0, (short)ClientRequestEncoder.BLOCK_LENGTH, ByteOrder.LITTLE_ENDIAN);
        pattern.putShort(2, (short)ClientRequestEncoder.TEMPLATE_ID, ByteOrder.LITTLE_ENDIAN);
        pattern.putShort(4, (short)ClientRequestEncoder.SCHEMA_ID, ByteOrder.LITTLE_ENDIAN);
        pattern.putShort(6, (short)ClientRequestEncoder.SCHEMA_VERSION, ByteOrder.LITTLE_ENDIAN);
        final List<Path> segments;
        try (Stream<Path> files = Files.list(logDir))
        {
            segments = files.filter((p) -> p.toString().endsWith(".cq4")).sorted(Comparator.comparing(Path::toString))
                .toList();
        }
        for (final Path segment : segments)
        {
            final byte[] bytes = Files.readAllBytes(segment);
            final List<Integer> found = new java.util.ArrayList<>();
            for (int i = 0; i + header.length < bytes.length; i++)
            {
                if (java.util.Arrays.equals(bytes, i, i + header.length, header, 0, header.length))
                {
                    found.add(i);
                }
            }
            if (found.size() >= 10)
            {
                final int position = found.get(found.size() / 2) + header.length + ClientRequestEncoder.BLOCK_LENGTH +
                    ClientRequestEncoder.payloadHeaderLength();
                try (RandomAccessFile raf = new RandomAccessFile(segment.toFile(), "rw"))
                {
                    raf.seek(position);
                    final int b = raf.read();
                    raf.seek(position);
                    raf.write(b ^ 0x5A);
                }
                return segment;
            }
        }
        throw new IllegalStateException("no segment of " + logDir + " holds ten commands");
    }

    private static void flipByteNear(final Path file, final double fraction) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            long position = (long)(raf.length() * fraction);
            // Chronicle files are sparse and mostly zero at the end: find a written byte.
            while (position < raf.length())
            {
                raf.seek(position);
                final int b = raf.read();
                if (0 != b)
                {
                    raf.seek(position);
                    raf.write(b ^ 0x5A);
                    return;
                }
                position++;
            }
            throw new IllegalStateException("no written byte in " + file + " after " + fraction);
        }
    }

    /**
     * A log whose appends fail like a full disk while a flag is set.
     */
    private static final class DiskFullLog extends ForwardingRaftLog<RaftLog>
    {
        private final boolean[] isDiskFull;
        private final int memberId;

        DiskFullLog(final RaftLog delegate, final boolean[] isDiskFull, final int memberId)
        {
            super(delegate);
            this.isDiskFull = isDiskFull;
            this.memberId = memberId;
        }

        private void checkSpace()
        {
            if (isDiskFull[memberId])
            {
                throw new UncheckedIOException(new IOException("No space left on device (simulated)"));
            }
        }

        public long append(
            final long term, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
        {
            checkSpace();
            return super.append(term, timestamp, buffer, offset, length);
        }

        public void truncateAfter(final long index)
        {
            checkSpace();
            super.truncateAfter(index);
        }

        public void compactTo(final long index)
        {
            checkSpace();
            super.compactTo(index);
        }

        public void reset(final long baseIndex, final long baseTerm)
        {
            checkSpace();
            super.reset(baseIndex, baseTerm);
        }
    }
}
