package io.raftline.engine.agent;

import io.raftline.engine.RaftService;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Commands far larger than one MTU, up to the configured maximum, are fragmented by Aeron, reassembled, appended
 * and replicated intact; a command above the maximum is refused by the client before it is sent.
 */
@Timeout(120)
class LargeCommandTest
{
    /**
     * Answers the CRC32C of each command, so the client can check every byte arrived.
     */
    private static final class ChecksumService implements RaftService
    {
        private final byte[] scratch = new byte[1 << 20];
        private volatile long applied;

        public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
            final int length, final MutableDirectBuffer response)
        {
            command.getBytes(offset, scratch, 0, length);
            final CRC32C crc = new CRC32C();
            crc.update(scratch, 0, length);
            response.putLong(0, crc.getValue());
            response.putInt(8, length);
            applied++;
            return 12;
        }
    }

    @Test
    void largeCommandsReplicateIntact()
    {
        final ChecksumService[] services = {new ChecksumService(), new ChecksumService(), new ChecksumService()};
        final int maxCommandLength = 512 * 1024;
        final long[] answer = new long[3];
        try (LocalCluster cluster = LocalCluster.start(3, LocalClusterIpcTest.template()
            .maxCommandLength(maxCommandLength), (id) -> services[id]);
            RaftClient client = connect(cluster, answer, maxCommandLength))
        {
            final SplittableRandom random = new SplittableRandom(5);
            int count = 0;
            for (final int length : new int[]{32, 1_500, 64 * 1024, 300_000, maxCommandLength, 64 * 1024, 7})
            {
                final byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                final CRC32C crc = new CRC32C();
                crc.update(bytes);
                answer[0] = -1;
                long correlationId;
                while ((correlationId = client.offer(new UnsafeBuffer(bytes), 0, length)) < 0)
                {
                    client.poll();
                }
                final long expected = correlationId;
                Await.until("answer to a " + length + "-byte command", 20_000, () ->
                {
                    client.poll();
                    return answer[1] == expected;
                });
                assertEquals(crc.getValue(), answer[0], "checksum of a " + length + "-byte command");
                assertEquals(length, answer[2]);
                count++;
            }
            assertEquals(RaftClient.TOO_LARGE, client.offer(new UnsafeBuffer(new byte[maxCommandLength + 1]), 0,
                maxCommandLength + 1));
            final int commands = count;
            for (final ChecksumService service : services)
            {
                Await.until("every member applied every command", 10_000, () -> service.applied == commands);
            }
        }
    }

    private static RaftClient connect(final LocalCluster cluster, final long[] answer, final int maxCommandLength)
    {
        return RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxCommandLength(maxCommandLength)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
            {
                assertEquals(ResponseListener.OK, outcome);
                answer[0] = buffer.getLong(offset);
                answer[1] = correlationId;
                answer[2] = buffer.getInt(offset + 8);
            }));
    }
}
