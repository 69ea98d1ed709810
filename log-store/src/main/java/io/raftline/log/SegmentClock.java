package io.raftline.log;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * The clock Chronicle Queue rolls its files by, driven by the log instead of by wall time: the "time" is always the
 * start of the current cycle, and the log moves to the next cycle when a segment is full or a new process opens the
 * log. Segments thus have a bounded size (what compaction deletes at once) and never mix two process lifetimes, so a
 * record torn by a crash is always the last one of its file.
 */
final class SegmentClock implements TimeProvider
{
    private final long cycleLengthMs;
    private int cycle;

    SegmentClock(final long cycleLengthMs)
    {
        this.cycleLengthMs = cycleLengthMs;
    }

    int cycle()
    {
        return cycle;
    }

    void cycle(final int cycle)
    {
        this.cycle = cycle;
    }

    void advance()
    {
        cycle++;
    }

    /**
     * {@inheritDoc}
     */
    public long currentTimeMillis()
    {
        return cycle * cycleLengthMs;
    }
}
