package io.raftline.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChronicleRaftLogTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAppendReadAndReopen()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final LogEntryView view = new LogEntryView();
        try (ChronicleRaftLog log = ChronicleRaftLog.open(context()))
        {
            for (int i = 1; i <= 1000; i++)
            {
                payload.putInt(0, i);
                assertEquals(i, log.append(1 + i / 100, payload, 0, 4 + i % 50));
            }
            log.sync();
            assertTrue(log.read(500, view));
            assertEquals(500, view.buffer().getInt(view.offset()));
            assertEquals(4 + 500 % 50, view.length());
            assertEquals(6, view.term());
        }
        try (ChronicleRaftLog log = ChronicleRaftLog.open(context()))
        {
            assertEquals(1000, log.lastIndex());
            assertEquals(11, log.lastTerm());
            assertTrue(log.read(777, view));
            assertEquals(777, view.buffer().getInt(view.offset()));
            log.truncateAfter(900);
            log.compactTo(600);
            System.out.println("segments " + log.segmentCount());
        }
        try (ChronicleRaftLog log = ChronicleRaftLog.open(context()))
        {
            assertEquals(900, log.lastIndex());
            assertEquals(600, log.baseIndex());
            assertEquals(7, log.baseTerm());
            assertEquals(7, log.termAt(600));
            assertTrue(log.read(777, view));
            assertEquals(777, view.buffer().getInt(view.offset()));
        }
    }

    private ChronicleLogContext context()
    {
        return new ChronicleLogContext().directory(dir).durability(Durability.BATCH)
            .segmentLength(8 * 1024).blockLength(256 * 1024).maxEntryLength(16 * 1024);
    }
}
