package io.raftline.perf;

import io.raftline.log.ChronicleLogContext;
import io.raftline.log.ChronicleRaftLog;
import io.raftline.log.Durability;
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
 * The cost of each {@link Durability} level: one operation is one duty cycle of the engine, {@code batch} appends of
 * 256 bytes followed by {@link ChronicleRaftLog#sync()}. NONE never forces; BATCH forces once per cycle; EACH forces
 * every append. Divide by {@code batch} for the cost per append.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class LogDurabilityBenchmark extends RaftlineBenchmark
{
    @Param({"NONE", "BATCH", "EACH"})
    Durability durability;

    @Param({"1", "16", "128"})
    int batch;

    private Path directory;
    private ChronicleRaftLog log;
    private UnsafeBuffer payload;

    /**
     * Open an empty log.
     */
    @Setup(Level.Iteration)
    public void open()
    {
        payload = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        directory = BenchmarkFiles.newDirectory("raft-log-sync-");
        log = ChronicleRaftLog.open(new ChronicleLogContext().directory(directory).durability(durability));
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

    /**
     * One duty cycle: append a batch, then sync.
     *
     * @return the last index appended.
     */
    @Benchmark
    public long dutyCycle()
    {
        long index = 0;
        for (int i = 0; i < batch; i++)
        {
            payload.putInt(0, i);
            index = log.append(1, payload, 0, 256);
        }
        log.sync();
        return index;
    }
}
