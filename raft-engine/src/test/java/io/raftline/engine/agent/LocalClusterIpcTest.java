package io.raftline.engine.agent;

import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three members over Aeron IPC in one JVM, one shared agent thread, with a real client.
 */
@Timeout(120)
class LocalClusterIpcTest
{
    private final CounterService[] services = {new CounterService(), new CounterService(), new CounterService()};
    private LocalCluster cluster;
    private RaftClient client;

    @AfterEach
    void close()
    {
        if (null != client)
        {
            client.close();
        }
        if (null != cluster)
        {
            cluster.close();
        }
    }

    static MemberContext template()
    {
        return new MemberContext()
            .storage(StorageType.MEMORY)
            .electionTimeoutNs(100_000_000L, 200_000_000L)
            .heartbeatIntervalNs(10_000_000L)
            .idleStrategy(IdleStrategyType.YIELD);
    }

    @Test
    void replicatesCommandsAndAnswersInOrder()
    {
        cluster = LocalCluster.start(3, template(), (id) -> services[id]);
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);

        final List<long[]> answers = new ArrayList<>();
        client = RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxInflight(64)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
                answers.add(new long[]{correlationId, outcome, logIndex, 8 == length ? buffer.getLong(offset) : -1})));

        final int commands = 20_000;
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 1);
        int sent = 0;
        while (answers.size() < commands)
        {
            if (sent < commands && client.offer(command, 0, 8) > 0)
            {
                sent++;
            }
            client.poll();
        }
        for (int i = 0; i < commands; i++)
        {
            final long[] answer = answers.get(i);
            assertEquals(i + 1, answer[0], "answers in correlation order");
            assertEquals(ResponseListener.OK, answer[1]);
            assertEquals(i + 1, answer[3], "the counter after command " + (i + 1));
        }
        Await.until("every member applied every command", 10_000,
            () -> services[0].applied() == commands && services[1].applied() == commands &&
            services[2].applied() == commands);
        for (final CounterService service : services)
        {
            assertEquals(commands, service.value());
        }
        assertTrue(cluster.members().get(cluster.leaderId()).commitIndex() >= commands);
    }
}
