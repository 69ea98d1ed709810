package io.raftline.perf.baseline;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftline.engine.agent.EmbeddedAeron;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The floor of a replicated commit over UDP: the parties and the hops of Raftline's UDP rows with nothing but Aeron
 * between them. A client sends a message to a leader; the leader forwards it to each follower; each follower echoes
 * it back; at the first echo (with the leader itself, a majority of three) the leader answers the client. That is
 * the two network round trips a commit needs (client, leader, follower, leader, client) and the leader's fan-out,
 * with no log, no encoding and no state machine.
 * <p>
 * The layout is the one-JVM UDP row's ({@code UdpOneJvmCluster}): every party has its own embedded media driver in
 * invoker mode ({@link EmbeddedAeron#invoker}) run on the party's own thread, which yields when a cycle found
 * nothing; the client's driver runs on the caller's thread. What this measures beside the ping-pong floor (two
 * parties) is what two more parties and two more hops cost on this host: the floor Raftline's UDP round trip is to be
 * held against.
 * <p>
 * Its {@link #throughput} is no floor for Raftline's: it forwards and answers each message on its own, where a
 * Raftline leader batches what one poll brought into one AppendEntries and a follower answers a batch with one
 * message. It is the rate of the layout when its parties do nothing but forward.
 */
public final class AeronRelay implements AutoCloseable
{
    /**
     * Client to leader.
     */
    public static final int REQUEST_STREAM_ID = 1101;

    /**
     * Leader to each follower.
     */
    public static final int APPEND_STREAM_ID = 1102;

    /**
     * Each follower to the leader.
     */
    public static final int ACK_STREAM_ID = 1103;

    /**
     * Leader to client.
     */
    public static final int ANSWER_STREAM_ID = 1104;

    /**
     * Smallest message: sequence number and due or send time.
     */
    public static final int MIN_MESSAGE_LENGTH = 16;

    /**
     * Most messages outstanding in {@link #throughput}: a bound on a caller's mistake, not a limit of the relay (each
     * answer carries its own send time, and no party waits on another).
     */
    public static final int MAX_WINDOW = 1 << 16;

    private static final String CHANNEL = "aeron:udp?endpoint=127.0.0.1:0";
    private static final int FRAGMENT_LIMIT = 64;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final EmbeddedAeron clientAeron;
    private final EmbeddedAeron leaderAeron;
    private final EmbeddedAeron[] followerAerons;
    private final AgentRunner[] runners;
    private final Client client;

    private AeronRelay(final int followerCount)
    {
        followerAerons = new EmbeddedAeron[followerCount];
        runners = new AgentRunner[1 + followerCount];
        EmbeddedAeron clientAeron = null;
        EmbeddedAeron leaderAeron = null;
        try
        {
            clientAeron = EmbeddedAeron.invoker("raftline-relay-client");
            leaderAeron = EmbeddedAeron.invoker("raftline-relay-leader");
            for (int i = 0; i < followerCount; i++)
            {
                followerAerons[i] = EmbeddedAeron.invoker("raftline-relay-follower");
            }
            final Subscription requests = leaderAeron.aeron().addSubscription(CHANNEL, REQUEST_STREAM_ID);
            final Subscription acks = leaderAeron.aeron().addSubscription(CHANNEL, ACK_STREAM_ID);
            final Subscription answers = clientAeron.aeron().addSubscription(CHANNEL, ANSWER_STREAM_ID);
            final ExclusivePublication toLeader = clientAeron.aeron().addExclusivePublication(
                resolved(leaderAeron, requests), REQUEST_STREAM_ID);
            final ExclusivePublication toClient = leaderAeron.aeron().addExclusivePublication(
                resolved(clientAeron, answers), ANSWER_STREAM_ID);
            final ExclusivePublication[] toFollowers = new ExclusivePublication[followerCount];
            final Follower[] followers = new Follower[followerCount];
            for (int i = 0; i < followerCount; i++)
            {
                final EmbeddedAeron aeron = followerAerons[i];
                final Subscription appends = aeron.aeron().addSubscription(CHANNEL, APPEND_STREAM_ID);
                toFollowers[i] = leaderAeron.aeron().addExclusivePublication(resolved(aeron, appends),
                    APPEND_STREAM_ID);
                followers[i] = new Follower(aeron, appends,
                    aeron.aeron().addExclusivePublication(resolved(leaderAeron, acks), ACK_STREAM_ID));
            }
            final Leader leader = new Leader(leaderAeron, requests, acks, toFollowers, toClient);
            runners[0] = new AgentRunner(new YieldingIdleStrategy(), Throwable::printStackTrace, null, leader);
            for (int i = 0; i < followerCount; i++)
            {
                runners[1 + i] = new AgentRunner(new YieldingIdleStrategy(), Throwable::printStackTrace, null,
                    followers[i]);
            }
            for (final AgentRunner runner : runners)
            {
                AgentRunner.startOnThread(runner);
            }
            client = new Client(clientAeron, toLeader, answers);
            client.awaitConnected();
        }
        catch (final RuntimeException ex)
        {
            this.clientAeron = clientAeron;
            this.leaderAeron = leaderAeron;
            close();
            throw ex;
        }
        this.clientAeron = clientAeron;
        this.leaderAeron = leaderAeron;
    }

    /**
     * Start a leader with {@code followerCount} followers and a client, and wait until every stream is connected.
     *
     * @param followerCount followers (2 for a cluster of three).
     * @return the running relay; close it.
     */
    public static AeronRelay launch(final int followerCount)
    {
        if (followerCount < 1)
        {
            throw new IllegalArgumentException("followerCount=" + followerCount + " < 1");
        }
        return new AeronRelay(followerCount);
    }

    /**
     * Commits one at a time: each timed from its send to its answer.
     *
     * @param messageLength of each message (at least {@link #MIN_MESSAGE_LENGTH}).
     * @param durationNs    of the run.
     * @return round trips in nanoseconds.
     */
    public BaselineResult closedLoop(final int messageLength, final long durationNs)
    {
        return client.run(messageLength, 1, durationNs, Long.MAX_VALUE);
    }

    /**
     * As many messages as {@code window} outstanding allows, each forwarded, echoed and answered on its own: the rate
     * of this layout when its parties do nothing but forward (no floor for Raftline's batched replication).
     *
     * @param window        messages outstanding, at most {@link #MAX_WINDOW}.
     * @param messageLength of each message (at least {@link #MIN_MESSAGE_LENGTH}).
     * @param durationNs    of the run.
     * @return latencies from each send, and the rate.
     */
    public BaselineResult throughput(final int window, final int messageLength, final long durationNs)
    {
        if (window < 1 || window > MAX_WINDOW)
        {
            throw new IllegalArgumentException("window=" + window + " outside [1, " + MAX_WINDOW + "]");
        }
        return client.run(messageLength, window, durationNs, Long.MAX_VALUE);
    }

    /**
     * Stop the parties' threads, then their clients and drivers (which delete their directories).
     */
    public void close()
    {
        CloseHelper.closeAll(runners);
        CloseHelper.closeAll(followerAerons);
        CloseHelper.closeAll(leaderAeron, clientAeron);
    }

    /**
     * The subscription's channel with the port its driver bound; {@code owner} is the subscription's own embedded
     * Aeron, whose driver and conductor this thread runs meanwhile.
     */
    private static String resolved(final EmbeddedAeron owner, final Subscription subscription)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        String channel;
        while (null == (channel = subscription.tryResolveChannelEndpointPort()))
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("no endpoint bound for " + subscription.channel());
            }
            owner.invoke();
            Thread.yield();
        }
        return channel;
    }

    private static boolean offer(final ExclusivePublication publication, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final long result = publication.offer(buffer, offset, length);
        if (result > 0)
        {
            return true;
        }
        if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
        {
            throw new IllegalStateException("relay publication unusable: " + Publication.errorString(result));
        }
        return false;
    }

    /**
     * Forwards each request to every follower; answers the client at the first echo of each. It never waits on a
     * publication: a message it cannot send yet stays in its image (a controlled poll's ABORT) and the duty cycle goes
     * on, so its driver and its other stream keep running and no two parties can wait on each other.
     */
    static final class Leader implements Agent
    {
        private final EmbeddedAeron aeron;
        private final Subscription requests;
        private final Subscription acks;
        private final ExclusivePublication[] toFollowers;
        private final ExclusivePublication toClient;
        private final ControlledFragmentHandler onRequest = this::onRequest;
        private final ControlledFragmentHandler onAck = this::onAck;
        private long answeredSequence;
        private int forwardedMask;

        Leader(final EmbeddedAeron aeron, final Subscription requests, final Subscription acks,
            final ExclusivePublication[] toFollowers, final ExclusivePublication toClient)
        {
            this.aeron = aeron;
            this.requests = requests;
            this.acks = acks;
            this.toFollowers = toFollowers;
            this.toClient = toClient;
        }

        public int doWork()
        {
            return aeron.invoke() + acks.controlledPoll(onAck, FRAGMENT_LIMIT) +
                requests.controlledPoll(onRequest, FRAGMENT_LIMIT);
        }

        private Action onRequest(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            // A request aborted half-way is delivered again: only the followers it did not reach get it then.
            for (int i = 0; i < toFollowers.length; i++)
            {
                if (0 == (forwardedMask & (1 << i)))
                {
                    if (!offer(toFollowers[i], buffer, offset, length))
                    {
                        return Action.ABORT;
                    }
                    forwardedMask |= 1 << i;
                }
            }
            forwardedMask = 0;
            return Action.CONTINUE;
        }

        private Action onAck(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            // Each follower echoes in order, so the first echo of a sequence number is the majority's.
            final long sequence = buffer.getLong(offset);
            if (sequence > answeredSequence)
            {
                if (!offer(toClient, buffer, offset, length))
                {
                    return Action.ABORT;
                }
                answeredSequence = sequence;
            }
            return Action.CONTINUE;
        }

        public String roleName()
        {
            return "relay-leader";
        }
    }

    /**
     * Echoes each forwarded message back to the leader; like the leader, it never waits on its publication.
     */
    static final class Follower implements Agent, ControlledFragmentHandler
    {
        private final EmbeddedAeron aeron;
        private final Subscription appends;
        private final ExclusivePublication toLeader;

        Follower(final EmbeddedAeron aeron, final Subscription appends, final ExclusivePublication toLeader)
        {
            this.aeron = aeron;
            this.appends = appends;
            this.toLeader = toLeader;
        }

        public int doWork()
        {
            return aeron.invoke() + appends.controlledPoll(this, FRAGMENT_LIMIT);
        }

        public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            return offer(toLeader, buffer, offset, length) ? Action.CONTINUE : Action.ABORT;
        }

        public String roleName()
        {
            return "relay-follower";
        }
    }

    /**
     * The load, on the caller's thread with the client's driver.
     */
    static final class Client implements FragmentHandler
    {
        private final EmbeddedAeron aeron;
        private final ExclusivePublication toLeader;
        private final Subscription answers;
        private final IdleStrategy idle = new YieldingIdleStrategy();
        private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        private Histogram histogram;
        private long sent;
        private long answered;
        private long failed;

        Client(final EmbeddedAeron aeron, final ExclusivePublication toLeader, final Subscription answers)
        {
            this.aeron = aeron;
            this.toLeader = toLeader;
            this.answers = answers;
        }

        void awaitConnected()
        {
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (!(toLeader.isConnected() && answers.isConnected()))
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("the relay's client did not connect within 10 s");
                }
                aeron.invoke();
                Thread.yield();
            }
            // The leader's publications to the followers connect on their own time: one message through the
            // whole relay shows that every stream is up.
            run(MIN_MESSAGE_LENGTH, 1, TIMEOUT_NS, 1);
        }

        BaselineResult run(final int messageLength, final int window, final long durationNs, final long maxMessages)
        {
            if (messageLength < MIN_MESSAGE_LENGTH || messageLength > message.capacity())
            {
                throw new IllegalArgumentException("messageLength=" + messageLength + " outside [" +
                    MIN_MESSAGE_LENGTH + ", " + message.capacity() + "]");
            }
            histogram = Latencies.newHistogram();
            answered = 0;
            failed = 0;
            long sentHere = 0;
            final long startNs = System.nanoTime();
            final long endNs = startNs + durationNs;
            long lastProgressNs = startNs;
            idle.reset();
            while (true)
            {
                long nowNs = System.nanoTime();
                final long outstanding = sentHere - answered - failed;
                final boolean sending = nowNs < endNs && sentHere < maxMessages;
                if (!sending && 0 == outstanding)
                {
                    break;
                }
                int work = 0;
                final long sentBefore = sentHere;
                // Fills its window before it polls, as Raftline's load generator does.
                for (long room = window - outstanding; sending && room > 0 && sentHere < maxMessages; room--)
                {
                    message.putLong(0, sent + 1);
                    message.putLong(8, nowNs);
                    if (!offer(toLeader, message, 0, messageLength))
                    {
                        break;
                    }
                    sent++;
                    sentHere++;
                    work++;
                }
                final long doneBefore = answered + failed;
                work += aeron.invoke() + answers.poll(this, FRAGMENT_LIMIT);
                nowNs = System.nanoTime();
                // Progress is an answer (or a send), not work: the driver's own duty cycle always finds some.
                if (answered + failed > doneBefore || sentHere > sentBefore)
                {
                    lastProgressNs = nowNs;
                }
                else if (nowNs - lastProgressNs > TIMEOUT_NS)
                {
                    throw new IllegalStateException("the relay answered nothing for 10 s (" +
                        (sentHere - answered - failed) + " outstanding)");
                }
                idle.idle(work);
            }
            return new BaselineResult(histogram, answered, failed, (System.nanoTime() - startNs) / 1e9);
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            final long nowNs = System.nanoTime();
            if (buffer.getLong(offset) <= sent)
            {
                histogram.recordValue(Math.max(0, nowNs - buffer.getLong(offset + 8)));
                answered++;
            }
            else
            {
                failed++;
            }
        }
    }
}
