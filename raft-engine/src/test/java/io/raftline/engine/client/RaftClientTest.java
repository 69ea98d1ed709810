package io.raftline.engine.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.raftline.codecs.ClientRedirectEncoder;
import io.raftline.codecs.ClientRequestDecoder;
import io.raftline.codecs.ClientResponseCode;
import io.raftline.codecs.ClientResponseEncoder;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.SessionConnectDecoder;
import io.raftline.codecs.SessionEventCode;
import io.raftline.codecs.SessionEventEncoder;
import io.raftline.engine.agent.RaftMember;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against a scripted cluster: the test plays the members (it reads their ingress streams and writes the
 * client's egress stream), and the client's clock is the test's, so every timeout is decided by the test.
 */
@Timeout(60)
class RaftClientTest
{
    private static final int MEMBERS = 3;
    private static final int INGRESS_BASE = 31_000;
    private static final int EGRESS_STREAM = 41_000;
    private static final long SESSION_ID = 7;
    private static final long COMMAND_TIMEOUT_NS = 5_000_000_000L;
    private static final long LEADER_TIMEOUT_NS = 500_000_000L;

    private final long[] clock = {1_000_000_000L};
    private final LongArrayList[] received = new LongArrayList[MEMBERS];
    private final long[] outcomes = new long[5];
    private final Subscription[] ingress = new Subscription[MEMBERS];
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ClientRequestDecoder requestDecoder = new ClientRequestDecoder();
    private final SessionConnectDecoder connectDecoder = new SessionConnectDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(256);
    private MediaDriver driver;
    private Aeron aeron;
    private ExclusivePublication egress;
    private RaftClient client;
    // The member that answers a SessionConnect, and the term it answers in.
    private int connectAnswerer = 0;
    private long connectTerm = 1;
    private long lastConnectCorrelationId;

    @BeforeEach
    void start()
    {
        driver = RaftMember.launchEmbeddedDriver("raftline-client-test");
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        for (int i = 0; i < MEMBERS; i++)
        {
            received[i] = new LongArrayList();
            ingress[i] = aeron.addSubscription("aeron:ipc", INGRESS_BASE + i);
        }
        egress = aeron.addExclusivePublication("aeron:ipc", EGRESS_STREAM);
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(client);
        CloseHelper.quietCloseAll(egress, aeron, driver);
    }

    @Test
    void offerResultsHaveTheValuesOfAeronsConstantsOfTheSameName()
    {
        assertEquals(Publication.NOT_CONNECTED, RaftClient.NOT_CONNECTED);
        assertEquals(Publication.BACK_PRESSURED, RaftClient.BACK_PRESSURED);
    }

    @Test
    void findingTheFirstLeaderIsNotALeaderChange()
    {
        connect();
        assertEquals(0, client.leaderChanges());
        redirectEvent(1, 2);
        pumpUntil("the client follows member 1", () -> 1 == client.leaderId());
        assertEquals(1, client.leaderChanges());
    }

    @Test
    void redirectsNamingTheSameLeaderResendNothing()
    {
        connect();
        final int commands = 100;
        offer(commands);
        pumpUntil("member 0 received the commands", () -> commands == received[0].size());

        // The new leader announces itself once; then the old leader, now a follower, redirects each command.
        redirectEvent(1, 2);
        for (long correlationId = 1; correlationId <= commands; correlationId++)
        {
            redirectFrame(correlationId, 1, 2);
        }
        // A follower of an older term naming the old leader is stale.
        redirectFrame(1, 0, 1);
        pumpUntil("member 1 received every command", () -> commands == received[1].size());
        for (int i = 0; i < 50; i++)
        {
            pump();
        }
        assertEquals(commands, received[1].size(), "each command resent once to the new leader");
        assertEquals(commands, client.resends());
        assertEquals(1, client.leaderChanges());
        assertEquals(1, client.leaderId());
        for (int i = 0; i < commands; i++)
        {
            assertEquals(i + 1, received[1].getLong(i), "resent in order");
        }
    }

    @Test
    void aSequenceGapResendsOnceUntilTheNextAnswer()
    {
        connect();
        final int commands = 50;
        offer(commands);
        pumpUntil("member 0 received the commands", () -> commands == received[0].size());

        // Command 1 was lost on the way: the leader answers every later one with SEQUENCE_GAP.
        for (long correlationId = 2; correlationId <= commands; correlationId++)
        {
            response(0, correlationId, ClientResponseCode.SEQUENCE_GAP);
        }
        pumpUntil("the resend", () -> received[0].size() >= 2 * commands);
        for (int i = 0; i < 50; i++)
        {
            pump();
        }
        assertEquals(2 * commands, received[0].size(), "one resend for the burst of gaps");
        assertEquals(commands, client.resends());

        for (long correlationId = 1; correlationId <= commands; correlationId++)
        {
            response(0, correlationId, ClientResponseCode.OK);
        }
        pumpUntil("every answer", () -> commands == outcomes[ResponseListener.OK]);
        assertEquals(0, client.inflight());
    }

    @Test
    void redirectsDoNotHideADeadLeader()
    {
        connect();
        offer(3);
        pumpUntil("member 0 received the commands", () -> 3 == received[0].size());

        // Members keep naming a leader that never answers; the command timeout still runs from the last answer.
        final long offeredNs = clock[0];
        int leader = 0;
        long term = 1;
        while (clock[0] - offeredNs <= COMMAND_TIMEOUT_NS + LEADER_TIMEOUT_NS &&
            0 == outcomes[ResponseListener.TIMED_OUT])
        {
            leader = (leader + 1) % MEMBERS;
            term++;
            redirectEvent(leader, term);
            final int expectedAtLeader = received[leader].size() + 3;
            final int redirectedTo = leader;
            pumpUntil("the resend to " + leader, () -> received[redirectedTo].size() >= expectedAtLeader);
            clock[0] += 100_000_000L;
            client.poll();
        }
        assertEquals(3, outcomes[ResponseListener.TIMED_OUT], "the unanswered commands timed out");
        assertTrue(clock[0] - offeredNs <= COMMAND_TIMEOUT_NS + 200_000_000L,
            "within the command timeout of the last answer: " + (clock[0] - offeredNs) + " ns");
    }

    // ------------------------------------------------------------------------------------------------ support

    private void connect()
    {
        final IdleStrategy pumping = new IdleStrategy()
        {
            public void idle(final int workCount)
            {
                pump();
            }

            public void idle()
            {
                pump();
            }

            public void reset()
            {
            }
        };
        client = RaftClient.connect(new ClientContext()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .members("0,1,2")
            .ingressStreamBase(INGRESS_BASE)
            .egressChannel("aeron:ipc")
            .egressStreamId(EGRESS_STREAM)
            .maxInflight(1024)
            .commandTimeoutNs(COMMAND_TIMEOUT_NS)
            .leaderTimeoutNs(LEADER_TIMEOUT_NS)
            .nanoClock(() -> clock[0])
            .idleStrategy(pumping)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) -> outcomes[outcome]++));
        assertEquals(SESSION_ID, client.sessionId());
        assertEquals(connectAnswerer, client.leaderId());
    }

    private void offer(final int commands)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < commands; i++)
        {
            final long[] result = {0};
            pumpUntil("the offer", () -> (result[0] = client.offer(command, 0, 8)) > 0);
        }
    }

    private void pumpUntil(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            pump();
            Thread.yield();
        }
    }

    private void pump()
    {
        for (int i = 0; i < MEMBERS; i++)
        {
            final int member = i;
            ingress[i].poll((buffer, offset, length, header) -> onIngress(member, buffer, offset), 100);
        }
        if (null != client)
        {
            client.poll();
        }
    }

    private void onIngress(final int member, final DirectBuffer buffer, final int offset)
    {
        headerDecoder.wrap(buffer, offset);
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        switch (headerDecoder.templateId())
        {
            case ClientRequestDecoder.TEMPLATE_ID:
                requestDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
                received[member].addLong(requestDecoder.correlationId());
                break;

            case SessionConnectDecoder.TEMPLATE_ID:
                connectDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
                if (member == connectAnswerer && connectDecoder.correlationId() != lastConnectCorrelationId)
                {
                    lastConnectCorrelationId = connectDecoder.correlationId();
                    sessionEvent(connectDecoder.correlationId(), connectAnswerer, connectTerm, SessionEventCode.OPEN);
                }
                break;

            default:
                break;
        }
    }

    private void redirectEvent(final int leaderId, final long term)
    {
        sessionEvent(0, leaderId, term, SessionEventCode.REDIRECT);
    }

    private void sessionEvent(final long correlationId, final int leaderId, final long term,
        final SessionEventCode code)
    {
        final SessionEventEncoder encoder = new SessionEventEncoder().wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(SESSION_ID)
            .correlationId(correlationId)
            .leadershipTerm(term)
            .leaderMemberId(leaderId)
            .code(code)
            .detail("");
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private void redirectFrame(final long correlationId, final int leaderId, final long term)
    {
        final ClientRedirectEncoder encoder = new ClientRedirectEncoder().wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(SESSION_ID)
            .correlationId(correlationId)
            .leadershipTerm(term)
            .leaderMemberId(leaderId);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private void response(final int member, final long correlationId, final ClientResponseCode code)
    {
        final ClientResponseEncoder encoder = new ClientResponseEncoder().wrapAndApplyHeader(frame, 0, headerEncoder)
            .clientSessionId(SESSION_ID)
            .correlationId(correlationId)
            .logIndex(correlationId)
            .code(code)
            .putPayload(new UnsafeBuffer(new byte[0]), 0, 0);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private void send(final int length)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (egress.offer(frame, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the client's egress is not connected");
            }
            for (int i = 0; i < MEMBERS; i++)
            {
                final int member = i;
                ingress[i].poll((buffer, offset, l, header) -> onIngress(member, buffer, offset), 100);
            }
            Thread.yield();
        }
    }
}
