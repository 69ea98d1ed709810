package io.raftline.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot paths (append, read, termAt, and one sync per batch) allocate nothing in steady state, measured with the
 * thread's allocation counter over several phases after a warm-up that lets the JIT compile them.
 * <p>
 * A per-operation allocation of even 16 bytes would show as about a megabyte per phase, and one every hundred
 * operations as over ten kilobytes. What does show is a few hundred bytes in one phase or none, when the JIT
 * recompiles the loop and materialises objects it had scalar-replaced; so each phase must stay under 4 KiB (in
 * practice most phases allocate exactly nothing).
 */
class ChronicleRaftLogAllocationTest
{
    private static final int WARM_UP = 60_000;
    private static final int PHASE = 60_000;
    private static final int PHASES = 3;
    private static final int BATCH = 32;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Durability.class, names = {"NONE", "BATCH"})
    void appendReadTermAtAndSyncAllocateNothing(final Durability durability)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        final UnsafeBuffer onHeap = new UnsafeBuffer(new byte[256]);
        final UnsafeBuffer offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final LogEntryView view = new LogEntryView();
        final long[] allocated = new long[PHASES];
        try (ChronicleRaftLog log = ChronicleRaftLog.open(new ChronicleLogContext()
            .directory(dir)
            .durability(durability)
            .initialIndexCapacity(2 * (WARM_UP + PHASES * PHASE))))
        {
            long checksum = run(log, WARM_UP, onHeap, offHeap, view);
            for (int phase = 0; phase < PHASES; phase++)
            {
                final long before = threads.getThreadAllocatedBytes(threadId);
                checksum += run(log, PHASE, onHeap, offHeap, view);
                allocated[phase] = threads.getThreadAllocatedBytes(threadId) - before;
            }
            assertEquals(WARM_UP + PHASES * PHASE, log.lastIndex());
            assertTrue(checksum != 0);
        }
        final String report = "bytes allocated per phase of " + PHASE + " appends with " + durability + ": " +
            Arrays.toString(allocated);
        assertTrue(Arrays.stream(allocated).max().getAsLong() < 4096, report);
    }

    private static long run(
        final ChronicleRaftLog log,
        final int count,
        final UnsafeBuffer onHeap,
        final UnsafeBuffer offHeap,
        final LogEntryView view)
    {
        long checksum = 0;
        for (int i = 0; i < count; i++)
        {
            final UnsafeBuffer source = (i & 1) == 0 ? onHeap : offHeap;
            source.putInt(0, i);
            final long index = log.append(1 + (log.lastIndex() >> 12), source, 0, 32 + (i & 127));
            checksum += log.termAt(index - (i & 7));
            if (log.read(index - (i & 15), view))
            {
                checksum += view.buffer().getInt(view.offset()) + view.length();
            }
            if ((i % BATCH) == BATCH - 1)
            {
                log.sync();
            }
        }
        return checksum;
    }
}
