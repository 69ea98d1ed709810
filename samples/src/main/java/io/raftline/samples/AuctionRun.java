package io.raftline.samples;

import io.aeron.Aeron;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Drives the auction: one auctioneer and some bidders, each a client session of its own. Auctions run one after the
 * other: the auctioneer opens one, the bidders outbid each other (one bid outstanding, timed) until the outcome
 * arrives, and every participant must receive it. Records the bid round trip and, per participant, the time from
 * the deadline to the outcome's arrival (cluster time is the epoch, and the clients run on the members' host).
 */
public final class AuctionRun implements AutoCloseable
{
    /**
     * What a run measured.
     */
    public record Result(Histogram bidRoundTrip, Histogram deadlineToOutcome, long auctions, long bids,
        long outcomesMissing)
    {
    }

    private final EpochNanoClock epochClock = new SystemEpochNanoClock();
    private final Participant[] participants;
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[17]);
    private final long auctionLengthNs;
    private long nextAuctionId;
    private long price;

    private final class Participant implements ResponseListener
    {
        final RaftClient client;
        long answers;
        long lastAuctionHeard = -1;
        long outcomesHeard;
        byte lastAnswer;
        Histogram outcomeDelay;

        Participant(final ClientContext ctx)
        {
            client = RaftClient.connect(ctx.maxInflight(4).listener(this));
        }

        public void onResponse(final long correlationId, final int outcome, final long logIndex,
            final DirectBuffer buffer, final int offset, final int length)
        {
            answers++;
            lastAnswer = length > 0 ? buffer.getByte(offset) : -1;
        }

        public void onMessage(final long clientSessionId, final long logIndex, final long timestamp,
            final DirectBuffer buffer, final int offset, final int length)
        {
            if (AuctionService.OUTCOME_LENGTH == length)
            {
                final long deadline = buffer.getLong(offset + 24, ByteOrder.LITTLE_ENDIAN);
                lastAuctionHeard = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
                outcomesHeard++;
                if (null != outcomeDelay)
                {
                    outcomeDelay.recordValue(Math.max(0, epochClock.nanoTime() - deadline));
                }
            }
        }
    }

    /**
     * @param aeron           for the clients.
     * @param members         the cluster's members string.
     * @param bidders         how many bidders (besides the auctioneer).
     * @param auctionLengthNs how long each auction stays open.
     */
    public AuctionRun(final Aeron aeron, final String members, final int bidders, final long auctionLengthNs)
    {
        this.auctionLengthNs = auctionLengthNs;
        this.participants = new Participant[1 + bidders];
        for (int i = 0; i < participants.length; i++)
        {
            participants[i] = new Participant(new ClientContext().aeron(aeron).members(members)
                .leaderTimeoutNs(300_000_000L));
        }
    }

    /**
     * Run auctions for a while.
     *
     * @param durationNs how long.
     * @return what was measured.
     */
    public Result run(final long durationNs)
    {
        final Histogram bidRoundTrip = LatencyReport.newHistogram();
        final Histogram deadlineToOutcome = LatencyReport.newHistogram();
        for (final Participant participant : participants)
        {
            participant.outcomeDelay = deadlineToOutcome;
        }
        final long endNs = System.nanoTime() + durationNs;
        long auctions = 0;
        long bids = 0;
        long missing = 0;
        while (System.nanoTime() < endNs)
        {
            final long auctionId = ++nextAuctionId;
            final Participant auctioneer = participants[0];
            send(auctioneer, AuctionService.OPEN, auctionId, auctionLengthNs);
            final long[] heardBefore = new long[participants.length];
            for (int i = 0; i < participants.length; i++)
            {
                heardBefore[i] = participants[i].outcomesHeard;
            }
            int bidder = 1;
            final long giveUpNs = System.nanoTime() + auctionLengthNs + 5_000_000_000L;
            while (auctioneer.lastAuctionHeard != auctionId && System.nanoTime() < giveUpNs)
            {
                if (participants.length > 1)
                {
                    final long startNs = System.nanoTime();
                    send(participants[bidder], AuctionService.BID, auctionId, ++price);
                    bidRoundTrip.recordValue(System.nanoTime() - startNs);
                    bids++;
                    bidder = bidder == participants.length - 1 ? 1 : bidder + 1;
                }
                else
                {
                    pollAll();
                }
            }
            // Every participant hears the outcome (the bidders joined by bidding).
            final long waitNs = System.nanoTime() + 5_000_000_000L;
            while (!allHeard(heardBefore) && System.nanoTime() < waitNs)
            {
                pollAll();
            }
            for (int i = 0; i < participants.length; i++)
            {
                missing += participants[i].outcomesHeard > heardBefore[i] ? 0 : 1;
            }
            auctions++;
        }
        return new Result(bidRoundTrip, deadlineToOutcome, auctions, bids, missing);
    }

    private boolean allHeard(final long[] heardBefore)
    {
        for (int i = 0; i < participants.length; i++)
        {
            if (participants[i].outcomesHeard == heardBefore[i])
            {
                return false;
            }
        }
        return true;
    }

    private void send(final Participant participant, final byte type, final long auctionId, final long value)
    {
        final int length = AuctionService.command(command, type, auctionId, value);
        final long target = participant.answers + 1;
        while (participant.client.offer(command, 0, length) <= 0)
        {
            pollAll();
        }
        while (participant.answers < target)
        {
            pollAll();
        }
    }

    private void pollAll()
    {
        for (final Participant participant : participants)
        {
            participant.client.poll();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        for (final Participant participant : participants)
        {
            CloseHelper.quietClose(participant.client);
        }
    }

    /**
     * A recorder of the leader's timer delay (deadline to onTimer), fed from the member's thread.
     *
     * @return outcomes that record {@code now - deadline} on the leader into {@code recorder}.
     */
    public static AuctionService.Outcomes timerDelay(
        final Recorder recorder, final java.util.function.BooleanSupplier isLeader)
    {
        final EpochNanoClock clock = new SystemEpochNanoClock();
        return (auctionId, winnerSession, price, deadline, logIndex, timestamp) ->
        {
            if (isLeader.getAsBoolean())
            {
                recorder.recordValue(Math.max(0, clock.nanoTime() - deadline));
            }
        };
    }
}
