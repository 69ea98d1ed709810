package io.raftline.perf;

import io.raftline.log.ChronicleLogContext;
import io.raftline.log.ChronicleRaftLog;
import io.raftline.log.Durability;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Append cost of {@link ChronicleRaftLog} (page cache, {@link Durability#NONE}) against raw Chronicle Queue appends
 * of the same payload sizes, in the same run, so the ratio is visible. Both copy the payload once from an off-heap
 * buffer into the mapped file; the log also encodes an SBE record around it, checksums it (CRC32C) and updates its
 * index. Each iteration starts with an empty directory.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class LogAppendBenchmark extends RaftlineBenchmark
{
    /**
     * A {@link ChronicleRaftLog} in a fresh directory.
     */
    @State(Scope.Thread)
    public static class RaftLogState
    {
        @Param({"32", "256", "4096"})
        int size;

        Path directory;
        ChronicleRaftLog log;
        UnsafeBuffer payload;

        /**
         * Open an empty log.
         */
        @Setup(Level.Iteration)
        public void open()
        {
            payload = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            payload.setMemory(0, size, (byte)'r');
            directory = BenchmarkFiles.newDirectory("raft-log-");
            log = ChronicleRaftLog.open(new ChronicleLogContext()
                .directory(directory)
                .durability(Durability.NONE)
                .maxEntryLength(size));
        }

        /**
         * Close and delete the log.
         */
        @TearDown(Level.Iteration)
        public void close()
        {
            log.close();
            BenchmarkFiles.delete(directory);
        }
    }

    /**
     * A raw Chronicle Queue in a fresh directory, with the same roll cycle, block size and sync mode as the log.
     */
    @State(Scope.Thread)
    public static class RawQueueState
    {
        @Param({"32", "256", "4096"})
        int size;

        Path directory;
        SingleChronicleQueue queue;
        ExcerptAppender appender;
        BytesStore<?, Void> payload;

        /**
         * Open an empty queue.
         */
        @Setup(Level.Iteration)
        public void open()
        {
            payload = BytesStore.nativeStoreWithFixedCapacity(size);
            for (int i = 0; i < size; i++)
            {
                payload.writeByte(i, (byte)'q');
            }
            directory = BenchmarkFiles.newDirectory("raw-queue-");
            queue = SingleChronicleQueueBuilder.single(directory.toFile())
                .rollCycle(RollCycles.FAST_DAILY)
                .blockSize(ChronicleLogContext.BLOCK_LENGTH_DEFAULT)
                .syncMode(SyncMode.NONE)
                .build();
            appender = queue.createAppender();
        }

        /**
         * Close and delete the queue.
         */
        @TearDown(Level.Iteration)
        public void close()
        {
            appender.close();
            queue.close();
            payload.releaseLast();
            BenchmarkFiles.delete(directory);
        }
    }

    /**
     * One entry appended to the Raft log, never synced: the entries share 64 KiB Chronicle documents.
     *
     * @param state the log.
     * @return the new index.
     */
    @Benchmark
    public long raftLogAppend(final RaftLogState state)
    {
        return state.log.append(1, state.payload, 0, state.size);
    }

    /**
     * One entry appended and synced ({@code NONE}: the sync completes the Chronicle document and forces nothing):
     * one document per entry, like {@link #rawQueueAppend}.
     *
     * @param state the log.
     * @return the new index.
     */
    @Benchmark
    public long raftLogAppendSyncEach(final RaftLogState state)
    {
        final long index = state.log.append(1, state.payload, 0, state.size);
        state.log.sync();
        return index;
    }

    /**
     * One document of the same size appended to a raw queue.
     *
     * @param state the queue.
     */
    @Benchmark
    public void rawQueueAppend(final RawQueueState state)
    {
        try (DocumentContext context = state.appender.writingDocument())
        {
            context.wire().bytes().write(state.payload, 0L, (long)state.size);
        }
    }
}
