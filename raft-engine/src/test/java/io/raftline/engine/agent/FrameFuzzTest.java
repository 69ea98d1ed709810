package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.raftline.codecs.AppendEntriesEncoder;
import io.raftline.codecs.AppendEntriesResponseEncoder;
import io.raftline.codecs.ClientRequestEncoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.RequestVoteEncoder;
import io.raftline.codecs.RequestVoteResponseEncoder;
import io.raftline.codecs.SessionConnectEncoder;
import io.raftline.codecs.SessionKeepAliveEncoder;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import io.raftline.engine.protocol.ConsensusEncoder;
import io.raftline.log.InMemoryRaftLog;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Over a million hostile frames at every member's consensus and client streams while a client runs commands:
 * random bytes; well-formed consensus messages from members that do not exist, with random field values;
 * genuine-looking frames with their headers and length fields mutated, truncated or extended; client frames for
 * sessions that do not exist. Every member keeps running, counts what it rejected, and the client's commands all
 * apply exactly once. (Frames that are well-formed and claim to come from a real member are a Byzantine fault,
 * which Raft does not tolerate; the fuzz gives them unknown sender ids, and the simulator's fuzzing replays genuine
 * frames instead.)
 */
@Timeout(300)
class FrameFuzzTest
{
    private static final int FRAMES = 1_200_000;

