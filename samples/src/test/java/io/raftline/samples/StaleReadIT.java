package io.raftline.samples;

import io.raftline.engine.agent.EmbeddedAeron;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ReadConsistency;
import io.raftline.engine.client.ResponseListener;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stale read of a leader paused past its lease (Jepsen's etcd 3.4 and Aerospike finding), with real processes:
 * three members over UDP with lease reads on. A client that knows only the leader reads from its lease; the leader's
 * process is stopped (SIGSTOP) for far longer than its lease and an election timeout; the majority elects a leader and
 * more adds are acknowledged; while the old leader is still stopped that client sends it a lease, a ReadIndex and a
 * follower read; then the old leader continues (SIGCONT). It wakes with the old counter and, by its clock before the
 * stop, a lease: no answer may carry the old counter. The follower read, which it serves once it has learned of the
 * new leader, must answer with every acknowledged add.
 */
@Timeout(300)
class StaleReadIT
{
    private static final int ADDS = 50;

    @TempDir
    Path dir;

    private ProcessCluster cluster;
    private EmbeddedAeron driver;
    private RaftClient writer;
    private RaftClient oldLeaderReader;
    private final List<long[]> readerAnswers = new ArrayList<>();
    private long acked;

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(oldLeaderReader);
        CloseHelper.quietClose(writer);
        CloseHelper.quietClose(driver);
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void aLeaderStoppedPastItsLeaseAnswersNoStaleReadWhenItContinues() throws Exception
    {
        cluster = new ProcessCluster(3, dir, "--storage", "memory", "--election-timeout-ms", "150", "--lease-reads");
        cluster.startAll();
        driver = EmbeddedAeron.threaded(cluster.driverDirectoryBase(), "raftline-stale-read-it",
            new YieldingIdleStrategy());
        writer = RaftClient.connect(context(cluster.members())
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
            {
                if (ResponseListener.OK == outcome || ResponseListener.DUPLICATE == outcome)
                {
                    acked++;
                }
            }));
        add(ADDS);

        final int oldLeader = writer.leaderId();
        oldLeaderReader = RaftClient.connect(context(only(cluster.members(), oldLeader))
            .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
                readerAnswers.add(new long[]{correlationId, outcome, 8 == length ? buffer.getLong(offset) : -1})));
        assertEquals(ADDS, read(ReadConsistency.LEASE), "the lease serves the leader's reads");

        cluster.pause(oldLeader, true);
        add(ADDS);
        assertTrue(writer.leaderId() != oldLeader, "the majority elected another leader");
        final long ackedBeforeReads = acked;

        readerAnswers.clear();
        final UnsafeBuffer get = new UnsafeBuffer("get".getBytes());
        final List<Long> queries = new ArrayList<>();
        for (final ReadConsistency level : ReadConsistency.values())
        {
            final long id = oldLeaderReader.query(level, get, 0, get.capacity());
            assertTrue(id > 0, "query of level " + level + " taken: " + id);
            queries.add(id);
        }
        // Long past the lease (150 ms less the drift) by every clock, and past an election.
        Thread.sleep(1_500);
        cluster.pause(oldLeader, false);

        final long deadlineNs = System.nanoTime() + 15_000_000_000L;
        long followerValue = -1;
        while (System.nanoTime() < deadlineNs && followerValue < 0)
        {
            oldLeaderReader.poll();
            writer.poll();
            for (final long[] answer : readerAnswers)
            {
                if (ResponseListener.OK == answer[1])
                {
                    assertTrue(answer[2] >= ackedBeforeReads, "a stale read: query " + answer[0] + " answered " +
                        answer[2] + " after " + ackedBeforeReads + " adds were acknowledged");
                    if (answer[0] == queries.get(2))
                    {
                        followerValue = answer[2];
                    }
                }
            }
            Thread.onSpinWait();
        }
        assertEquals(ackedBeforeReads, followerValue, "the follower read, served by the old leader once it follows");
    }

    private ClientContext context(final String members)
    {
        return new ClientContext()
            .aeron(driver.aeron())
            .members(members)
            .maxInflight(16)
            .leaderTimeoutNs(300_000_000L)
            .commandTimeoutNs(20_000_000_000L)
            .connectTimeoutNs(30_000_000_000L);
    }

    private static String only(final String members, final int id)
    {
        for (final String member : members.split(","))
        {
            if (member.startsWith(id + "@"))
            {
                return member;
            }
        }
        throw new IllegalArgumentException("no member " + id + " in " + members);
    }

    private void add(final int adds)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 1);
        final long target = acked + adds;
        int sent = 0;
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (acked < target)
        {
            assertTrue(System.nanoTime() < deadlineNs, "adds acknowledged: " + acked + " of " + target);
            if (sent < adds && writer.offer(command, 0, 8) > 0)
            {
                sent++;
            }
            writer.poll();
        }
    }

    private long read(final ReadConsistency level)
    {
        final UnsafeBuffer get = new UnsafeBuffer("get".getBytes());
        long id;
        while ((id = oldLeaderReader.query(level, get, 0, get.capacity())) < 0)
        {
            oldLeaderReader.poll();
        }
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadlineNs)
        {
            oldLeaderReader.poll();
            for (final long[] answer : readerAnswers)
            {
                if (answer[0] == id)
                {
                    assertEquals(ResponseListener.OK, answer[1]);
                    return answer[2];
                }
            }
        }
        throw new AssertionError("no answer to the " + level + " read");
    }
}
