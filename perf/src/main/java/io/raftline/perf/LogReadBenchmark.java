package io.raftline.perf;

import io.raftline.log.ChronicleLogContext;
import io.raftline.log.ChronicleRaftLog;
import io.raftline.log.Durability;
import io.raftline.log.LogEntryView;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Read and term lookup on a log of one million 256-byte entries, walking it in order as a leader does when it
 * sends entries to a follower. {@code -prof gc} shows that neither allocates.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class LogReadBenchmark extends RaftlineBenchmark
{
    private static final int ENTRIES = 1_000_000;

    private final LogEntryView view = new LogEntryView();
    private Path directory;
    private ChronicleRaftLog log;
    private long next = 1;

    /**
     * Fill a log.
     */
    @Setup(Level.Trial)
    public void fill()
    {
        directory = BenchmarkFiles.newDirectory("raft-log-read-");
        log = ChronicleRaftLog.open(new ChronicleLogContext().directory(directory).durability(Durability.NONE));
        final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        for (int i = 1; i <= ENTRIES; i++)
        {
            payload.putInt(0, i);
            log.append(1 + i / 1000, payload, 0, 256);
        }
    }

    /**
     * Close and delete the log.
     */
    @TearDown(Level.Trial)
    public void close()
    {
        log.close();
        BenchmarkFiles.delete(directory);
    }

    /**
     * Wrap the next entry and read one int of it.
     *
     * @return the int, so the read is not eliminated.
     */
    @Benchmark
    public int read()
    {
        final long index = next;
        next = index == ENTRIES ? 1 : index + 1;
        log.read(index, view);
        return view.buffer().getInt(view.offset()) + view.length();
    }

    /**
     * Look up the term of the next entry.
     *
     * @return the term.
     */
    @Benchmark
    public long termAt()
    {
        final long index = next;
        next = index == ENTRIES ? 1 : index + 1;
        return log.termAt(index);
    }
}