    @Test
    void hostileFramesAreRejectedWhileTheClusterServes()
    {
        final CounterService[] services = {new CounterService(), new CounterService(), new CounterService()};
        final long[] acked = new long[1];
        try (LocalCluster cluster = LocalCluster.start(3, LocalClusterIpcTest.template(), (id) -> services[id]);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(cluster.aeronDirectoryName())))
        {
            Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
            final ExclusivePublication[] targets = new ExclusivePublication[6];
            for (int member = 0; member < 3; member++)
            {
                targets[2 * member] = aeron.addExclusivePublication("aeron:ipc?term-length=16m",
                    MemberConfiguration.CONSENSUS_STREAM_BASE_DEFAULT + member);
                targets[2 * member + 1] = aeron.addExclusivePublication("aeron:ipc?term-length=16m",
                    MemberConfiguration.INGRESS_STREAM_BASE_DEFAULT + member);
            }
            for (final ExclusivePublication target : targets)
            {
                Await.until("fuzz publication connected", 5_000, target::isConnected);
            }
            try (RaftClient client = RaftClient.connect(new ClientContext()
                .aeron(aeron)
                .members(cluster.membersString())
                .maxInflight(8)
                .commandTimeoutNs(60_000_000_000L)
                .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
                {
                    assertEquals(ResponseListener.OK, outcome);
                    acked[0]++;
                })))
            {
                final long rejectedBefore = totalRejected(aeron);
                final FrameFuzzer fuzzer = new FrameFuzzer(new SplittableRandom(2026));
                final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
                command.putLong(0, 1);
                int sent = 0;
                long commands = 0;
                while (sent < FRAMES || acked[0] < commands)
                {
                    if (sent < FRAMES)
                    {
                        final ExclusivePublication target = targets[sent % targets.length];
                        final int length =
                            fuzzer.next(target.streamId() >= MemberConfiguration.INGRESS_STREAM_BASE_DEFAULT);
                        if (target.offer(fuzzer.buffer(), 0, Math.max(1, length)) > 0)
                        {
                            sent++;
                        }
                    }
                    if (client.offer(command, 0, 8) > 0)
                    {
                        commands++;
                    }
                    client.poll();
                }
                // The last frames sent may still be on their way through the publications: wait until the members
                // have read them all (the count must then be exact, not more).
                Await.until("every hostile frame was read", 20_000,
                    () -> totalRejected(aeron) - rejectedBefore >= FRAMES);
                final long rejected = totalRejected(aeron) - rejectedBefore;
                System.out.printf("fuzz: %d frames sent, %d rejected and counted, %d commands applied meanwhile%n",
                    sent, rejected, acked[0]);
                assertEquals(FRAMES, rejected, "every hostile frame was rejected and counted");
                for (int i = 0; i < 3; i++)
                {
                    final int id = i;
                    assertFalse(cluster.member(id).isFailed(), "member " + id + " kept running");
                    Await.until("member " + id + " applied every command", 20_000,
                        () -> services[id].value() == acked[0]);
                }
            }
        }
    }

    private static long totalRejected(final Aeron aeron)
    {
        long total = 0;
        for (int i = 0; i < 3; i++)
        {
            total += RaftStat.value(aeron.countersReader(), "raftline member=" + i + " rejected-frames");
            total += RaftStat.value(aeron.countersReader(), "raftline member=" + i + " unknown-session-requests");
        }
        return total;
    }

    /**
     * Makes hostile frames.
     */
    static final class FrameFuzzer
    {
        private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
        private final SplittableRandom random;
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
        private final ConsensusEncoder encoder = new ConsensusEncoder();
        private final MessageHeaderEncoder header = new MessageHeaderEncoder();
        private final ClientRequestEncoder request = new ClientRequestEncoder();
        private final SessionConnectEncoder connect = new SessionConnectEncoder();
        private final SessionKeepAliveEncoder keepAlive = new SessionKeepAliveEncoder();
        private final InMemoryRaftLog log = new InMemoryRaftLog(false);
        private int stranger;
        private int strangerOffset = Integer.MAX_VALUE - 4;

        FrameFuzzer(final SplittableRandom random)
        {
            this.random = random;
            for (int i = 0; i < 8; i++)
            {
                final byte[] payload = new byte[random.nextInt(64)];
                random.nextBytes(payload);
                log.append(1 + i / 3, new UnsafeBuffer(payload), 0, payload.length);
            }
        }

        ExpandableArrayBuffer buffer()
        {
            return buffer;
        }

        /**
         * @return the length of the next hostile frame, written into {@link #buffer()}.
         */
        int next(final boolean isIngress)
        {
            final int kind = random.nextInt(10);
            int length;
            if (kind < 3)
            {
                length = random.nextInt(300);
                final byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                buffer.putBytes(0, bytes);
                return length;
            }
            length = isIngress ? clientFrame() : strangerFrame();
            switch (kind)
            {
                case 3:
                    buffer.putShort(random.nextInt(4) * 2, (short)random.nextInt());
                    break;
                case 4:
                    length = random.nextInt(length + 1);
                    break;
                case 5:
                    final int extra = random.nextInt(64);
                    for (int i = 0; i < extra; i++)
                    {
                        buffer.putByte(length + i, (byte)random.nextInt());
                    }
                    length += extra;
                    break;
                case 6:
                    if (length > 12)
                    {
                        buffer.putInt(8 + random.nextInt(length - 11), random.nextInt());
                    }
                    break;
                default:
                    break;
            }
            if (!isIngress && strangerOffset + 4 <= length)
            {
                // A stranger stays a stranger: an overwrite that landed on the sender field could have made it a
                // real member, and a forged frame of a real member is a Byzantine fault, which Raft does not claim
                // to survive (it happened: a random int turned a stranger's AppendEntriesResponse into member 0's).
                buffer.putInt(strangerOffset, stranger, MessageHeaderEncoder.BYTE_ORDER);
            }
            return length;
        }

        private int strangerFrame()
        {
            stranger = 100 + random.nextInt(1000);
            final int recipient = random.nextInt(3);
            final long term = random.nextLong(1, Long.MAX_VALUE);
            switch (random.nextInt(4))
            {
                case 0:
                    strangerOffset = HEADER + RequestVoteEncoder.candidateIdEncodingOffset();
                    return encoder.requestVote(buffer, 0, stranger, recipient, term, random.nextLong(1000),
                        random.nextLong(1000), random.nextBoolean(), random.nextLong(1000));
                case 1:
                    strangerOffset = HEADER + RequestVoteResponseEncoder.voterIdEncodingOffset();
                    return encoder.voteResponse(buffer, 0, stranger, recipient, term, term, true,
                        random.nextBoolean(), random.nextLong(1000));
                case 2:
                    strangerOffset = HEADER + AppendEntriesResponseEncoder.followerIdEncodingOffset();
                    return encoder.appendEntriesResponse(buffer, 0, stranger, recipient, term, random.nextLong(100),
                        random.nextBoolean(), random.nextLong(100), random.nextLong(100), random.nextLong(10),
                        random.nextLong(100));
                default:
                    strangerOffset = HEADER + AppendEntriesEncoder.leaderIdEncodingOffset();
                    final int first = 1 + random.nextInt(8);
                    return encoder.appendEntries(buffer, 0, stranger, recipient, term, first - 1, 1, term, log, first,
                        random.nextInt(9 - first));
            }
        }

        private int clientFrame()
        {
            final long unknownSession = random.nextLong(1L << 40, Long.MAX_VALUE);
            switch (random.nextInt(3))
            {
                case 0:
                    final byte[] payload = new byte[random.nextInt(32)];
                    random.nextBytes(payload);
                    request.wrapAndApplyHeader(buffer, 0, header)
                        .clientSessionId(unknownSession)
                        .correlationId(random.nextLong())
                        .putPayload(payload, 0, payload.length);
                    return MessageHeaderEncoder.ENCODED_LENGTH + request.encodedLength();
                case 1:
                    keepAlive.wrapAndApplyHeader(buffer, 0, header)
                        .clientSessionId(unknownSession)
                        .correlationId(random.nextLong());
                    return MessageHeaderEncoder.ENCODED_LENGTH + keepAlive.encodedLength();
                default:
                    // A connect for an existing-looking session that does not exist, answered "unknown session"
                    // only by the leader, on a channel nobody listens to.
                    connect.wrapAndApplyHeader(buffer, 0, header)
                        .correlationId(random.nextLong())
                        .clientSessionId(unknownSession)
                        .responseStreamId(random.nextInt())
                        .responseChannel("not-a-channel-" + random.nextInt(100))
                        .putCredentials(new byte[0], 0, 0);
                    return MessageHeaderEncoder.ENCODED_LENGTH + connect.encodedLength();
            }
        }
    }
}
