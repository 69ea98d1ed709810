package io.raftline.samples;

import io.raftline.engine.CloseReason;
import io.raftline.engine.Cluster;
import io.raftline.engine.RaftService;
import io.raftline.engine.SnapshotInput;
import io.raftline.engine.SnapshotSource;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A sealed-deadline auction as a replicated service: the example of time, timers and egress.
 * <p>
 * Commands (little-endian): {@code OPEN [byte 1][long auction id][long duration ns]} opens an auction that closes
 * when the cluster time reaches its command's time plus the duration (a timer); {@code BID [byte 2][long auction
 * id][long price]} bids, answered {@link #ACCEPTED}, {@link #TOO_LOW}, {@link #CLOSED} or {@link #UNKNOWN}. When the
 * timer fires, every participant (the opener and every bidder) receives the outcome as a message on its own session:
 * {@code [long auction id][long winning session, 0 for none][long price][long deadline][long closed at]}.
 * <p>
 * Everything depends only on the log: the time is the entry's ({@link Cluster#time()}), the deadline fires at the
 * same entry on every member, only the leader sends. The state is snapshotted: open auctions with their
 * participants, and what closed (so a restarted member knows every outcome).
 */
public final class AuctionService implements RaftService
{
    /** Command type: open an auction. */
    public static final byte OPEN = 1;
    /** Command type: bid. */
    public static final byte BID = 2;
    /** Answer: the auction opened, or the bid leads. */
    public static final byte ACCEPTED = 0;
    /** Answer: the bid is not above the best one. */
    public static final byte TOO_LOW = 1;
    /** Answer: the auction has closed. */
    public static final byte CLOSED = 2;
    /** Answer: no such auction (or it already exists, for OPEN). */
    public static final byte UNKNOWN = 3;
    /** Length of the outcome message. */
    public static final int OUTCOME_LENGTH = 40;

    /**
     * Told of each auction as it closes, on the member's thread (the sample's node prints it).
     */
    @FunctionalInterface
    public interface Outcomes
    {
        /**
         * @param auctionId     of the auction.
         * @param winnerSession the winning session, 0 for none.
         * @param price         the winning bid.
         * @param deadline      the auction's deadline, cluster time.
         * @param logIndex      of the timer entry that closed it.
         * @param timestamp     cluster time of that entry.
         */
        void onClosed(long auctionId, long winnerSession, long price, long deadline, long logIndex, long timestamp);
    }

    private static final class Auction
    {
        final long id;
        final long deadline;
        long bestPrice;
        long bestSession;
        final LongArrayList participants = new LongArrayList();

        Auction(final long id, final long deadline)
        {
            this.id = id;
            this.deadline = deadline;
        }

        void join(final long sessionId)
        {
            if (!participants.containsLong(sessionId))
            {
                participants.addLong(sessionId);
            }
        }
    }

    private final Long2ObjectHashMap<Auction> open = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<long[]> closed = new Long2ObjectHashMap<>();
    private final UnsafeBuffer outcome = new UnsafeBuffer(new byte[OUTCOME_LENGTH]);
    private final Outcomes outcomes;
    private Cluster cluster;

    /**
     * @param outcomes told of each close.
     */
    public AuctionService(final Outcomes outcomes)
    {
        this.outcomes = outcomes;
    }

    /**
     * A service that tells nobody.
     */
    public AuctionService()
    {
        this((auctionId, winnerSession, price, deadline, logIndex, timestamp) ->
        {
        });
    }

    /**
     * {@inheritDoc}
     */
    public void onStart(final Cluster cluster)
    {
        this.cluster = cluster;
    }

    /**
     * {@inheritDoc}
     */
    public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
        final int length, final MutableDirectBuffer response)
    {
        final long auctionId = command.getLong(offset + 1, ByteOrder.LITTLE_ENDIAN);
        final long value = command.getLong(offset + 9, ByteOrder.LITTLE_ENDIAN);
        // The command's cluster time: the leader's clock when it appended it, the same on every member.
        final long now = cluster.time();
        response.putByte(0, OPEN == command.getByte(offset) ? open(auctionId, now + value) : bid(auctionId, value));
        return 1;
    }

    private byte open(final long auctionId, final long deadline)
    {
        if (open.containsKey(auctionId) || closed.containsKey(auctionId) || !cluster.scheduleTimer(auctionId, deadline))
        {
            return UNKNOWN;
        }
        final Auction auction = new Auction(auctionId, deadline);
        auction.join(cluster.clientSessionId());
        open.put(auctionId, auction);
        return ACCEPTED;
    }

    private byte bid(final long auctionId, final long price)
    {
        final Auction auction = open.get(auctionId);
        if (null == auction)
        {
            return closed.containsKey(auctionId) ? CLOSED : UNKNOWN;
        }
        auction.join(cluster.clientSessionId());
        if (price <= auction.bestPrice)
        {
            return TOO_LOW;
        }
        auction.bestPrice = price;
        auction.bestSession = cluster.clientSessionId();
        return ACCEPTED;
    }

    /**
     * {@inheritDoc}
     */
    public void onTimer(final long auctionId, final long timestamp)
    {
        final Auction auction = open.remove(auctionId);
        if (null == auction)
        {
            return;
        }
        closed.put(auctionId, new long[]{auction.bestSession, auction.bestPrice, cluster.logIndex()});
        outcome.putLong(0, auctionId, ByteOrder.LITTLE_ENDIAN);
        outcome.putLong(8, auction.bestSession, ByteOrder.LITTLE_ENDIAN);
        outcome.putLong(16, auction.bestPrice, ByteOrder.LITTLE_ENDIAN);
        outcome.putLong(24, auction.deadline, ByteOrder.LITTLE_ENDIAN);
        outcome.putLong(32, timestamp, ByteOrder.LITTLE_ENDIAN);
        for (int i = 0, size = auction.participants.size(); i < size; i++)
        {
            // CLOSED (the participant left) is the same on every member; BACK_PRESSURED is the leader's alone
            // and changes nothing here: a participant that missed the outcome can bid again and hear CLOSED.
            cluster.offer(auction.participants.getLong(i), outcome, 0, OUTCOME_LENGTH);
        }
        outcomes.onClosed(auctionId, auction.bestSession, auction.bestPrice, auction.deadline, cluster.logIndex(),
            timestamp);
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionClose(final long clientSessionId, final long timestamp, final CloseReason reason)
    {
        // Participants who left keep their bids: the auction still closes at its deadline.
    }

    /**
     * @return auctions closed so far (replicated).
     */
    public int closedCount()
    {
        return closed.size();
    }

    /**
     * @return auctions open (replicated).
     */
    public int openCount()
    {
        return open.size();
    }

    /**
     * {@inheritDoc}
     */
    public SnapshotSource takeSnapshot(final long index)
    {
        int length = 8;
        for (final Auction auction : open.values())
        {
            length += 36 + 8 * auction.participants.size();
        }
        final ByteBuffer bytes = ByteBuffer.allocate(length + 32 * closed.size()).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(open.size());
        for (final Auction auction : open.values())
        {
            bytes.putLong(auction.id).putLong(auction.deadline).putLong(auction.bestPrice).putLong(auction.bestSession)
                .putInt(auction.participants.size());
            for (int i = 0; i < auction.participants.size(); i++)
            {
                bytes.putLong(auction.participants.getLong(i));
            }
        }
        bytes.putInt(closed.size());
        closed.forEach((auctionId, result) -> bytes.putLong(auctionId).putLong(result[0]).putLong(result[1])
            .putLong(result[2]));
        final byte[] image = bytes.array();
        return (output) -> output.write(image);
    }

    /**
     * {@inheritDoc}
     */
    public void loadSnapshot(final long index, final SnapshotInput input)
    {
        final byte[] countBytes = new byte[4];
        input.readFully(countBytes);
        open.clear();
        closed.clear();
        for (int i = 0, n = ByteBuffer.wrap(countBytes).order(ByteOrder.LITTLE_ENDIAN).getInt(); i < n; i++)
        {
            final ByteBuffer head = read(input, 36);
            final Auction auction = new Auction(head.getLong(), head.getLong());
            auction.bestPrice = head.getLong();
            auction.bestSession = head.getLong();
            final ByteBuffer participants = read(input, 8 * head.getInt());
            while (participants.hasRemaining())
            {
                auction.participants.addLong(participants.getLong());
            }
            open.put(auction.id, auction);
        }
        input.readFully(countBytes);
        for (int i = 0, n = ByteBuffer.wrap(countBytes).order(ByteOrder.LITTLE_ENDIAN).getInt(); i < n; i++)
        {
            final ByteBuffer entry = read(input, 32);
            closed.put(entry.getLong(), new long[]{entry.getLong(), entry.getLong(), entry.getLong()});
        }
    }

    private static ByteBuffer read(final SnapshotInput input, final int length)
    {
        final byte[] bytes = new byte[length];
        input.readFully(bytes);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Encode a command.
     *
     * @param buffer    to encode into, 17 bytes.
     * @param type      {@link #OPEN} or {@link #BID}.
     * @param auctionId of the auction.
     * @param value     the duration in ns for OPEN, the price for BID.
     * @return the command's length.
     */
    public static int command(final MutableDirectBuffer buffer, final byte type, final long auctionId,
        final long value)
    {
        buffer.putByte(0, type);
        buffer.putLong(1, auctionId, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(9, value, ByteOrder.LITTLE_ENDIAN);
        return 17;
    }
}
