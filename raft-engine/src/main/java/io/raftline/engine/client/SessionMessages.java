package io.raftline.engine.client;

import io.raftline.codecs.SessionMessageDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The client's side of the service's messages ({@code Cluster.offer} / {@code broadcast}): checks each frame's
 * lengths, drops a copy of a message already delivered (a new leader applying an entry the old one had sent from
 * sends it again) by its (log index, sequence), and hands the rest to {@link ResponseListener#onMessage} in log
 * order. Allocates nothing.
 */
final class SessionMessages
{
    private final SessionMessageDecoder decoder = new SessionMessageDecoder();
    private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
    private final ResponseListener listener;
    private long deliveredSessionId;
    private long deliveredLogIndex = -1;
    private int deliveredSequence = -1;
    private long delivered;
    private long duplicates;

    SessionMessages(final ResponseListener listener)
    {
        this.listener = listener;
    }

    /**
     * @return messages handed to the listener.
     */
    long delivered()
    {
        return delivered;
    }

    /**
     * @return copies dropped because the message had been delivered already.
     */
    long duplicates()
    {
        return duplicates;
    }

    void onFrame(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int end,
        final long sessionId)
    {
        if (bodyOffset + blockLength + SessionMessageDecoder.payloadHeaderLength() > end)
        {
            return;
        }
        decoder.wrap(buffer, bodyOffset, blockLength, version);
        final long clientSessionId = decoder.clientSessionId();
        if (0 == sessionId || clientSessionId != sessionId)
        {
            return;
        }
        final int payloadLength = decoder.payloadLength();
        if (bodyOffset + blockLength + SessionMessageDecoder.payloadHeaderLength() + (long)payloadLength > end)
        {
            return;
        }
        final long logIndex = decoder.logIndex();
        final int sequence = decoder.sequence();
        final long timestamp = decoder.timestamp();
        if (clientSessionId == deliveredSessionId &&
            (logIndex < deliveredLogIndex || (logIndex == deliveredLogIndex && sequence <= deliveredSequence)))
        {
            duplicates++;
            return;
        }
        deliveredSessionId = clientSessionId;
        deliveredLogIndex = logIndex;
        deliveredSequence = sequence;
        delivered++;
        decoder.wrapPayload(payload);
        listener.onMessage(clientSessionId, logIndex, timestamp, payload, 0, payloadLength);
    }
}
