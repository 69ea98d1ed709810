package io.raftline.engine.agent;

import io.raftline.engine.RaftService;
import io.raftline.engine.SnapshotInput;
import io.raftline.log.InMemorySnapshotStore;
import io.raftline.log.SnapshotReader;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine's section of a snapshot: a version 1 section (no blocks, written before timers existed) still loads
 * with no timers and no time; a version 2 section's blocks are read by tag, an unknown one skipped, and the service
 * gets exactly its own bytes after them.
 */
class EngineSnapshotSectionTest
{
    private String loaded;

    private final RaftService service = new RaftService()
    {
        public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
            final int length, final MutableDirectBuffer response)
        {
            return 0;
        }

        public void loadSnapshot(final long index, final SnapshotInput input)
        {
            final byte[] bytes = new byte[(int)input.remaining()];
            input.readFully(bytes);
            loaded = new String(bytes, StandardCharsets.US_ASCII);
        }
    };

    private SessionStateMachine restore(final ExpandableArrayBuffer section, final int length)
    {
        final SessionStateMachine table = new SessionStateMachine(
            LocalClusterIpcTest.template().memberId(0).members("0,1,2").service(service).conclude(), null, null, null);
        final InMemorySnapshotStore store = new InMemorySnapshotStore();
        final byte[] bytes = new byte[length];
        section.getBytes(0, bytes);
        store.put(5, 1, bytes);
        try (SnapshotReader reader = store.openLatest())
        {
            table.restoreSnapshot(reader.metadata(), reader);
        }
        return table;
    }

    private static int header(final ExpandableArrayBuffer section, final int version)
    {
        section.putInt(0, SessionStateMachine.SNAPSHOT_MAGIC);
        section.putInt(4, version);
        section.putLong(8, 5);
        section.putInt(16, 0);
        return 20;
    }

    @Test
    void aVersion1SectionLoadsWithoutTimersOrTime()
    {
        final ExpandableArrayBuffer section = new ExpandableArrayBuffer(64);
        final int position = header(section, 1);
        final int end = position + section.putStringWithoutLengthAscii(position, "abc");

        final SessionStateMachine table = restore(section, end);

        assertEquals("abc", loaded);
        assertEquals(0, table.cluster().timers().size());
        assertEquals(0, table.cluster().time());
        assertEquals(0, table.restoredTimestamp());
    }

    @Test
    void aVersion2SectionReadsItsBlocksByTagAndSkipsAnUnknownOne()
    {
        final ExpandableArrayBuffer section = new ExpandableArrayBuffer(128);
        int position = header(section, 2);
        section.putInt(position, 0x58585858);
        section.putInt(position + 4, 3);
        position += 8 + 3;
        section.putInt(position, ServiceCluster.SNAPSHOT_BLOCK_TAG);
        section.putInt(position + 4, 8 + 4 + 32 + 4);
        section.putLong(position + 8, 777);
        section.putInt(position + 16, 2);
        section.putLong(position + 20, 41);
        section.putLong(position + 28, 1_000);
        section.putLong(position + 36, 42);
        section.putLong(position + 44, 2_000);
        section.putInt(position + 52, 0);
        position += 56;
        section.putInt(position, 0);
        position += 4;
        final int end = position + section.putStringWithoutLengthAscii(position, "xyz");

        final SessionStateMachine table = restore(section, end);

        assertEquals("xyz", loaded, "the service gets its own bytes, after every block");
        assertEquals(777, table.cluster().time());
        assertEquals(777, table.restoredTimestamp(), "the core never stamps below the snapshot's time");
        assertEquals(2, table.cluster().timers().size());
        assertEquals(2_000, table.cluster().timers().deadlineOf(42));
    }
}
