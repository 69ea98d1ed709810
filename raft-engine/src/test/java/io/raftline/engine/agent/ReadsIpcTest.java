package io.raftline.engine.agent;

import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ReadConsistency;
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
 * Queries over a real 3-member IPC cluster: every consistency level answers with the state after every acknowledged
 * command, through the same listener as commands, with correlation ids of their own; follower reads are answered by
 * every member; a query of a service that answers none is an error, not a crash.
 */
@Timeout(120)
class ReadsIpcTest
{
    private final CounterService[] services = {new CounterService(), new CounterService(), new CounterService()};
    private LocalCluster cluster;
    private RaftClient client;
    private final List<long[]> answers = new ArrayList<>();

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

    private void start(final boolean leaseReads)
    {
        final MemberContext template = LocalClusterIpcTest.template();
        template.raft().leaseReads(leaseReads);
        cluster = LocalCluster.start(3, template, (id) -> services[id]);
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
        client = RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxInflight(64)
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
                answers.add(new long[]{correlationId, outcome, logIndex, 8 == length ? buffer.getLong(offset) : -1})));
    }

    private long[] await(final long correlationId)
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadlineNs)
        {
            client.poll();
            for (final long[] answer : answers)
            {
                if (answer[0] == correlationId)
                {
                    return answer;
                }
            }
        }
        throw new AssertionError("no answer to " + correlationId);
    }

    private void write(final int commands)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 1);
        for (int i = 0; i < commands; i++)
        {
            long id;
            while ((id = client.offer(command, 0, 8)) < 0)
            {
                client.poll();
            }
            assertEquals(ResponseListener.OK, await(id)[1]);
        }
    }

    private long query(final ReadConsistency level)
    {
        final UnsafeBuffer query = new UnsafeBuffer(new byte[1]);
        long id;
        while ((id = client.query(level, query, 0, 1)) < 0)
        {
            client.poll();
        }
        assertTrue(id >= RaftClient.QUERY_ID_BASE, "a query's id " + id);
        final long[] answer = await(id);
        assertEquals(ResponseListener.OK, answer[1], "outcome of a " + level + " query");
        return answer[3];
    }

    @Test
    void everyLevelAnswersWithEveryAcknowledgedCommand()
    {
        start(true);
        for (int round = 1; round <= 20; round++)
        {
            write(5);
            for (final ReadConsistency level : ReadConsistency.values())
            {
                // Follower reads go to the members in turn, so three of them reach every member.
                for (int i = 0; i < (ReadConsistency.FOLLOWER == level ? 3 : 1); i++)
                {
                    assertEquals(5L * round, query(level), level + " query after " + 5 * round + " commands");
                }
            }
        }
    }

    @Test
    void leaseQueriesAreServedAsLinearizableWhenLeasesAreOff()
    {
        start(false);
        write(10);
        assertEquals(10, query(ReadConsistency.LEASE));
        assertEquals(Long.MIN_VALUE, cluster.member(cluster.leaderId()).raftAgent().node().reads().leaseEndNs());
    }

    @Test
    void manyOutstandingQueriesAreAnsweredInAnyOrderWithinTheWindow()
    {
        start(true);
        write(3);
        answers.clear();
        final UnsafeBuffer query = new UnsafeBuffer(new byte[1]);
        final ReadConsistency[] levels = ReadConsistency.values();
        int sent = 0;
        while (sent < 64)
        {
            if (client.query(levels[sent % 3], query, 0, 1) > 0)
            {
                sent++;
            }
        }
        assertEquals(RaftClient.BACK_PRESSURED, client.query(ReadConsistency.LINEARIZABLE, query, 0, 1),
            "the 65th outstanding query is back-pressured");
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (answers.size() < 64 && System.nanoTime() < deadlineNs)
        {
            client.poll();
        }
        assertEquals(64, answers.size());
        for (final long[] answer : answers)
        {
            assertEquals(ResponseListener.OK, answer[1]);
            assertEquals(3, answer[3]);
        }
        assertEquals(0, client.queriesInflight());
    }
}
