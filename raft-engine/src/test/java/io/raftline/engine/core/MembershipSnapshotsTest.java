package io.raftline.engine.core;

import io.raftline.log.InMemorySnapshotStore;
import io.raftline.log.SnapshotWriter;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every snapshot written through the wrapped store starts with the configuration; the state machine reads its own
 * bytes only; snapshots from before read as before.
 */
class MembershipSnapshotsTest
{
    private static final byte[] STATE = {10, 20, 30, 40, 50};

    private static byte[] readAll(final MembershipSnapshots.State state)
    {
        final int length = (int)state.reader.metadata().length();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(Math.max(1, length));
        int read = 0;
        while (read < length)
        {
            read += state.reader.read(read, buffer, read, length - read);
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    @Test
    void aWriterPutsTheConfigurationFirstAndTheStateMachineSeesItsBytesOnly()
    {
        final InMemorySnapshotStore raw = new InMemorySnapshotStore();
        final MembershipSnapshots store = MembershipSnapshots.wrap(raw);
        assertSame(store, MembershipSnapshots.wrap(store), "wrapping twice changes nothing");
        final Membership membership = Membership.bootstrap(new int[]{1, 2, 3}, new String[]{"a", "b", "c"})
            .addLearner(4, "d").withIndex(17);
        store.prepare(20, membership);
        try (SnapshotWriter writer = store.begin(20, 3))
        {
            writer.write(new UnsafeBuffer(STATE), 0, STATE.length);
            writer.commit();
        }
        assertTrue(raw.latest().length() > STATE.length, "the stored snapshot holds the block too");
        try (MembershipSnapshots.State state = MembershipSnapshots.openState(raw))
        {
            assertEquals(membership, state.membership);
            assertEquals(17, state.membership.index());
            assertEquals(STATE.length, state.reader.metadata().length());
            assertEquals(20, state.reader.metadata().index());
            assertArrayEquals(STATE, readAll(state));
        }
    }

    @Test
    void aSnapshotFromBeforeHoldsNoConfigurationAndReadsAsItIs()
    {
        final InMemorySnapshotStore raw = new InMemorySnapshotStore();
        raw.put(5, 1, STATE);
        try (MembershipSnapshots.State state = MembershipSnapshots.openState(raw))
        {
            assertNull(state.membership);
            assertArrayEquals(STATE, readAll(state));
        }
        assertNull(MembershipSnapshots.openState(new InMemorySnapshotStore()));
    }

    @Test
    void aSnapshotTheCoreDidNotPrepareIsRefused()
    {
        final MembershipSnapshots store = MembershipSnapshots.wrap(new InMemorySnapshotStore());
        store.prepare(20, Membership.EMPTY);
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> store.begin(21, 3));
        assertTrue(refused.getMessage().contains("no configuration prepared for a snapshot at index 21"));
    }

    @Test
    void aBlockThatRunsPastTheSnapshotIsReportedNotRead()
    {
        final InMemorySnapshotStore raw = new InMemorySnapshotStore();
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[24]);
        MembershipCodec.putI32(bytes, 0, 0x524C4D42);
        MembershipCodec.putI32(bytes, 4, 1000);
        raw.put(5, 1, bytes.byteArray());
        final IllegalStateException refused =
            assertThrows(IllegalStateException.class, () -> MembershipSnapshots.openState(raw));
        assertTrue(refused.getMessage().contains("configuration block of 1000 bytes"), refused.getMessage());
    }
}
