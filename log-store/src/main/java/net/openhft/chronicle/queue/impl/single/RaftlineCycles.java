package net.openhft.chronicle.queue.impl.single;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.Wire;
import net.openhft.chronicle.wire.WireOut;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * Raftline's two uses of Chronicle Queue's appender internals, kept in one class in Chronicle's package: starting
 * an appender's next cycle on another thread than the writing one, and ending a cycle without rolling.
 * <p>
 * Why: when an appender's next document falls in a new cycle, Chronicle rolls it there inside
 * {@code writingDocument}: end-of-file marker in the old cycle, then the new cycle's store (its header read back),
 * wires and position. Measured, that is 0.7-2.2 ms of CPU on the thread that writes, once per segment. Raftline's log
 * keeps a second appender, has the pretoucher's thread move it to the next cycle ahead of time
 * ({@link #startCycle(ExcerptAppender, int)}: what a roll does after the end-of-file marker), and at the segment's
 * end the writing thread writes the old cycle's end-of-file marker ({@link #endCycle(ExcerptAppender)}) and goes
 * on with the other appender: a few microseconds.
 * <p>
 * Both rely on package-private members of {@link StoreAppender} (checked by Raftline's log tests against the
 * Chronicle version in its build); a Chronicle upgrade that changes them fails to compile here, not at run time.
 */
public final class RaftlineCycles
{
    private RaftlineCycles()
    {
    }

    /**
     * Move an idle appender to a cycle, creating the cycle's file if it is absent, as a roll does, without writing
     * anything into either cycle. The appender must not be in the middle of a document and no other thread may use
     * it meanwhile.
     *
     * @param appender an appender of a {@link SingleChronicleQueue}.
     * @param cycle    to write next.
     * @return the cycle's file.
     */
    public static File startCycle(final ExcerptAppender appender, final int cycle)
    {
        final StoreAppender storeAppender = storeAppender(appender);
        storeAppender.setCycle(cycle);
        return storeAppender.currentFile();
    }

    /**
     * Write the end-of-file marker of the appender's current cycle, as a roll does before it moves on, and leave the
     * appender where it is. The appender must not be in the middle of a document.
     *
     * @param appender an appender of a {@link SingleChronicleQueue}.
     * @return whether the marker is there now (false if the appender has no cycle yet or Chronicle could not write it).
     */
    public static boolean endCycle(final ExcerptAppender appender)
    {
        final StoreAppender storeAppender = storeAppender(appender);
        final SingleChronicleQueueStore store = storeAppender.store;
        final Wire wire = storeAppender.wire();
        if (null == store || null == wire)
        {
            return false;
        }
        final WriteLock lock = storeAppender.queue().writeLock();
        lock.lock();
        try
        {
            final WireOut.EndOfWire end =
                wire.endOfWire(true, storeAppender.timeoutMS(), TimeUnit.MILLISECONDS, store.writePosition());
            return WireOut.EndOfWire.PRESENT_AFTER_UPDATE == end || WireOut.EndOfWire.PRESENT == end;
        }
        finally
        {
            lock.unlock();
        }
    }

    private static StoreAppender storeAppender(final ExcerptAppender appender)
    {
        if (!(appender instanceof StoreAppender))
        {
            throw new IllegalArgumentException("not an appender of a SingleChronicleQueue: " + appender.getClass());
        }
        return (StoreAppender)appender;
    }
}
