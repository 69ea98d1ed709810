package io.raftline.perf.baseline;

import org.agrona.ErrorHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the embedded Aeron components of a baseline report their errors instead of standard out or error: each
 * component still writes its own distinct error log in its mark file, and this collects the same errors, counted
 * by kind, so that a run can tell the errors of the measurement from the noise of tearing a cluster down.
 * <p>
 * Once {@link #closing()} is called, errors are counted apart: stopping members one by one makes the others report
 * lost peers and "unexpected termination", which says nothing about the measurement.
 */
public final class AeronErrors implements ErrorHandler
{
    private static final int MAX_KINDS = 32;

    private final Map<String, AtomicLong> countByKind = new ConcurrentHashMap<>();
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong countWhileClosing = new AtomicLong();
    private volatile boolean isClosing;

    /**
     * {@inheritDoc}
     */
    public void onError(final Throwable throwable)
    {
        if (isClosing)
        {
            countWhileClosing.incrementAndGet();
            return;
        }
        count.incrementAndGet();
        final String kind = throwable.getClass().getSimpleName() + ": " + throwable.getMessage();
        if (countByKind.size() < MAX_KINDS || countByKind.containsKey(kind))
        {
            countByKind.computeIfAbsent(kind, (k) -> new AtomicLong()).incrementAndGet();
        }
    }

    /**
     * From now on errors are part of tearing down.
     */
    public void closing()
    {
        isClosing = true;
    }

    /**
     * @return errors reported before {@link #closing()}.
     */
    public long count()
    {
        return count.get();
    }

    /**
     * @return errors reported after {@link #closing()}.
     */
    public long countWhileClosing()
    {
        return countWhileClosing.get();
    }

    /**
     * @return "count x kind" for each kind of error reported before {@link #closing()} (at most 32 kinds).
     */
    public List<String> kinds()
    {
        final List<String> kinds = new ArrayList<>();
        countByKind.forEach((kind, n) -> kinds.add(n.get() + " x " + kind));
        return kinds;
    }
}
