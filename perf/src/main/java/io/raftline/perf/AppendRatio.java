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

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Companion of {@link LogAppendBenchmark} for a shared, noisy machine: it alternates short timed slices of
 * {@link ChronicleRaftLog} appends and raw Chronicle Queue appends in one JVM, each slice on a fresh directory, so
 * both see the same background load, and prints the median time per append of each, their throughput ratio and
 * the bytes the appending thread allocated per append. The first rounds warm the JIT and are not counted.
 * <p>
 * The log completes a Chronicle document at every {@code sync()} and gathers the appends between two syncs into one:
 * "log, sync each" (one document per append, like the raw queue) is the like-for-like ratio; "log, sync per 16" is
 * what a duty cycle under load does.
 * <p>
 * Run: {@code java -cp perf/target/raftline-benchmarks.jar (JVM flags) io.raftline.perf.AppendRatio [rounds]}.
 */
public final class AppendRatio
{
    private static final int[] SIZES = {32, 256, 4096};
    private static final int WARM_UP_ROUNDS = 4;

    private AppendRatio()
    {
    }

    /**
     * @param args optional number of counted rounds (default 15).
     */
    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        for (final int batch : new int[]{1, 16})
        {
            System.out.printf("log, sync %s%n", 1 == batch ? "each" : "per " + batch);
            System.out.println("size  raftLog ns/op  raw ns/op  ratio (raw time / log time)  raftLog B/op  raw B/op");
            measure(rounds, batch);
        }
    }

    private static void measure(final int rounds, final int batch)
    {
        for (final int size : SIZES)
        {
            final int appends = 256 * 1024 * 1024 / (size + 64);
            final double[] log = new double[rounds];
            final double[] raw = new double[rounds];
            final double[] logBytes = new double[rounds];
            final double[] rawBytes = new double[rounds];
            for (int round = -WARM_UP_ROUNDS; round < rounds; round++)
            {
                final long[] logResult;
                final long[] rawResult;
                if ((round & 1) == 0)
                {
                    logResult = timeLog(size, appends, batch);
                    rawResult = timeRaw(size, appends);
                }
                else
                {
                    rawResult = timeRaw(size, appends);
                    logResult = timeLog(size, appends, batch);
                }
                if (round >= 0)
                {
                    log[round] = logResult[0] / (double)appends;
                    raw[round] = rawResult[0] / (double)appends;
                    logBytes[round] = logResult[1] / (double)appends;
                    rawBytes[round] = rawResult[1] / (double)appends;
                }
            }
            final double logMedian = median(log);
            final double rawMedian = median(raw);
            System.out.printf("%5d %14.1f %10.1f %28.2f %13.3f %9.3f%n",
                size, logMedian, rawMedian, rawMedian / logMedian, median(logBytes), median(rawBytes));
        }
    }

    private static long[] timeLog(final int size, final int appends, final int batch)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        final Path directory = BenchmarkFiles.newDirectory("ratio-log-");
        try (ChronicleRaftLog log = ChronicleRaftLog.open(new ChronicleLogContext()
            .directory(directory)
            .durability(Durability.NONE)
            .maxEntryLength(size)))
        {
            final long bytesBefore = allocatedBytes();
            final long start = System.nanoTime();
            for (int i = 1; i <= appends; i++)
            {
                log.append(1, payload, 0, size);
                if (0 == i % batch)
                {
                    log.sync();
                }
            }
            final long elapsedNs = System.nanoTime() - start;
            return new long[]{elapsedNs, allocatedBytes() - bytesBefore};
        }
        finally
        {
            BenchmarkFiles.delete(directory);
        }
    }

    private static long[] timeRaw(final int size, final int appends)
    {
        final BytesStore<?, Void> payload = BytesStore.nativeStoreWithFixedCapacity(size);
        final Path directory = BenchmarkFiles.newDirectory("ratio-raw-");
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.single(directory.toFile())
            .rollCycle(RollCycles.FAST_DAILY)
            .blockSize(ChronicleLogContext.BLOCK_LENGTH_DEFAULT)
            .syncMode(SyncMode.NONE)
            .build();
            ExcerptAppender appender = queue.createAppender())
        {
            final long bytesBefore = allocatedBytes();
            final long start = System.nanoTime();
            for (int i = 0; i < appends; i++)
            {
                try (DocumentContext context = appender.writingDocument())
                {
                    context.wire().bytes().write(payload, 0L, (long)size);
                }
            }
            final long elapsedNs = System.nanoTime() - start;
            return new long[]{elapsedNs, allocatedBytes() - bytesBefore};
        }
        finally
        {
            payload.releaseLast();
            BenchmarkFiles.delete(directory);
        }
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean())
            .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
