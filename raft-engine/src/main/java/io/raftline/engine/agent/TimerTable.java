package io.raftline.engine.agent;

import org.agrona.collections.Long2LongHashMap;

/**
 * The service's timers: replicated state (every member schedules, cancels and fires alike, as entries apply), plus
 * the order in which the leader finds the due ones.
 * <p>
 * The truth is a map from correlation id to deadline. Beside it a binary min-heap of (deadline, correlation id) lets
 * the leader find what is due in O(log n); a cancelled or moved timer leaves its old heap slot behind, skipped when
 * it reaches the top (lazy deletion) and dropped when the heap is rebuilt from the map, which happens when the heap
 * fills with such slots and when a member becomes leader (so a timer whose entry a deposed leader proposed but never
 * committed is proposed again). Firing is decided only when a timer entry is applied: the timer must still be in the
 * map with the same deadline, so a cancelled, moved or already fired timer never fires twice.
 * <p>
 * Bounded: at most {@code capacity} timers; every array is allocated once, so scheduling, cancelling and firing
 * allocate nothing (the map never grows past its initial size, the heap holds twice the capacity). Why a heap and
 * not a timer wheel: deadlines are exact cluster times compared with one clock read per cycle, there is no tick to
 * choose, and the due scan touches only due timers; perf's {@code TimerTableBenchmark} measures both.
 */
public final class TimerTable
{
    /**
     * What the leader does with a due timer.
     */
    @FunctionalInterface
    public interface DueHandler
    {
        /**
         * @param correlationId of the due timer.
         * @param deadlineNs    its deadline.
         * @return false to stop (the proposal was refused): the timer stays due.
         */
        boolean onDue(long correlationId, long deadlineNs);
    }

    private static final long MISSING = Long.MIN_VALUE;

    private final int capacity;
    private final Long2LongHashMap deadlines;
    private final long[] heapDeadlines;
    private final long[] heapIds;
    private int heapSize;

