package io.raftline.samples;

import io.raftline.engine.agent.EmbeddedAeron;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Auctions on three member processes over UDP ({@code auction-node}), with an auctioneer and two bidders in this
 * JVM: the leader is killed with kill -9 while an auction is open, and later restarted. Every auction still closes
 * exactly once, at the same log index with the same winner on every member (each member's output, over all its
 * starts, names each auction once per start, all alike), and every participant receives every outcome, once, naming
 * the bidder whose bid was accepted last.
 */
@Timeout(300)
class AuctionProcessIT
{
    private static final long MS = 1_000_000L;
    private static final int AUCTIONS = 24;

    @TempDir
    Path dir;

    private EmbeddedAeron driver;
    private ProcessCluster cluster;
    private final Participant[] participants = new Participant[3];

    private final class Participant implements ResponseListener
    {
        final RaftClient client;
        long answers;
        byte lastAnswer;
        final Map<Long, long[]> outcomes = new HashMap<>();
        final Set<Long> joined = new HashSet<>();
        int duplicates;

        Participant()
        {
            client = RaftClient.connect(new ClientContext()
                .aeron(driver.aeron())
                .members(cluster.members())
                .maxInflight(4)
                .leaderTimeoutNs(300 * MS)
                .commandTimeoutNs(20_000 * MS)
                .connectTimeoutNs(30_000 * MS)
                .listener(this));
        }

        public void onResponse(final long correlationId, final int outcome, final long logIndex,
            final DirectBuffer buffer, final int offset, final int length)
        {
            assertTrue(ResponseListener.OK == outcome || ResponseListener.DUPLICATE == outcome,
                "outcome " + outcome);
            answers++;
            lastAnswer = length > 0 ? buffer.getByte(offset) : -1;
        }

        public void onMessage(final long clientSessionId, final long logIndex, final long timestamp,
            final DirectBuffer buffer, final int offset, final int length)
        {
            final long auctionId = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
            final long[] outcome = {buffer.getLong(offset + 8, ByteOrder.LITTLE_ENDIAN),
                buffer.getLong(offset + 16, ByteOrder.LITTLE_ENDIAN), logIndex};
            if (null != outcomes.put(auctionId, outcome))
            {
                duplicates++;
            }
        }
    }

