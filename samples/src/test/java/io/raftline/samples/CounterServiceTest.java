package io.raftline.samples;

import io.raftline.engine.SnapshotInput;
import io.raftline.engine.SnapshotOutput;
import io.raftline.engine.SnapshotSource;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CounterServiceTest
{
    private final ExpandableArrayBuffer response = new ExpandableArrayBuffer();
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);

    private long add(final CounterService service, final long index, final long delta)
    {
        command.putLong(0, delta);
        assertEquals(8, service.onApply(index, 1, command, 0, 8, response));
        return response.getLong(0);
    }

    @Test
    void addsAndAnswersTheValue()
    {
        final CounterService service = new CounterService();
        assertEquals(5, add(service, 1, 5));
        assertEquals(2, add(service, 2, -3));
        assertEquals(2, service.value());
        assertEquals(2, service.appliedIndex());
    }

    @Test
    void snapshotIsTheValueAtCaptureNotAtWrite()
    {
        final CounterService service = new CounterService();
        add(service, 1, 40);
        final SnapshotSource source = service.takeSnapshot(1);
        add(service, 2, 2);

        final Bytes bytes = new Bytes();
        source.writeTo(bytes);
        final CounterService restored = new CounterService();
        restored.loadSnapshot(1, bytes);
        assertEquals(40, restored.value());
        assertEquals(1, restored.appliedIndex());
        assertEquals(1, restored.snapshotsLoaded());
        assertEquals(43, add(restored, 2, 3), "applies on top of the restored value");
    }

    @Test
    void truncatedSnapshotIsRefused()
    {
        final Bytes bytes = new Bytes();
        bytes.write(new byte[3]);
        assertThrows(IllegalStateException.class, () -> new CounterService().loadSnapshot(1, bytes));
    }

    /**
     * The engine's snapshot output and input, in memory.
     */
    private static final class Bytes implements SnapshotOutput, SnapshotInput
    {
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        private int length;
        private int position;

        public void write(final DirectBuffer src, final int offset, final int length)
        {
            buffer.putBytes(this.length, src, offset, length);
            this.length += length;
        }

        public void write(final byte[] bytes)
        {
            write(new UnsafeBuffer(bytes), 0, bytes.length);
        }

        public long remaining()
        {
            return length - position;
        }

        public int read(final MutableDirectBuffer dst, final int dstOffset, final int length)
        {
            final int count = Math.min(length, this.length - position);
            dst.putBytes(dstOffset, buffer, position, count);
            position += count;
            return count;
        }

        public void readFully(final byte[] dst)
        {
            if (remaining() < dst.length)
            {
                throw new IllegalStateException("snapshot ends " + (dst.length - remaining()) + " bytes early");
            }
            buffer.getBytes(position, dst);
            position += dst.length;
        }
    }
}
