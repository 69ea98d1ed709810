package io.raftline.perf.baseline;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;
import io.raftline.perf.baseline.AeronPingPong.Medium;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The throughput floor: one publisher thread offering messages as fast as the stream takes them, the caller's
 * thread consuming them, over the same driver set-up as {@link AeronPingPong}. Reports messages per second; the
 * histogram stays empty (a one-way stream has no round trip to time).
 */
public final class AeronStream
{
    /**
     * Stream of the messages.
     */
    public static final int STREAM_ID = 1003;

    private static final int FRAGMENT_LIMIT = 256;

    private AeronStream()
    {
    }

    /**
     * Messages per second, one way.
     *
     * @param medium        IPC or UDP on 127.0.0.1.
     * @param messageLength of each message in bytes.
     * @param warmupNs      of streaming before counting.
     * @param durationNs    of the counted phase.
     * @return messages received in the counted phase and its duration.
     */
    public static BaselineResult oneWay(
        final Medium medium, final int messageLength, final long warmupNs, final long durationNs)
    {
        if (messageLength < 1)
        {
            throw new IllegalArgumentException("messageLength=" + messageLength);
        }

        try (ScratchDirectory shm = ScratchDirectory.inSharedMemory("raftline-stream");
            MediaDriver driver = AeronPingPong.launchDriver(shm, medium);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            Subscription subscription = aeron.addSubscription(AeronPingPong.channel(medium), STREAM_ID);
            ExclusivePublication publication = aeron.addExclusivePublication(
                AeronPingPong.resolvedChannel(subscription), STREAM_ID))
        {
            AeronPingPong.awaitConnected(() -> publication.isConnected() && subscription.isConnected());
            final IdleStrategy idle = AeronPingPong.applicationIdle(medium);
            final long[] received = new long[1];
            final FragmentHandler counter = (buffer, offset, length, header) -> received[0]++;
            final AgentRunner publisher = new AgentRunner(AeronPingPong.applicationIdle(medium),
                Throwable::printStackTrace, null, new Publisher(publication, messageLength));
            try
            {
                AgentRunner.startOnThread(publisher);
                final long warmupEndNs = System.nanoTime() + warmupNs;
                while (System.nanoTime() < warmupEndNs)
                {
                    idle.idle(subscription.poll(counter, FRAGMENT_LIMIT));
                }
                received[0] = 0;
                final long startNs = System.nanoTime();
                final long endNs = startNs + durationNs;
                while (System.nanoTime() < endNs)
                {
                    idle.idle(subscription.poll(counter, FRAGMENT_LIMIT));
                }
                final double seconds = (System.nanoTime() - startNs) / 1e9;
                return new BaselineResult(Latencies.newHistogram(), received[0], 0, seconds);
            }
            finally
            {
                CloseHelper.close(publisher);
            }
        }
    }

    /**
     * Offers until the stream pushes back.
     */
    static final class Publisher implements Agent
    {
        private static final int BURST = 64;

        private final ExclusivePublication publication;
        private final int messageLength;
        private final UnsafeBuffer message;

        Publisher(final ExclusivePublication publication, final int messageLength)
        {
            this.publication = publication;
            this.messageLength = messageLength;
            this.message = new UnsafeBuffer(ByteBuffer.allocateDirect(messageLength));
        }

        public int doWork()
        {
            int sent = 0;
            while (sent < BURST)
            {
                final long result = publication.offer(message, 0, messageLength);
                if (result < 0)
                {
                    if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                    {
                        throw new IllegalStateException("publication unusable: " + Publication.errorString(result));
                    }
                    break;
                }
                sent++;
            }
            return sent;
        }

        public String roleName()
        {
            return "stream-publisher";
        }
    }
}
