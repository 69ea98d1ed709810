package io.raftline.samples;

import io.raftline.engine.Cluster;
import io.raftline.engine.ClusterRole;
import io.raftline.engine.EgressResult;
import io.raftline.engine.SnapshotInput;
import io.raftline.engine.SnapshotOutput;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The auction's rules, one class alone over a stand-in {@link Cluster} that records timers and messages: the
 * highest bid before the deadline wins, the opener and every bidder hear the outcome, a bid after the close is
 * refused, and a snapshot carries open auctions (with their participants) and closed ones.
 */
class AuctionServiceTest
{
    private final FakeCluster cluster = new FakeCluster();
    private final ExpandableArrayBuffer response = new ExpandableArrayBuffer(16);
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[17]);
    private long index;

    private byte apply(final AuctionService service, final long session, final byte type, final long auctionId,
        final long value)
    {
        cluster.session = session;
        cluster.index = ++index;
        final int length = AuctionService.command(command, type, auctionId, value);
        service.onApply(index, 1, command, 0, length, response);
        return response.getByte(0);
    }

    @Test
    void theHighestBidBeforeTheDeadlineWinsAndEveryParticipantHearsIt()
    {
        final AuctionService service = new AuctionService();
        service.onStart(cluster);
        cluster.time = 1_000;
        assertEquals(AuctionService.ACCEPTED, apply(service, 11, AuctionService.OPEN, 7, 500));
        assertEquals(1_500L, cluster.timers.get(7L), "the deadline is the command's time plus the duration");
        assertEquals(AuctionService.UNKNOWN, apply(service, 11, AuctionService.OPEN, 7, 500), "exists already");
        assertEquals(AuctionService.ACCEPTED, apply(service, 21, AuctionService.BID, 7, 10));
        assertEquals(AuctionService.TOO_LOW, apply(service, 22, AuctionService.BID, 7, 10));
        assertEquals(AuctionService.ACCEPTED, apply(service, 22, AuctionService.BID, 7, 12));
        assertEquals(AuctionService.UNKNOWN, apply(service, 22, AuctionService.BID, 8, 12));

        cluster.time = 1_600;
        cluster.index = ++index;
        service.onTimer(7, 1_600);
        assertEquals(List.of(11L, 21L, 22L), cluster.sentTo, "opener and bidders, once each");
        final DirectBuffer outcome = cluster.lastMessage;
        assertEquals(7, outcome.getLong(0, ByteOrder.LITTLE_ENDIAN));
        assertEquals(22, outcome.getLong(8, ByteOrder.LITTLE_ENDIAN), "winner");
        assertEquals(12, outcome.getLong(16, ByteOrder.LITTLE_ENDIAN), "price");
        assertEquals(1_500, outcome.getLong(24, ByteOrder.LITTLE_ENDIAN), "deadline");
        assertEquals(1_600, outcome.getLong(32, ByteOrder.LITTLE_ENDIAN), "closed at");
        assertEquals(AuctionService.CLOSED, apply(service, 21, AuctionService.BID, 7, 99));
        assertEquals(1, service.closedCount());
    }

    @Test
    void aSnapshotCarriesOpenAndClosedAuctions()
    {
        final AuctionService service = new AuctionService();
        service.onStart(cluster);
        apply(service, 11, AuctionService.OPEN, 1, 100);
        apply(service, 11, AuctionService.OPEN, 2, 100);
        apply(service, 21, AuctionService.BID, 2, 5);
        service.onTimer(1, 200);
        final Bytes bytes = new Bytes();
        service.takeSnapshot(index).writeTo(bytes);

        final AuctionService restored = new AuctionService();
        final FakeCluster other = new FakeCluster();
        restored.onStart(other);
        restored.loadSnapshot(index, bytes);
        assertEquals(1, restored.closedCount());
        assertEquals(1, restored.openCount());
        cluster.session = 0;
        other.index = 50;
        restored.onTimer(2, 300);
        assertEquals(List.of(11L, 21L), other.sentTo, "the participants came back with the snapshot");
        assertEquals(21, other.lastMessage.getLong(8, ByteOrder.LITTLE_ENDIAN));
    }

    private static final class FakeCluster implements Cluster
    {
        final Map<Long, Long> timers = new HashMap<>();
        final List<Long> sentTo = new ArrayList<>();
        UnsafeBuffer lastMessage;
        long time;
        long index;
        long session;

        public int memberId()
        {
            return 0;
        }

        public ClusterRole role()
        {
            return ClusterRole.LEADER;
        }

        public long time()
        {
            return time;
        }

        public long logIndex()
        {
            return index;
        }

        public long clientSessionId()
        {
            return session;
        }

        public boolean scheduleTimer(final long correlationId, final long deadlineNs)
        {
            timers.put(correlationId, deadlineNs);
            return true;
        }

        public boolean cancelTimer(final long correlationId)
        {
            return null != timers.remove(correlationId);
        }

        public EgressResult offer(final long clientSessionId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            sentTo.add(clientSessionId);
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            lastMessage = new UnsafeBuffer(copy);
            return EgressResult.SENT;
        }

        public int broadcast(final DirectBuffer buffer, final int offset, final int length)
        {
            throw new UnsupportedOperationException();
        }

        public boolean closeSession(final long clientSessionId)
        {
            throw new UnsupportedOperationException();
        }
    }

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
            buffer.getBytes(position, dst);
            position += dst.length;
        }
    }
}
