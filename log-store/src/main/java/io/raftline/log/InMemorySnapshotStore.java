package io.raftline.log;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A {@link SnapshotStore} on the heap for simulation and tests. A committed snapshot is durable (it survives the
 * member's crashes, since the store object outlives them); an uncommitted one is lost with the writer.
 */
public final class InMemorySnapshotStore implements SnapshotStore
{
    private SnapshotMetadata latest;
    private byte[] latestData;

    /**
     * {@inheritDoc}
     */
    public synchronized SnapshotMetadata latest()
    {
        return latest;
    }

    /**
     * @return a copy of the newest snapshot's bytes, or null.
     */
    public synchronized byte[] latestData()
    {
        return null == latestData ? null : latestData.clone();
    }

    /**
     * Store a complete snapshot at once.
     *
     * @param index of the snapshot.
     * @param term  of the snapshot.
     * @param data  of the snapshot.
     * @return its metadata.
     */
    public SnapshotMetadata put(final long index, final long term, final byte[] data)
    {
        final CRC32C crc = new CRC32C();
        crc.update(data);
        final SnapshotMetadata metadata = new SnapshotMetadata(index, term, data.length, crc.getValue());
        publish(metadata, data.clone());
        return metadata;
    }

    /**
     * {@inheritDoc}
     */
    public SnapshotWriter begin(final long index, final long term)
    {
        return new Writer(index, term);
    }

    /**
     * {@inheritDoc}
     */
    public synchronized SnapshotReader openLatest()
    {
        if (null == latest)
        {
            return null;
        }
        final SnapshotMetadata metadata = latest;
        final byte[] data = latestData;
        return new SnapshotReader()
        {
            public SnapshotMetadata metadata()
            {
                return metadata;
            }

            public int read(final long position, final MutableDirectBuffer dst, final int dstOffset, final int max)
            {
                final int length = (int)Math.max(0, Math.min(max, data.length - position));
                dst.putBytes(dstOffset, data, (int)position, length);
                return length;
            }

            public void close()
            {
            }
        };
    }

    /**
     * {@inheritDoc}
     */
    public void deleteOlder()
    {
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
    }

    private synchronized void publish(final SnapshotMetadata metadata, final byte[] data)
    {
        if (null == latest || metadata.index() >= latest.index())
        {
            latest = metadata;
            latestData = data;
        }
    }

    private final class Writer implements SnapshotWriter
    {
        private final long index;
        private final long term;
        private final CRC32C crc = new CRC32C();
        private byte[] data = new byte[1024];
        private int length;
        private boolean isDone;

        Writer(final long index, final long term)
        {
            this.index = index;
            this.term = term;
        }

        public void write(final DirectBuffer buffer, final int offset, final int length)
        {
            if (isDone)
            {
                throw new IllegalStateException("snapshot writer is closed");
            }
            if (this.length + length > data.length)
            {
                data = Arrays.copyOf(data, Math.max(this.length + length, data.length * 2));
            }
            buffer.getBytes(offset, data, this.length, length);
            crc.update(data, this.length, length);
            this.length += length;
        }

        public long length()
        {
            return length;
        }

        public long checksum()
        {
            return crc.getValue();
        }

        public SnapshotMetadata commit()
        {
            if (isDone)
            {
                throw new IllegalStateException("snapshot writer is closed");
            }
            isDone = true;
            final SnapshotMetadata metadata = new SnapshotMetadata(index, term, length, crc.getValue());
            publish(metadata, Arrays.copyOf(data, length));
            return metadata;
        }

        public void abort()
        {
            isDone = true;
        }

        public void close()
        {
            isDone = true;
        }
    }
}
