package io.raftline.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-memory stores model a crash honestly: only what was synced survives, or a prefix of what was not.
 */
class InMemoryStoresCrashTest
{
    private static UnsafeBuffer bytes(final int... values)
    {
        final byte[] array = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            array[i] = (byte)values[i];
        }
        return new UnsafeBuffer(array);
    }

    @Test
    void crashLosesUnsyncedAppendsAndTruncations()
    {
        final InMemoryRaftLog log = new InMemoryRaftLog();
        log.append(1, bytes(1), 0, 1);
        log.append(1, bytes(2), 0, 1);
        log.sync();
        log.truncateAfter(1);
        log.append(2, bytes(3), 0, 1);
        log.append(2, bytes(4), 0, 1);
        assertEquals(3, log.lastIndex());
        assertEquals(3, log.unsyncedOperations());

        log.crash();

        assertEquals(2, log.lastIndex());
        assertEquals(1, log.termAt(2));
        final LogEntryView view = new LogEntryView();
        assertTrue(log.read(2, view));
        assertEquals(2, view.buffer().getByte(view.offset()));
    }

    @Test
    void timestampsSurviveCompactionAndACrashThatKeepsThem()
    {
        final InMemoryRaftLog log = new InMemoryRaftLog();
        log.append(1, 100, bytes(1), 0, 1);
        log.append(1, 200, bytes(2), 0, 1);
        log.append(1, 300, bytes(3), 0, 1);
        log.compactTo(1);
        log.sync();
        log.append(1, 400, bytes(4), 0, 1);
        log.crash(1);

        final LogEntryView view = new LogEntryView();
        assertTrue(log.read(2, view));
        assertEquals(200, view.timestamp());
        assertTrue(log.read(4, view));
        assertEquals(400, view.timestamp(), "the unsynced append that reached the disk keeps its timestamp");
        assertFalse(log.read(1, view));
    }

    @Test
    void crashMayKeepAPrefixOfTheUnsyncedJournal()
    {
        final InMemoryRaftLog log = new InMemoryRaftLog();
        log.append(1, bytes(1), 0, 1);
        log.append(1, bytes(2), 0, 1);
        log.sync();
        log.truncateAfter(1);
        log.append(2, bytes(3), 0, 1);
        log.append(2, bytes(4), 0, 1);

        log.crash(2);

        assertEquals(2, log.lastIndex());
        assertEquals(2, log.termAt(2), "the truncation and the first new entry reached the disk");
    }

    @Test
    void compactionKeepsTheBaseTermAndTheTail()
    {
        final InMemoryRaftLog log = new InMemoryRaftLog();
        for (int i = 1; i <= 10; i++)
        {
            log.append(i <= 5 ? 1 : 2, bytes(i), 0, 1);
        }
        log.compactTo(6);
        log.sync();
        log.crash();
        assertEquals(6, log.baseIndex());
        assertEquals(2, log.baseTerm());
        assertEquals(2, log.termAt(6));
        assertEquals(RaftLog.NULL_TERM, log.termAt(5));
        final LogEntryView view = new LogEntryView();
        assertFalse(log.read(6, view));
        assertTrue(log.read(7, view));
        assertEquals(7, view.buffer().getByte(view.offset()));
        assertEquals(10, log.lastIndex());
    }

    @Test
    void resetStartsAnEmptyLogAfterASnapshot()
    {
        final InMemoryRaftLog log = new InMemoryRaftLog();
        log.append(1, bytes(1), 0, 1);
        log.reset(50, 4);
        assertEquals(50, log.lastIndex());
        assertEquals(4, log.lastTerm());
        assertEquals(51, log.append(5, bytes(9), 0, 1));
    }

    @Test
    void termsNeverGoBackwardsInTheLogOrTheMetadata()
    {
        final InMemoryRaftLog log = new InMemoryRaftLog();
        log.append(3, bytes(1), 0, 1);
        assertThrows(IllegalArgumentException.class, () -> log.append(2, bytes(1), 0, 1));
        final InMemoryMetadataStore metadata = new InMemoryMetadataStore();
        metadata.update(3, 1);
        assertThrows(IllegalArgumentException.class, () -> metadata.update(2, 1));
    }

    @Test
    void metadataCrashLosesTheUnsyncedVote()
    {
        final InMemoryMetadataStore metadata = new InMemoryMetadataStore();
        metadata.update(4, 2);
        metadata.sync();
        metadata.update(5, 3);
        metadata.crash();
        assertEquals(4, metadata.currentTerm());
        assertEquals(2, metadata.votedFor());
        metadata.update(5, 3);
        metadata.crash(true);
        assertEquals(5, metadata.currentTerm());
    }
}