    /**
     * @param capacity most timers scheduled at once.
     */
    public TimerTable(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("timer capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        // Sized so that the map never resizes below its load factor: no allocation once built.
        this.deadlines = new Long2LongHashMap(capacity * 2, 0.65f, MISSING);
        this.heapDeadlines = new long[capacity * 2];
        this.heapIds = new long[capacity * 2];
    }

    /**
     * @return most timers scheduled at once.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return timers scheduled.
     */
    public int size()
    {
        return deadlines.size();
    }

    /**
     * @param correlationId of a timer.
     * @return its deadline, or {@link Long#MIN_VALUE} if it is not scheduled.
     */
    public long deadlineOf(final long correlationId)
    {
        return deadlines.get(correlationId);
    }

    /**
     * Schedule a timer, or move the one with this id.
     *
     * @param correlationId of the timer.
     * @param deadlineNs    when it is due.
     * @return false if the table is full and the id is new.
     */
    public boolean schedule(final long correlationId, final long deadlineNs)
    {
        if (MISSING == deadlineNs)
        {
            throw new IllegalArgumentException("deadline " + deadlineNs + " is reserved");
        }
        final long previous = deadlines.get(correlationId);
        if (MISSING == previous && deadlines.size() >= capacity)
        {
            return false;
        }
        deadlines.put(correlationId, deadlineNs);
        if (previous != deadlineNs)
        {
            if (heapSize == heapDeadlines.length)
            {
                rebuildHeap();
            }
            push(deadlineNs, correlationId);
        }
        return true;
    }

    /**
     * @param correlationId of the timer.
     * @return true if it was scheduled.
     */
    public boolean cancel(final long correlationId)
    {
        return MISSING != deadlines.remove(correlationId);
    }

    /**
     * A timer entry is being applied: fire the timer if it is still scheduled with the deadline the leader saw due.
     *
     * @param correlationId of the timer.
     * @param deadlineNs    the deadline the entry names.
     * @return true if the timer fires now (it is removed), false if it was cancelled, moved or already fired.
     */
    public boolean fire(final long correlationId, final long deadlineNs)
    {
        if (MISSING != deadlineNs && deadlines.get(correlationId) == deadlineNs)
        {
            deadlines.remove(correlationId);
            return true;
        }
        return false;
    }

    /**
     * Hand every timer due at {@code nowNs} to the handler, earliest first, taking each out of the leader's order so
     * that it is handed over once (until {@link #rebuildHeap()}).
     *
     * @param nowNs   the cluster time now.
     * @param handler proposes the timer entry.
     * @param limit   most timers handed over.
     * @return timers handed over.
     */
    public int pollDue(final long nowNs, final DueHandler handler, final int limit)
    {
        int count = 0;
        while (heapSize > 0 && count < limit && heapDeadlines[0] <= nowNs)
        {
            final long deadlineNs = heapDeadlines[0];
            final long correlationId = heapIds[0];
            if (deadlines.get(correlationId) == deadlineNs)
            {
                if (!handler.onDue(correlationId, deadlineNs))
                {
                    break;
                }
                count++;
            }
            pop();
        }
        return count;
    }

    /**
     * @return the earliest deadline in the leader's order, or {@link Long#MAX_VALUE} if none.
     */
    public long nextDeadlineNs()
    {
        return 0 == heapSize ? Long.MAX_VALUE : heapDeadlines[0];
    }

    /**
     * Rebuild the leader's order from the scheduled timers: drops stale slots and takes back timers handed over
     * before (a new leader proposes again what is due).
     */
    public void rebuildHeap()
    {
        heapSize = 0;
        final Long2LongHashMap.EntryIterator iterator = deadlines.entrySet().iterator();
        while (iterator.hasNext())
        {
            iterator.next();
            heapIds[heapSize] = iterator.getLongKey();
            heapDeadlines[heapSize] = iterator.getLongValue();
            heapSize++;
        }
        for (int i = (heapSize >>> 1) - 1; i >= 0; i--)
        {
            siftDown(i);
        }
    }

    /**
     * Remove every timer.
     */
    public void clear()
    {
        deadlines.clear();
        heapSize = 0;
    }

    /**
     * Visit every scheduled timer, for a snapshot.
     *
     * @param visitor of (correlation id, deadline).
     */
    public void forEach(final DueHandler visitor)
    {
        final Long2LongHashMap.EntryIterator iterator = deadlines.entrySet().iterator();
        while (iterator.hasNext())
        {
            iterator.next();
            visitor.onDue(iterator.getLongKey(), iterator.getLongValue());
        }
    }

    private void push(final long deadlineNs, final long correlationId)
    {
        int i = heapSize++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!isBefore(deadlineNs, correlationId, heapDeadlines[parent], heapIds[parent]))
            {
                break;
            }
            heapDeadlines[i] = heapDeadlines[parent];
            heapIds[i] = heapIds[parent];
            i = parent;
        }
        heapDeadlines[i] = deadlineNs;
        heapIds[i] = correlationId;
    }

    private void pop()
    {
        heapSize--;
        if (heapSize > 0)
        {
            heapDeadlines[0] = heapDeadlines[heapSize];
            heapIds[0] = heapIds[heapSize];
            siftDown(0);
        }
    }

    private void siftDown(final int start)
    {
        int i = start;
        final long deadlineNs = heapDeadlines[i];
        final long correlationId = heapIds[i];
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= heapSize)
            {
                break;
            }
            final int right = left + 1;
            final int child = right < heapSize &&
                isBefore(heapDeadlines[right], heapIds[right], heapDeadlines[left], heapIds[left]) ? right : left;
            if (!isBefore(heapDeadlines[child], heapIds[child], deadlineNs, correlationId))
            {
                break;
            }
            heapDeadlines[i] = heapDeadlines[child];
            heapIds[i] = heapIds[child];
            i = child;
        }
        heapDeadlines[i] = deadlineNs;
        heapIds[i] = correlationId;
    }

    // Ties broken by correlation id, so that the order the leader proposes in does not depend on history.
    private static boolean isBefore(final long deadlineA, final long idA, final long deadlineB, final long idB)
    {
        return deadlineA < deadlineB || (deadlineA == deadlineB && idA < idB);
    }
}