    @AfterEach
    void stop()
    {
        for (final Participant participant : participants)
        {
            if (null != participant)
            {
                participant.client.close();
            }
        }
        CloseHelper.quietClose(driver);
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private byte send(final Participant participant, final byte type, final long auctionId, final long value)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[17]);
        final int length = AuctionService.command(command, type, auctionId, value);
        final long target = participant.answers + 1;
        final long deadline = System.nanoTime() + 60_000 * MS;
        while (participant.client.offer(command, 0, length) <= 0)
        {
            pollAll(deadline);
        }
        while (participant.answers < target)
        {
            pollAll(deadline);
        }
        return participant.lastAnswer;
    }

    private void pollAll(final long deadline)
    {
        int work = 0;
        for (final Participant participant : participants)
        {
            work += participant.client.poll();
        }
        if (System.nanoTime() > deadline)
        {
            throw new AssertionError("no answer in time" + cluster.describe());
        }
        if (0 == work)
        {
            Thread.yield();
        }
    }

    @Test
    void everyAuctionClosesOnceWithTheSameWinnerEverywhereThroughAKilledLeader()
    {
        cluster = new ProcessCluster(3, dir, "--storage", "file", "--durability", "none").subcommand("auction-node");
        cluster.startAll();
        driver = EmbeddedAeron.threaded(
            cluster.driverDirectoryBase(), "raftline-it-auction", new YieldingIdleStrategy());
        for (int i = 0; i < participants.length; i++)
        {
            participants[i] = new Participant();
        }

        final Map<Long, Long> expectedWinner = new HashMap<>();
        int killed = -1;
        long price = 0;
        for (long auctionId = 1; auctionId <= AUCTIONS; auctionId++)
        {
            assertEquals(AuctionService.ACCEPTED, send(participants[0], AuctionService.OPEN, auctionId, 300 * MS));
            if (14 == auctionId)
            {
                cluster.start(killed);
            }
            // Two bids each; the last accepted one wins. A bid after the close is answered CLOSED and does not
            // make its bidder a participant.
            for (int bid = 0; bid < 4; bid++)
            {
                if (8 == auctionId && 2 == bid)
                {
                    // Both bidders take part in this auction; now, well before its deadline, the leader dies and
                    // the new leader must close it.
                    killed = cluster.leaderId();
                    assertTrue(killed >= 0, "a leader" + cluster.describe());
                    cluster.kill(killed);
                }
                final Participant bidder = participants[1 + bid % 2];
                final byte answer = send(bidder, AuctionService.BID, auctionId, ++price);
                if (AuctionService.ACCEPTED == answer)
                {
                    expectedWinner.put(auctionId, bidder.client.sessionId());
                }
                if (AuctionService.ACCEPTED == answer || AuctionService.TOO_LOW == answer)
                {
                    bidder.joined.add(auctionId);
                }
            }
            final long id = auctionId;
            final long deadline = System.nanoTime() + 30_000 * MS;
            while (!participants[0].outcomes.containsKey(id))
            {
                pollAll(deadline);
            }
        }
        final long deadline = System.nanoTime() + 30_000 * MS;
        for (long auctionId = 1; auctionId <= AUCTIONS; auctionId++)
        {
            participants[0].joined.add(auctionId);
        }
        while (!participants[1].outcomes.keySet().containsAll(participants[1].joined) ||
            !participants[2].outcomes.keySet().containsAll(participants[2].joined))
        {
            pollAll(deadline);
        }

        assertTrue(participants[1].joined.contains(8L) && participants[2].joined.contains(8L));
        for (final Participant participant : participants)
        {
            assertEquals(0, participant.duplicates, "each outcome once per participant");
            assertEquals(participant.joined, participant.outcomes.keySet(), "every participant heard the outcome " +
                "of every auction it took part in, and only those");
            for (final long auctionId : participant.joined)
            {
                final long[] outcome = participant.outcomes.get(auctionId);
                assertEquals(expectedWinner.getOrDefault(auctionId, 0L), outcome[0], "winner of " + auctionId);
                assertEquals(participants[0].outcomes.get(auctionId)[2], outcome[2], "same closing entry");
            }
        }
        checkMembersClosedEachAuctionOnceAlike(participants[0].outcomes);
    }

    /**
     * Each member's output, over all its starts: every auction closed in every start that applied its timer, at
     * most once per start, and every line (auction, winner, price, index) alike on every member.
     */
    private void checkMembersClosedEachAuctionOnceAlike(final Map<Long, long[]> heard)
    {
        for (int id = 0; id < 3; id++)
        {
            final long deadline = System.nanoTime() + 30_000 * MS;
            while (true)
            {
                final Set<Long> closed = new HashSet<>();
                for (final Path log : cluster.logsOf(id))
                {
                    final Set<Long> inThisStart = new HashSet<>();
                    for (final String line : lines(log))
                    {
                        if (line.startsWith("CLOSED "))
                        {
                            final Map<String, Long> fields = fields(line);
                            final long auctionId = fields.get("auction");
                            assertTrue(inThisStart.add(auctionId), "member " + id + " closed auction " + auctionId +
                                " twice in one start: " + log);
                            final long[] outcome = heard.get(auctionId);
                            assertEquals(outcome[0], (long)fields.get("winner"), line);
                            assertEquals(outcome[1], (long)fields.get("price"), line);
                            assertEquals(outcome[2], (long)fields.get("index"), line);
                            closed.add(auctionId);
                        }
                    }
                }
                if (closed.size() == AUCTIONS)
                {
                    break;
                }
                // The member's output is copied to its file by a thread of the cluster's: wait for it, bounded.
                assertTrue(System.nanoTime() < deadline, "member " + id + " closed " + closed.size() + " of " +
                    AUCTIONS + " auctions" + cluster.describe());
                Thread.yield();
            }
        }
    }

    private static List<String> lines(final Path log)
    {
        try
        {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Map<String, Long> fields(final String line)
    {
        final Map<String, Long> fields = new HashMap<>();
        for (final String part : line.substring("CLOSED ".length()).split(" "))
        {
            final int equals = part.indexOf('=');
            fields.put(part.substring(0, equals), Long.parseLong(part.substring(equals + 1)));
        }
        return fields;
    }
}
