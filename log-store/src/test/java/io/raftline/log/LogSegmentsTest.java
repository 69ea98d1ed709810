package io.raftline.log;

import net.openhft.chronicle.core.io.ReferenceOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogSegmentsTest
{
    @TempDir
    Path dir;

    /**
     * A deleter that cannot take a segment now (its queue full) must leave that one and every newer one in the
     * journal. Before, the compacting thread deleted them at once, newer files before the older ones still waiting
     * on the deleter's thread, and a kill in between left a gap in the journal that the next open refused (crash
     * test, seed 779, iteration 39: cycle 2249 missing between kept segments, with 64 KiB segments).
     */
    @Test
    void aSegmentTheDeleterCannotTakeStaysWithTheNewerOnesUntilTheNextCompaction() throws IOException
    {
        final LogSegments segments = new LogSegments(dir, ReferenceOwner.temporary("test"));
        final List<Path> files = new ArrayList<>();
        for (int cycle = 1; cycle <= 5; cycle++)
        {
            final Path file = Files.createFile(dir.resolve("segment-" + cycle));
            files.add(file);
            segments.add(cycle, file, true);
        }
        final List<Integer> handedOver = new ArrayList<>();
        final LogSegments.Deleter takesTwo = (segment) ->
        {
            if (handedOver.size() == 2)
            {
                return LogSegments.Deleter.FULL;
            }
            handedOver.add(segment.cycle());
            return LogSegments.Deleter.TAKEN;
        };

        assertEquals(0, segments.deleteBelow(5, takesTwo), "no file deleted on the compacting thread");
        assertEquals(List.of(1, 2), handedOver);
        assertEquals(3, segments.firstCycle(), "cycles 3 and 4 stay in the journal");
        for (final Path file : files)
        {
            assertTrue(Files.exists(file), file + " deleted ahead of the segments handed over");
        }

        // The deleter has gone (and deleted what it had): the rest goes here, oldest first.
        Files.delete(files.get(0));
        Files.delete(files.get(1));
        final List<Integer> order = new ArrayList<>();
        final LogSegments.Deleter gone = (segment) ->
        {
            order.add(segment.cycle());
            return LogSegments.Deleter.GONE;
        };
        assertEquals(2, segments.deleteBelow(5, gone));
        assertEquals(List.of(3, 4), order);
        assertFalse(Files.exists(files.get(2)));
        assertFalse(Files.exists(files.get(3)));
        assertTrue(Files.exists(files.get(4)));
        assertEquals(5, segments.firstCycle());
    }
}
