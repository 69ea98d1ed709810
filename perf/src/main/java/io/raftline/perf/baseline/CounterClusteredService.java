package io.raftline.perf.baseline;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Raftline's replicated counter as an Aeron Cluster service, so that both systems replicate the same work.
 * <p>
 * A command is the client's correlation id (8 bytes) then the delta (8 bytes), both little-endian, then padding up
 * to the command length; the counter adds the delta and answers with the correlation id and the new value (16
 * bytes). Aeron Cluster has no correlation of its own between an ingress message and an egress message, hence the
 * id in the payload; Raftline carries it in its session header instead, so Raftline's command of the same length
 * holds the delta and padding.
 */
public final class CounterClusteredService implements ClusteredService
{
    /**
     * Offset of the client's correlation id in a command and in a reply.
     */
    public static final int CORRELATION_ID_OFFSET = 0;

    /**
     * Offset of the delta in a command.
     */
    public static final int DELTA_OFFSET = 8;

    /**
     * Shortest command: correlation id and delta.
     */
    public static final int MIN_COMMAND_LENGTH = 16;

    /**
     * Offset of the counter's new value in a reply.
     */
    public static final int VALUE_OFFSET = 8;

    /**
     * Length of a reply.
     */
    public static final int REPLY_LENGTH = 16;

    /**
     * Byte order of every field.
     */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[REPLY_LENGTH]);
    private final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[8]);
    private Cluster cluster;
    private IdleStrategy idleStrategy;
    private long value;
    private volatile long publishedValue;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile long droppedReplies;

    /**
     * {@inheritDoc}
     */
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.idleStrategy = cluster.idleStrategy();
        if (null != snapshotImage)
        {
            loadSnapshot(snapshotImage);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (length < MIN_COMMAND_LENGTH)
        {
            return;
        }
        value += buffer.getLong(offset + DELTA_OFFSET, BYTE_ORDER);
        publishedValue = value;

        reply.putLong(CORRELATION_ID_OFFSET, buffer.getLong(offset + CORRELATION_ID_OFFSET, BYTE_ORDER), BYTE_ORDER);
        reply.putLong(VALUE_OFFSET, value, BYTE_ORDER);
        // Followers get ClientSession.MOCKED_OFFER (positive) at once; only the leader really sends.
        idleStrategy.reset();
        long result;
        while ((result = session.offer(reply, 0, REPLY_LENGTH)) < 0)
        {
            if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
                Publication.MAX_POSITION_EXCEEDED == result)
            {
                droppedReplies++;
                return;
            }
            idleStrategy.idle();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        snapshot.putLong(0, value, BYTE_ORDER);
        idleStrategy.reset();
        while (snapshotPublication.offer(snapshot, 0, 8) < 0)
        {
            idleStrategy.idle();
        }
    }

    private void loadSnapshot(final Image snapshotImage)
    {
        idleStrategy.reset();
        while (!snapshotImage.isEndOfStream())
        {
            idleStrategy.idle(snapshotImage.poll(
                (buffer, offset, length, header) -> value = buffer.getLong(offset, BYTE_ORDER), 1));
        }
        publishedValue = value;
    }

    /**
     * {@inheritDoc}
     */
    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
    }

    /**
     * {@inheritDoc}
     */
    public void onTerminate(final Cluster cluster)
    {
    }

    /**
     * @return the counter as last applied (readable from any thread).
     */
    public long value()
    {
        return publishedValue;
    }

    /**
     * @return this member's role as the service last heard it (readable from any thread).
     */
    public Cluster.Role role()
    {
        return role;
    }

    /**
     * @return replies the leader could not send because the client's egress was gone.
     */
    public long droppedReplies()
    {
        return droppedReplies;
    }

    /**
     * @return the cluster the service runs in, once started.
     */
    Cluster cluster()
    {
        return cluster;
    }
}
