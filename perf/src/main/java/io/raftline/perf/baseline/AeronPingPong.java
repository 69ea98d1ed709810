package io.raftline.perf.baseline;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The physical floor: raw Aeron round trips with nothing on top, over one embedded media driver (SHARED threading,
 * its directory in {@code /dev/shm}, deleted on start and on close).
 * <p>
 * A ping sends a message (sequence number, send time, padding) on one stream; a pong echoes it on another; the ping
 * records the round trip in nanoseconds with one message outstanding. Idle strategies follow what works on a
 * 2-core host: over IPC the driver is off the data path, so the application threads spin and the driver backs off;
 * over UDP the driver carries every message, so all threads yield (more spinning threads than cores never
 * completes).
 * <p>
 * {@link Threading#PONG_THREAD} echoes on a thread of its own, like a real peer; {@link Threading#SINGLE_THREAD}
 * drives ping and pong from the caller's thread, which removes a thread hand-off from the round trip. See
 * {@link #DEFAULT_THREADING} for which the baseline reports and why.
 */
public final class AeronPingPong
{
    /**
     * The transport between ping and pong.
     */
    public enum Medium
    {
        /**
         * Shared-memory log buffers: the media driver is off the data path.
         */
        IPC,

        /**
         * Unicast UDP on 127.0.0.1: the media driver's sender and receiver carry every message.
         */
        UDP
    }

    /**
     * Who drives the pong.
     */
    public enum Threading
    {
        /**
         * The pong echoes on its own thread (three threads with the driver's on two cores).
         */
        PONG_THREAD,

        /**
         * The caller's thread drives both ping and pong: no hand-off between application threads.
         */
        SINGLE_THREAD
    }

    /**
     * What {@link #roundTrips(Medium, int, long, long)} measures: the pong on its own thread. On the 2-core host one
     * thread driving both is faster (over UDP one thread fewer competes with the driver's; over IPC the messages
     * never leave the core's cache), but it is no longer a round trip between two parties: it drops the hand-off
     * between threads that every Raftline client command pays. {@link BaselineMain} prints both.
     */
    public static final Threading DEFAULT_THREADING = Threading.PONG_THREAD;

    /**
     * Stream of the pings.
     */
    public static final int PING_STREAM_ID = 1001;

    /**
     * Stream of the pongs.
     */
    public static final int PONG_STREAM_ID = 1002;

    /**
     * Smallest message: sequence number and send time.
     */
    public static final int MIN_MESSAGE_LENGTH = 16;

    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private AeronPingPong()
    {
    }

    /**
     * Round trips with the {@link #DEFAULT_THREADING}.
     *
     * @param medium         IPC or UDP on 127.0.0.1.
     * @param messageLength  of each message in bytes (at least {@link #MIN_MESSAGE_LENGTH}).
     * @param warmupMessages round trips before measuring.
     * @param durationNs     of the measured phase.
     * @return round-trip times in nanoseconds and their count.
     */
    public static BaselineResult roundTrips(
        final Medium medium, final int messageLength, final long warmupMessages, final long durationNs)
    {
        return roundTrips(medium, DEFAULT_THREADING, messageLength, warmupMessages, durationNs);
    }

    /**
     * Round trips, one message outstanding.
     *
     * @param medium         IPC or UDP on 127.0.0.1.
     * @param threading      who drives the pong.
     * @param messageLength  of each message in bytes (at least {@link #MIN_MESSAGE_LENGTH}).
     * @param warmupMessages round trips before measuring.
     * @param durationNs     of the measured phase.
     * @return round-trip times in nanoseconds and their count.
     */
    public static BaselineResult roundTrips(
        final Medium medium,
        final Threading threading,
        final int messageLength,
        final long warmupMessages,
        final long durationNs)
    {
        return withPingPong(medium, messageLength, Threading.PONG_THREAD == threading,
            (pingPublication, pongSubscription, pong) ->
            {
                final Ping ping = new Ping(pingPublication, pongSubscription, messageLength, applicationIdle(medium),
                    Threading.SINGLE_THREAD == threading ? pong : null);
                ping.run(warmupMessages, Long.MAX_VALUE);
                return ping.run(Long.MAX_VALUE, durationNs);
            });
    }

    /**
     * The floor of an open loop: messages sent at a fixed rate and echoed by a pong on its own thread, each timed
     * from when it was due, as Raftline's {@code LoadGenerator.openLoop} times its commands. Every message due by
     * the time the ping's loop comes round goes then (a thread that was not running sends what fell due meanwhile),
     * and every scheduled one goes, even past the phase's end, so that a stall counts for every message it delays.
     * Over IPC that is the two spinning threads of Raftline's IPC headline (client and members' thread) with nothing
     * but Aeron between them: what any Aeron application with that layout sees from the host at that rate.
     *
     * @param medium        IPC or UDP on 127.0.0.1.
     * @param ratePerSecond of messages.
     * @param messageLength of each message in bytes (at least {@link #MIN_MESSAGE_LENGTH}).
     * @param warmupNs      of an open loop at the same rate before the measured one (0 for none).
     * @param durationNs    of the measured phase.
     * @return latencies from each message's due time, answers and failures.
     */
    public static BaselineResult openLoop(
        final Medium medium,
        final double ratePerSecond,
        final int messageLength,
        final long warmupNs,
        final long durationNs)
    {
        if (!(ratePerSecond > 0))
        {
            throw new IllegalArgumentException("ratePerSecond=" + ratePerSecond + " must be positive");
        }
        return withPingPong(medium, messageLength, true, (pingPublication, pongSubscription, pong) ->
        {
            final OpenLoopPing ping = new OpenLoopPing(
                pingPublication, pongSubscription, messageLength, applicationIdle(medium));
            if (warmupNs > 0)
            {
                ping.run(ratePerSecond, warmupNs);
            }
            return ping.run(ratePerSecond, durationNs);
        });
    }

    /**
     * What runs on a connected ping-pong pair.
     */
    @FunctionalInterface
    private interface PingPongRun
    {
        BaselineResult run(ExclusivePublication pingPublication, Subscription pongSubscription, Pong pong);
    }

    /**
     * One embedded driver, the ping and pong streams connected, and the pong on its own thread if asked; closed
     * (and the driver's directory deleted) when {@code run} returns or throws.
     */
    private static BaselineResult withPingPong(
        final Medium medium, final int messageLength, final boolean pongOnItsThread, final PingPongRun run)
    {
        if (messageLength < MIN_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("messageLength=" + messageLength + " < " + MIN_MESSAGE_LENGTH);
        }

        try (ScratchDirectory shm = ScratchDirectory.inSharedMemory("raftline-pingpong");
            MediaDriver driver = launchDriver(shm, medium);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            Subscription pingSubscription = aeron.addSubscription(channel(medium), PING_STREAM_ID);
            Subscription pongSubscription = aeron.addSubscription(channel(medium), PONG_STREAM_ID);
            ExclusivePublication pingPublication = aeron.addExclusivePublication(
                resolvedChannel(pingSubscription), PING_STREAM_ID);
            ExclusivePublication pongPublication = aeron.addExclusivePublication(
                resolvedChannel(pongSubscription), PONG_STREAM_ID))
        {
            awaitConnected(() -> pingPublication.isConnected() && pongPublication.isConnected() &&
                pingSubscription.isConnected() && pongSubscription.isConnected());
            final Pong pong = new Pong(pingSubscription, pongPublication, applicationIdle(medium));
            final AgentRunner pongRunner = pongOnItsThread ?
                new AgentRunner(applicationIdle(medium), Throwable::printStackTrace, null, pong) : null;
            try
            {
                if (null != pongRunner)
                {
                    AgentRunner.startOnThread(pongRunner);
                }
                return run.run(pingPublication, pongSubscription, pong);
            }
            finally
            {
                CloseHelper.close(pongRunner);
            }
        }
    }

    static MediaDriver launchDriver(final ScratchDirectory shm, final Medium medium)
    {
        final IdleStrategy driverIdle = Medium.IPC == medium ?
            new BackoffIdleStrategy() : new YieldingIdleStrategy();
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(shm.path("driver"))
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(driverIdle)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true));
    }

    static IdleStrategy applicationIdle(final Medium medium)
    {
        return Medium.IPC == medium ? new BusySpinIdleStrategy() : new YieldingIdleStrategy();
    }

    static String channel(final Medium medium)
    {
        // Port 0: the subscription binds an ephemeral port, so runs in parallel with other builds never collide.
        return Medium.IPC == medium ? "aeron:ipc" : "aeron:udp?endpoint=127.0.0.1:0";
    }

    static String resolvedChannel(final Subscription subscription)
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        String channel;
        while (null == (channel = subscription.tryResolveChannelEndpointPort()))
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("no endpoint bound for " + subscription.channel());
            }
            Thread.yield();
        }
        return channel;
    }

    static void awaitConnected(final BooleanSupplier isConnected)
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!isConnected.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("publications and subscriptions did not connect within 10 s");
            }
            Thread.yield();
        }
    }

    /**
     * Echoes every ping on the pong stream.
     */
    static final class Pong implements Agent, FragmentHandler
    {
        private final Subscription pingSubscription;
        private final Publication pongPublication;
        private final IdleStrategy offerIdle;

        Pong(final Subscription pingSubscription, final Publication pongPublication, final IdleStrategy offerIdle)
        {
            this.pingSubscription = pingSubscription;
            this.pongPublication = pongPublication;
            this.offerIdle = offerIdle;
        }

        public int doWork()
        {
            return pingSubscription.poll(this, 16);
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            offerIdle.reset();
            long result;
            while ((result = pongPublication.offer(buffer, offset, length)) < 0)
            {
                if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                {
                    throw new IllegalStateException("pong publication unusable: " + Publication.errorString(result));
                }
                offerIdle.idle();
            }
        }

        public String roleName()
        {
            return "pong";
        }
    }

    /**
     * Sends pings one at a time and records each round trip; when given the pong, drives it too.
     */
    static final class Ping implements FragmentHandler
    {
        private final ExclusivePublication pingPublication;
        private final Subscription pongSubscription;
        private final int messageLength;
        private final IdleStrategy idle;
        private final Pong inlinePong;
        private final UnsafeBuffer message;
        private Histogram histogram;
        private long sequence;
        private long answered;
        private long failed;

        Ping(
            final ExclusivePublication pingPublication,
            final Subscription pongSubscription,
            final int messageLength,
            final IdleStrategy idle,
            final Pong inlinePong)
        {
            this.pingPublication = pingPublication;
            this.pongSubscription = pongSubscription;
            this.messageLength = messageLength;
            this.idle = idle;
            this.inlinePong = inlinePong;
            this.message = new UnsafeBuffer(ByteBuffer.allocateDirect(messageLength));
        }

        /**
         * @param maxMessages round trips to make at most.
         * @param durationNs  time to run at most.
         * @return what this run measured.
         */
        BaselineResult run(final long maxMessages, final long durationNs)
        {
            histogram = Latencies.newHistogram();
            answered = 0;
            failed = 0;
            final long startNs = System.nanoTime();
            final long endNs = durationNs == Long.MAX_VALUE ? Long.MAX_VALUE : startNs + durationNs;
            for (long i = 0; i < maxMessages && System.nanoTime() < endNs; i++)
            {
                roundTrip();
            }
            return new BaselineResult(histogram, answered, failed, (System.nanoTime() - startNs) / 1e9);
        }

        private void roundTrip()
        {
            final long expected = answered + failed + 1;
            message.putLong(0, ++sequence);
            message.putLong(8, System.nanoTime());
            idle.reset();
            long result;
            while ((result = pingPublication.offer(message, 0, messageLength)) < 0)
            {
                if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                {
                    throw new IllegalStateException("ping publication unusable: " + Publication.errorString(result));
                }
                idle.idle(null == inlinePong ? 0 : inlinePong.doWork());
            }

            idle.reset();
            int idleCycles = 0;
            while (answered + failed < expected)
            {
                int work = pongSubscription.poll(this, 1);
                if (null != inlinePong)
                {
                    work += inlinePong.doWork();
                }
                if (0 == work && 0 == (++idleCycles & 0xFFFF))
                {
                    checkTimeout(message.getLong(8));
                }
                idle.idle(work);
            }
        }

        private void checkTimeout(final long sentNs)
        {
            if (System.nanoTime() - sentNs > CONNECT_TIMEOUT_NS)
            {
                throw new IllegalStateException("no pong for ping " + sequence + " within 10 s");
            }
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            final long nowNs = System.nanoTime();
            if (length == messageLength && buffer.getLong(offset) == sequence)
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

    /**
     * Sends pings on a schedule, each carrying its due time, and records from the due time to the pong.
     */
    static final class OpenLoopPing implements FragmentHandler
    {
        private static final int FRAGMENT_LIMIT = 64;

        private final ExclusivePublication pingPublication;
        private final Subscription pongSubscription;
        private final int messageLength;
        private final IdleStrategy idle;
        private final UnsafeBuffer message;
        private Histogram histogram;
        private long firstSequence;
        private long sequence;
        private long answered;
        private long failed;

        OpenLoopPing(
            final ExclusivePublication pingPublication,
            final Subscription pongSubscription,
            final int messageLength,
            final IdleStrategy idle)
        {
            this.pingPublication = pingPublication;
            this.pongSubscription = pongSubscription;
            this.messageLength = messageLength;
            this.idle = idle;
            this.message = new UnsafeBuffer(ByteBuffer.allocateDirect(messageLength));
        }

        BaselineResult run(final double ratePerSecond, final long durationNs)
        {
            histogram = Latencies.newHistogram();
            answered = 0;
            failed = 0;
            firstSequence = sequence + 1;
            final double intervalNs = 1e9 / ratePerSecond;
            final long scheduled = (long)Math.ceil(durationNs / intervalNs);
            final long startNs = System.nanoTime();
            final long giveUpNs = startNs + durationNs + CONNECT_TIMEOUT_NS;
            long sent = 0;
            idle.reset();
            while (answered + failed < scheduled)
            {
                final long nowNs = System.nanoTime();
                int work = 0;
                long dueNs;
                while (sent < scheduled && nowNs >= (dueNs = startNs + (long)(sent * intervalNs)))
                {
                    message.putLong(0, sequence + 1);
                    message.putLong(8, dueNs);
                    final long result = pingPublication.offer(message, 0, messageLength);
                    if (result < 0)
                    {
                        if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                        {
                            throw new IllegalStateException(
                                "ping publication unusable: " + Publication.errorString(result));
                        }
                        break;
                    }
                    sequence++;
                    sent++;
                    work++;
                }
                work += pongSubscription.poll(this, FRAGMENT_LIMIT);
                if (0 == work && nowNs > giveUpNs)
                {
                    throw new IllegalStateException("open loop: " + (scheduled - answered - failed) +
                        " of " + scheduled + " pings unanswered 10 s after the phase");
                }
                idle.idle(work);
            }
            return new BaselineResult(histogram, answered, failed, durationNs / 1e9);
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            final long nowNs = System.nanoTime();
            final long echoed = length == messageLength ? buffer.getLong(offset) : -1;
            if (echoed >= firstSequence && echoed <= sequence)
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
