package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.ClientException;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import io.raftline.engine.protocol.ConsensusEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The authenticator hook refuses clients with a clear reason; frames from strangers, and frames on the wrong
 * stream, are counted and dropped while the cluster keeps serving.
 */
@Timeout(120)
class SessionSecurityAndBadInputTest
{
    private final CounterService[] services = {new CounterService(), new CounterService(), new CounterService()};
    private LocalCluster cluster;
    private Aeron aeron;

    @BeforeEach
    void start()
    {
        final byte[] secret = "s3cret".getBytes(StandardCharsets.US_ASCII);
        cluster = LocalCluster.start(3, LocalClusterIpcTest.template()
            .authenticator((credentials) -> Arrays.equals(secret, credentials) ? null : "bad credentials"),
            (id) -> services[id]);
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(cluster.aeronDirectoryName()));
    }

    @AfterEach
    void stop()
    {
        aeron.close();
        cluster.close();
    }

    private ClientContext client(final String credentials, final long[] answered)
    {
        return new ClientContext()
            .aeron(aeron)
            .members(cluster.membersString())
            .connectTimeoutNs(5_000_000_000L)
            .credentials(credentials.getBytes(StandardCharsets.US_ASCII))
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
            {
                if (ResponseListener.OK == outcome)
                {
                    answered[0]++;
                }
            });
    }

    @Test
    void authenticatorRefusesWrongCredentialsWithItsReason()
    {
        final ClientException refused =
            assertThrows(ClientException.class, () -> RaftClient.connect(client("guess", new long[1])));
        assertEquals("session refused: bad credentials", refused.getMessage());

        final long[] answered = new long[1];
        try (RaftClient client = RaftClient.connect(client("s3cret", answered)))
        {
            sendOne(client, answered);
        }
    }

    @Test
    void framesFromStrangersAndOnTheWrongStreamAreCountedAndDropped()
    {
        final int leader = cluster.leaderId();
        final String prefix = "raftline member=" + leader + " ";
        final long rejectedBefore = RaftStat.value(aeron.countersReader(), prefix + "rejected-frames");
        final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(256);
        final ConsensusEncoder encoder = new ConsensusEncoder();
        final int consensusStream = MemberConfiguration.CONSENSUS_STREAM_BASE_DEFAULT + leader;
        final int ingressStream = MemberConfiguration.INGRESS_STREAM_BASE_DEFAULT + leader;
        try (ExclusivePublication consensus = aeron.addExclusivePublication("aeron:ipc?term-length=16m",
            consensusStream);
            ExclusivePublication ingress = aeron.addExclusivePublication("aeron:ipc?term-length=16m", ingressStream))
        {
            Await.until("connected", 5_000, () -> consensus.isConnected() && ingress.isConnected());
            // A vote request from member 99, which is not configured, with a huge term.
            int length = encoder.requestVote(frame, 0, 99, leader, 1_000_000, 0, 0, false, 1);
            offer(consensus, frame, length);
            // A consensus frame on the client stream.
            offer(ingress, frame, length);
            // Garbage on both.
            final UnsafeBuffer garbage = new UnsafeBuffer(new byte[64]);
            Arrays.fill(garbage.byteArray(), (byte)0x5A);
            offer(consensus, garbage, 64);
            offer(ingress, garbage, 64);
            length = encoder.timeoutNow(frame, 0, (leader + 1) % 3, leader + 7, 1_000_000);
            offer(consensus, frame, length);
        }
        Await.until("five rejected frames", 5_000,
            () -> RaftStat.value(aeron.countersReader(), prefix + "rejected-frames") >= rejectedBefore + 5);
        assertEquals(leader, cluster.leaderId(), "the stranger's huge term did not depose the leader");
        final long[] answered = new long[1];
        try (RaftClient client = RaftClient.connect(client("s3cret", answered)))
        {
            sendOne(client, answered);
        }
        assertTrue(cluster.member(leader).term() < 1_000_000);
    }

    private static void offer(final ExclusivePublication publication, final org.agrona.DirectBuffer buffer,
        final int length)
    {
        Await.until("offer accepted", 5_000, () -> publication.offer(buffer, 0, length) > 0);
    }

    private static void sendOne(final RaftClient client, final long[] answered)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 5);
        Await.until("command accepted", 5_000, () ->
        {
            client.poll();
            return client.offer(command, 0, 8) > 0;
        });
        Await.until("answer", 5_000, () ->
        {
            client.poll();
            return answered[0] == 1;
        });
    }
}
