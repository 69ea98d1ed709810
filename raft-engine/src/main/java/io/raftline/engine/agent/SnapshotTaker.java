package io.raftline.engine.agent;

import io.raftline.engine.SnapshotOutput;
import io.raftline.engine.SnapshotSource;
import io.raftline.log.SnapshotStore;
import io.raftline.log.SnapshotWriter;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes snapshots on a background thread, so the agent keeps replicating, committing and applying while a large
 * snapshot goes to disk. The agent hands over the engine's section (already encoded) and the service's
 * {@link SnapshotSource}; it learns of the outcome by polling {@link #pollCompleted()} once per duty cycle.
 */
final class SnapshotTaker implements AutoCloseable
{
    static final long NONE = -1;
    static final long FAILED = -2;

    private final SnapshotStore store;
    private final ErrorHandler errorHandler;
    private final ExecutorService executor;
    private final AtomicLong outcome = new AtomicLong(NONE);

    SnapshotTaker(final SnapshotStore store, final ErrorHandler errorHandler, final int memberId)
    {
        this.store = store;
        this.errorHandler = errorHandler;
        this.executor = Executors.newSingleThreadExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, "raftline-snapshot-" + memberId);
            thread.setDaemon(true);
            return thread;
        });
    }

    void submit(final long index, final long term, final byte[] engineSection, final SnapshotSource source)
    {
        executor.execute(() ->
        {
            try (SnapshotWriter writer = store.begin(index, term))
            {
                writer.write(new UnsafeBuffer(engineSection), 0, engineSection.length);
                source.writeTo(new SnapshotOutput()
                {
                    public void write(final DirectBuffer buffer, final int offset, final int length)
                    {
                        writer.write(buffer, offset, length);
                    }

                    public void write(final byte[] bytes)
                    {
                        writer.write(new UnsafeBuffer(bytes), 0, bytes.length);
                    }
                });
                writer.commit();
                store.deleteOlder();
                outcome.set(index);
            }
            catch (final Throwable t)
            {
                errorHandler.onError(new IllegalStateException("snapshot at index " + index + " failed", t));
                outcome.set(FAILED);
            }
        });
    }

    /**
     * @return the index of a snapshot that just became durable, {@link #FAILED}, or {@link #NONE}.
     */
    long pollCompleted()
    {
        if (NONE == outcome.get())
        {
            return NONE;
        }
        return outcome.getAndSet(NONE);
    }

    public void close()
    {
        executor.shutdown();
        try
        {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
