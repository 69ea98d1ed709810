package io.raftline.engine.agent;

import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ReadConsistency;
import io.raftline.engine.client.ResponseListener;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The steady-state path allocates nothing: after a warm-up of 600,000 commands, 100,000 more through a 3-member IPC
 * cluster leave the thread that runs every member's agent with 0 bytes allocated (ThreadMXBean's per-thread
 * allocation counter, which is exact, not sampled). With a warm-up of 300,000 the window sometimes held 300-500
 * bytes, with no role change, pause or snapshot in it (the message says so if it happens again): the JIT was still
 * settling, 2.7 s into the JVM's life.
 */
@Timeout(180)
class AgentAllocationTest
{
    @Test
    void agentThreadAllocatesNothingInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        final CounterService[] services = {new CounterService(), new CounterService(), new CounterService()};
        final long[] answered = new long[1];
        try (LocalCluster cluster = LocalCluster.start(3, LocalClusterIpcTest.template()
            .sessionTimeoutNs(600_000_000_000L)
            // Taking a snapshot allocates by design (the session table is copied for the writer thread).
            .snapshotInterval(0, 0), (id) -> services[id]))
        {
            Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
            try (RaftClient client = RaftClient.connect(new ClientContext()
                .aeronDirectoryName(cluster.aeronDirectoryName())
                .members(cluster.membersString())
                .maxInflight(64)
                .listener((correlationId, outcome, logIndex, buffer, offset, length) -> answered[0]++)))
            {
                final UnsafeBuffer command = new UnsafeBuffer(new byte[32]);
                // Long enough for the JIT to settle (a deoptimization re-creates scalar-replaced objects on the
                // thread); short of the in-memory log's next doubling at 2^20 entries.
                run(client, command, answered, 600_000);

                final long threadId = cluster.agentThread().getId();
                final String stateBefore = describe(cluster);
                final long before = threads.getThreadAllocatedBytes(threadId);
                run(client, command, answered, 100_000);
                final long after = threads.getThreadAllocatedBytes(threadId);

                assertEquals(0, after - before, "bytes allocated by the agent thread for 100,000 commands; " +
                    "before: " + stateBefore + ", after: " + describe(cluster));
            }
        }
    }

    /**
     * The same with time, timers and egress on the path: 10,000 timers stay scheduled throughout, and every command
     * schedules one more, due 1 ms of cluster time later, whose firing (a timer entry the leader appends) sends the
     * command's session a message. Timer entries, the timer table, the due scan and egress allocate nothing.
     */
    @Test
    void agentThreadAllocatesNothingWith10000LiveTimersFiringAndSendingMessages()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        final TimerLoadService[] services = {new TimerLoadService(), new TimerLoadService(), new TimerLoadService()};
        final long[] answered = new long[1];
        final long[] messages = new long[1];
        try (LocalCluster cluster = LocalCluster.start(3, LocalClusterIpcTest.template()
            .sessionTimeoutNs(600_000_000_000L)
            .maxTimers(20_000)
            .snapshotInterval(0, 0), (id) -> services[id]))
        {
            Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
            try (RaftClient client = RaftClient.connect(new ClientContext()
                .aeronDirectoryName(cluster.aeronDirectoryName())
                .members(cluster.membersString())
                .maxInflight(64)
                .listener(new io.raftline.engine.client.ResponseListener()
                {
                    public void onResponse(final long correlationId, final int outcome, final long logIndex,
                        final org.agrona.DirectBuffer buffer, final int offset, final int length)
                    {
                        answered[0]++;
                    }

                    public void onMessage(final long clientSessionId, final long logIndex, final long timestamp,
                        final org.agrona.DirectBuffer buffer, final int offset, final int length)
                    {
                        messages[0]++;
                    }
                })))
            {
                final UnsafeBuffer command = new UnsafeBuffer(new byte[32]);
                command.putLong(0, TimerLoadService.SCHEDULE_LIVE);
                run(client, command, answered, 1);
                Await.until("10,000 live timers on every member", 10_000, () -> services[0].liveTimers() == 10_000 &&
                    services[1].liveTimers() == 10_000 && services[2].liveTimers() == 10_000);
                command.putLong(0, TimerLoadService.SCHEDULE_SOON);
                run(client, command, answered, 600_000);

                final long threadId = cluster.agentThread().getId();
                final String stateBefore = describe(cluster);
                final long firedBefore = services[cluster.leaderId()].fired();
                final long before = threads.getThreadAllocatedBytes(threadId);
                run(client, command, answered, 100_000);
                final long after = threads.getThreadAllocatedBytes(threadId);

                assertTrue(services[cluster.leaderId()].fired() - firedBefore > 90_000,
                    "timers fired during the window: " + (services[cluster.leaderId()].fired() - firedBefore));
                assertEquals(10_000, services[cluster.leaderId()].longLivedTimers(),
                    "the 10,000 long-lived timers are still scheduled");
                assertTrue(messages[0] > 0, "the client received the firings as messages");
                assertEquals(0, after - before, "bytes allocated by the agent thread for 100,000 commands with " +
                    "10,000 live timers; before: " + stateBefore + ", after: " + describe(cluster));
            }
        }
    }

    private static String describe(final LocalCluster cluster)
    {
        final StringBuilder builder = new StringBuilder();
        for (final RaftMember member : cluster.members())
        {
            builder.append(member.context().memberId()).append(':').append(member.role())
                .append(" term=").append(member.term())
                .append(" pauses=").append(member.raftAgent().pausesDiscounted()).append("; ");
        }
        return builder.toString();
    }

    /**
     * Reads: after a warm-up, 100,000 queries (ReadIndex, lease and follower reads in turn, lease reads on) leave
     * the agent thread with 0 bytes allocated, as commands do.
     */
    @Test
    void agentThreadAllocatesNothingForReadsInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        final CounterService[] services = {new CounterService(), new CounterService(), new CounterService()};
        final long[] answered = new long[1];
        final long[] notOk = new long[1];
        final MemberContext template = LocalClusterIpcTest.template()
            .sessionTimeoutNs(600_000_000_000L)
            .snapshotInterval(0, 0);
        template.raft().leaseReads(true);
        try (LocalCluster cluster = LocalCluster.start(3, template, (id) -> services[id]))
        {
            Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
            try (RaftClient client = RaftClient.connect(new ClientContext()
                .aeronDirectoryName(cluster.aeronDirectoryName())
                .members(cluster.membersString())
                .maxInflight(64)
                .listener((correlationId, outcome, logIndex, buffer, offset, length) ->
                {
                    answered[0]++;
                    notOk[0] += ResponseListener.OK == outcome ? 0 : 1;
                })))
            {
                final UnsafeBuffer query = new UnsafeBuffer(new byte[8]);
                runQueries(client, query, answered, 600_000);

                final long threadId = cluster.agentThread().getId();
                final String stateBefore = describe(cluster);
                final long before = threads.getThreadAllocatedBytes(threadId);
                runQueries(client, query, answered, 100_000);
                final long after = threads.getThreadAllocatedBytes(threadId);

                assertEquals(0, after - before, "bytes allocated by the agent thread for 100,000 queries; " +
                    "before: " + stateBefore + ", after: " + describe(cluster));
                assertEquals(0, notOk[0], "every query answered OK");
            }
        }
    }

    private static void runQueries(final RaftClient client, final UnsafeBuffer query, final long[] answered,
        final int queries)
    {
        final ReadConsistency[] levels = ReadConsistency.values();
        final long target = answered[0] + queries;
        long sent = 0;
        while (answered[0] < target)
        {
            if (sent < queries && client.query(levels[(int)(sent % levels.length)], query, 0, 8) > 0)
            {
                sent++;
            }
            client.poll();
        }
    }

    private static void run(final RaftClient client, final UnsafeBuffer command, final long[] answered,
        final int commands)
    {
        final long target = answered[0] + commands;
        long sent = 0;
        while (answered[0] < target)
        {
            if (sent < commands && client.offer(command, 0, command.capacity()) > 0)
            {
                sent++;
            }
            client.poll();
        }
    }
}
