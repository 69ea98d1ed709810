package io.raftline.engine.core;

import io.raftline.log.SnapshotMetadata;
import io.raftline.log.SnapshotReader;
import io.raftline.log.SnapshotStore;
import io.raftline.log.SnapshotWriter;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;


/**
 * A {@link SnapshotStore} that puts the cluster configuration into every snapshot its writers take: a
 * self-describing block before the state machine's bytes, so a member restored from a snapshot, or installed from the
 * leader's, knows the configuration as of the snapshot's index.
 * <pre>
 *   int magic "RLMB", int length, long index of the configuration's entry,
 *   length bytes: the configuration in MembershipCodec's layout (little-endian)
 * </pre>
 * {@link #begin} writes the block of the configuration the core {@link #prepare prepared} for that index (on the
 * agent thread, before it asks the state machine for a snapshot), so a writer on another thread needs nothing from
 * the core. Everything else passes through unchanged: {@link #openLatest()} reads the whole snapshot as stored (the
 * leader sends it byte for byte), and the core strips the block before the state machine reads
 * ({@link #openState}). A snapshot without the block (written before configurations were in snapshots) reads as
 * before, with no configuration.
 */
public final class MembershipSnapshots implements SnapshotStore
{
    static final int MAGIC = 0x524C4D42;
    private static final int PREFIX_LENGTH = 16;

    private final SnapshotStore store;
    private volatile long preparedIndex = -1;
    private volatile Membership prepared;

    private MembershipSnapshots(final SnapshotStore store)
    {
        this.store = store;
    }

    /**
     * @param store to wrap; a store that is wrapped already is returned as it is.
     * @return the store, writing the configuration into every snapshot.
     */
    public static MembershipSnapshots wrap(final SnapshotStore store)
    {
        return store instanceof MembershipSnapshots ? (MembershipSnapshots)store : new MembershipSnapshots(store);
    }

    /**
     * @return the store underneath, which writes bytes as given (the follower's copy of the leader's snapshot).
     */
    public SnapshotStore raw()
    {
        return store;
    }

    /**
     * Name the configuration the next snapshot at {@code index} holds. The core does it before it asks the state
     * machine for a snapshot; a snapshot written without the core asking (a test, a tool) must do it itself, with
     * {@link ConfigurationChanges#membershipAt(long)}.
     *
     * @param index      of the snapshot.
     * @param membership in effect at that index.
     */
    public void prepare(final long index, final Membership membership)
    {
        prepared = membership;
        preparedIndex = index;
    }

    /**
     * {@inheritDoc}
     */
    public SnapshotMetadata latest()
    {
        return store.latest();
    }

    /**
     * Begin a snapshot and write the configuration block for {@code index} first.
     *
     * @throws IllegalStateException if the core prepared no configuration for that index.
     */
    public SnapshotWriter begin(final long index, final long term)
    {
        final Membership membership = prepared;
        if (preparedIndex != index || null == membership)
        {
            throw new IllegalStateException("no configuration prepared for a snapshot at index " + index +
                " (prepared for " + preparedIndex + "): snapshots are taken when the core asks for them");
        }
        final SnapshotWriter writer = store.begin(index, term);
        final int length = MembershipCodec.encodedLength(membership);
        final UnsafeBuffer block = new UnsafeBuffer(new byte[PREFIX_LENGTH + length]);
        MembershipCodec.putI32(block, 0, MAGIC);
        MembershipCodec.putI32(block, 4, length);
        MembershipCodec.putI32(block, 8, (int)membership.index());
        MembershipCodec.putI32(block, 12, (int)(membership.index() >>> 32));
        MembershipCodec.encode(membership, block, PREFIX_LENGTH);
        writer.write(block, 0, block.capacity());
        return writer;
    }

    /**
     * Store a complete snapshot at once, configuration block first: for writers that have all the bytes in hand.
     *
     * @return what was stored.
     */
    public SnapshotMetadata put(final long index, final long term, final byte[] data)
    {
        try (SnapshotWriter writer = begin(index, term))
        {
            writer.write(new UnsafeBuffer(data), 0, data.length);
            return writer.commit();
        }
    }

    /**
     * {@inheritDoc}
     */
    public SnapshotReader openLatest()
    {
        return store.openLatest();
    }

    /**
     * {@inheritDoc}
     */
    public void deleteOlder()
    {
        store.deleteOlder();
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        store.close();
    }

    /**
     * The newest snapshot as the state machine sees it: its configuration block, if any, read and skipped.
     */
    static final class State implements AutoCloseable
    {
        final Membership membership;
        final SnapshotReader reader;

        State(final Membership membership, final SnapshotReader reader)
        {
            this.membership = membership;
            this.reader = reader;
        }

        public void close()
        {
            reader.close();
        }
    }

    /**
     * @return the newest snapshot, or null; its configuration is null if it holds none.
     */
    static State openState(final SnapshotStore store)
    {
        final SnapshotReader reader = store.openLatest();
        if (null == reader)
        {
            return null;
        }
        final SnapshotMetadata metadata = reader.metadata();
        final UnsafeBuffer prefix = new UnsafeBuffer(new byte[PREFIX_LENGTH]);
        if (metadata.length() < PREFIX_LENGTH || readFully(reader, 0, prefix, PREFIX_LENGTH) < PREFIX_LENGTH ||
            MAGIC != MembershipCodec.i32(prefix, 0))
        {
            return new State(null, reader);
        }
        final int length = MembershipCodec.i32(prefix, 4);
        if (length < 0 || PREFIX_LENGTH + (long)length > metadata.length())
        {
            reader.close();
            throw new IllegalStateException("snapshot at index " + metadata.index() +
                " has a configuration block of " + length + " bytes beyond its length " + metadata.length());
        }
        final UnsafeBuffer block = new UnsafeBuffer(new byte[length]);
        if (readFully(reader, PREFIX_LENGTH, block, length) < length)
        {
            reader.close();
            throw new IllegalStateException("snapshot at index " + metadata.index() + " ends inside its " +
                "configuration block");
        }
        final long index =
            (MembershipCodec.i32(prefix, 8) & 0xFFFF_FFFFL) | ((long)MembershipCodec.i32(prefix, 12) << 32);
        final Membership membership = MembershipCodec.decode(block, 0, length, index);
        return new State(membership, new Shifted(reader, PREFIX_LENGTH + length));
    }

    private static int readFully(
        final SnapshotReader reader, final long position, final MutableDirectBuffer dst, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final int read = reader.read(position + done, dst, done, length - done);
            if (read <= 0)
            {
                break;
            }
            done += read;
        }
        return done;
    }

    /**
     * The state machine's part of a snapshot: positions and length past the configuration block.
     */
    private static final class Shifted implements SnapshotReader
    {
        private final SnapshotReader reader;
        private final long shift;
        private final SnapshotMetadata metadata;

        Shifted(final SnapshotReader reader, final long shift)
        {
            this.reader = reader;
            this.shift = shift;
            final SnapshotMetadata raw = reader.metadata();
            this.metadata = new SnapshotMetadata(raw.index(), raw.term(), raw.length() - shift, raw.checksum());
        }

        public SnapshotMetadata metadata()
        {
            return metadata;
        }

        public int read(final long position, final MutableDirectBuffer dst, final int dstOffset, final int maxLength)
        {
            return reader.read(position + shift, dst, dstOffset, maxLength);
        }

        public void close()
        {
            reader.close();
        }
    }
}
