package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ReadConsistency;
import io.raftline.engine.client.ResponseListener;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A leader stalled past its lease must not answer from stale state when it runs again (Jepsen's etcd 3.4 locks,
 * Aerospike). Three members over real IPC, each on its own thread, lease reads on and check-quorum off, so that the
 * old leader goes on believing it leads. A client that knows only the leader reads from its lease. Then, while its
 * lease holds, the leader stalls: its agent runs no duty cycle (a stopped process or thread; the clock goes on), and
 * it is cut off from the others (consensus frames dropped both ways). The majority elects a leader and more adds are
 * acknowledged; the client sends the stalled leader a lease read and a ReadIndex read, which wait in its ingress. The
 * leader runs again, with its old counter, a lease that looked valid when it stalled, and a stall its agent discounts
 * for its election and quorum timers: neither read may be answered with the old counter (they cannot be confirmed:
 * no answer at all); once the partition heals the old leader learns of the new term and the client is not answered
 * stale either.
 */
@Timeout(60)
class LeaseAfterPauseTest
{
    private final AtomicBoolean[] stalled = {new AtomicBoolean(), new AtomicBoolean(), new AtomicBoolean()};
    private final RaftMember[] members = new RaftMember[3];
    private final AgentRunner[] runners = new AgentRunner[3];
    private final Partition partition = new Partition();
    private final List<long[]> readerAnswers = new ArrayList<>();
    private MediaDriver driver;
    private Aeron aeron;
    private RaftClient writer;
    private RaftClient reader;
    private long acked;

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(reader, writer);
        CloseHelper.quietCloseAll(runners);
        CloseHelper.quietCloseAll(members);
        CloseHelper.quietCloseAll(aeron, driver);
    }

    @Test
    void aLeaderStalledPastItsLeaseAnswersNoStaleRead()
    {
        driver = RaftMember.launchEmbeddedDriver("raftline-lease-pause-test");
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        for (int i = 0; i < 3; i++)
        {
            final MemberContext ctx = LocalClusterIpcTest.template()
                .memberId(i)
                .members("0,1,2")
                .aeron(aeron)
                .service(new CounterService());
            ctx.raft().leaseReads(true).checkQuorum(false);
            members[i] = RaftMember.create(ctx, FilteredPublisher.factory(partition));
            final Agent agent = members[i].agent();
            final AtomicBoolean isStalled = stalled[i];
            runners[i] = new AgentRunner(members[i].context().idleStrategy(), Throwable::printStackTrace, null,
                new Agent()
                {
                    public int doWork() throws Exception
                    {
                        return isStalled.get() ? 0 : agent.doWork();
                    }

                    public void onClose()
                    {
                        agent.onClose();
                    }

                    public String roleName()
                    {
                        return agent.roleName();
                    }
                });
            AgentRunner.startOnThread(runners[i]);
        }
        Await.until("a leader", 10_000, () -> leaderId() >= 0);
        writer = RaftClient.connect(context("0,1,2").listener((correlationId, outcome, logIndex, buffer, offset,
            length) ->
        {
            if (ResponseListener.OK == outcome)
            {
                acked++;
            }
        }));
        add(20);
        final int oldLeader = leaderId();
        // Pinned: a client that followed the members the cluster names would be answered by the new leader.
        reader = RaftClient.connect(context(Integer.toString(oldLeader)).followMembers(false).listener(
            (correlationId, outcome, logIndex, buffer, offset, length) ->
                readerAnswers.add(new long[]{correlationId, outcome, 8 == length ? buffer.getLong(offset) : -1})));
        assertEquals(20, awaitAnswer(query(ReadConsistency.LEASE))[2], "the lease serves reads");

        final long oldTerm = members[oldLeader].term();
        // Within the lease of the read just answered: the stall starts while the lease looks valid.
        stalled[oldLeader].set(true);
        partition.cut(oldLeader);
        add(20);
        final int newLeader = leaderId();
        assertNotEquals(oldLeader, newLeader, "the majority elected another leader");

        readerAnswers.clear();
        final long lease = query(ReadConsistency.LEASE);
        final long readIndex = query(ReadConsistency.LINEARIZABLE);
        final long pausesBefore = members[oldLeader].raftAgent().pausesDiscounted();
        stalled[oldLeader].set(false);
        Await.until("the old leader ran again and discounted its stall", 10_000,
            () -> members[oldLeader].raftAgent().pausesDiscounted() > pausesBefore);
        assertEquals(RaftRole.LEADER, members[oldLeader].role(), "the old leader still believes it leads");
        final long untilNs = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < untilNs)
        {
            reader.poll();
            writer.poll();
        }
        assertTrue(readerAnswers.isEmpty(), () -> "no answer from the cut-off leader, but: " + describe(readerAnswers));

        partition.heal();
        final long[] leaseAnswer = awaitAnswer(lease);
        final long[] readIndexAnswer = awaitAnswer(readIndex);
        for (final long[] answer : List.of(leaseAnswer, readIndexAnswer))
        {
            assertTrue(ResponseListener.OK != answer[1] || answer[2] >= 40,
                "a stale read: " + answer[2] + " after 40 acknowledged adds");
        }
        assertTrue(members[oldLeader].term() > oldTerm, "the old leader learned of the new term");
    }

    private static String describe(final List<long[]> answers)
    {
        final StringBuilder builder = new StringBuilder();
        for (final long[] answer : answers)
        {
            builder.append("[query ").append(answer[0]).append(" outcome ").append(answer[1]).append(" value ")
                .append(answer[2]).append("] ");
        }
        return builder.toString();
    }

    private ClientContext context(final String members)
    {
        return new ClientContext()
            .aeron(aeron)
            .members(members)
            .maxInflight(16)
            .leaderTimeoutNs(300_000_000L)
            .commandTimeoutNs(5_000_000_000L);
    }

    private int leaderId()
    {
        int leader = -1;
        long term = -1;
        for (final RaftMember member : members)
        {
            if (null != member && RaftRole.LEADER == member.role() && member.term() > term)
            {
                leader = member.context().memberId();
                term = member.term();
            }
        }
        return leader;
    }

    private void add(final int adds)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, 1);
        final long target = acked + adds;
        int sent = 0;
        final long deadlineNs = System.nanoTime() + 20_000_000_000L;
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

    private long query(final ReadConsistency level)
    {
        final UnsafeBuffer get = new UnsafeBuffer(new byte[1]);
        long id;
        while ((id = reader.query(level, get, 0, 1)) < 0)
        {
            reader.poll();
        }
        return id;
    }

    private long[] awaitAnswer(final long id)
    {
        final long deadlineNs = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadlineNs)
        {
            reader.poll();
            for (final long[] answer : readerAnswers)
            {
                if (answer[0] == id)
                {
                    return answer;
                }
            }
        }
        throw new AssertionError("no answer to query " + id);
    }
}
