package io.raftline.engine.client;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftline.codecs.ClientQueryResponseDecoder;
import io.raftline.codecs.ClientRedirectDecoder;
import io.raftline.codecs.ClientResponseCode;
import io.raftline.codecs.ClientResponseDecoder;
import io.raftline.codecs.ClusterMembersEventDecoder;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.SessionEventDecoder;
import io.raftline.codecs.SessionMessageDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes the cluster's answers for a {@link RaftClient}; every length is checked against the frame. What the
 * answers mean to the session (which commands they answer, which leader to follow) stays with the client, which
 * this calls back on its own thread.
 */
final class EgressDecoder implements FragmentHandler
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private final RaftClient client;
    private final SessionMessages messages;
    private final UnsafeBuffer payloadView;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ClientResponseDecoder responseDecoder = new ClientResponseDecoder();
    private final ClientRedirectDecoder redirectDecoder = new ClientRedirectDecoder();
    private final SessionEventDecoder eventDecoder = new SessionEventDecoder();
    private final ClusterMembersEvents membersEvents = new ClusterMembersEvents();
    private FragmentHandler extensionHandler;

    /**
     * @param payloadView wrapped around a response's payload before the client is told of it.
     */
    EgressDecoder(final RaftClient client, final ResponseListener listener, final UnsafeBuffer payloadView)
    {
        this.client = client;
        this.messages = new SessionMessages(listener);
        this.payloadView = payloadView;
    }

    void extensionHandler(final FragmentHandler handler)
    {
        this.extensionHandler = handler;
    }

    /**
     * @return the detail of the session event decoded last (why a session was refused).
     */
    String eventDetail()
    {
        return eventDecoder.detail();
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < HEADER_LENGTH)
        {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId() ||
            HEADER_LENGTH + headerDecoder.blockLength() > length)
        {
            return;
        }
        final long sessionId = client.sessionId();
        final int bodyOffset = offset + HEADER_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case ClientResponseDecoder.TEMPLATE_ID:
                onResponse(buffer, offset, length, bodyOffset, blockLength, version, sessionId);
                break;

            case ClientQueryResponseDecoder.TEMPLATE_ID:
                if (blockLength >= ClientQueryResponseDecoder.BLOCK_LENGTH && 0 != sessionId &&
                    buffer.getLong(bodyOffset, MessageHeaderDecoder.BYTE_ORDER) == sessionId)
                {
                    client.onQueryResponse(buffer, bodyOffset, blockLength, version, offset + length);
                }
                break;

            case ClientRedirectDecoder.TEMPLATE_ID:
                redirectDecoder.wrap(buffer, bodyOffset, blockLength, version);
                if (redirectDecoder.clientSessionId() == sessionId && 0 != sessionId &&
                    redirectDecoder.leaderMemberId() >= 0)
                {
                    client.switchLeader(redirectDecoder.leaderMemberId(), redirectDecoder.leadershipTerm());
                }
                break;

            case SessionMessageDecoder.TEMPLATE_ID:
                messages.onFrame(buffer, bodyOffset, blockLength, version, offset + length, sessionId);
                break;

            case SessionEventDecoder.TEMPLATE_ID:
                eventDecoder.wrap(buffer, bodyOffset, blockLength, version);
                client.onSessionEvent(eventDecoder.clientSessionId(), eventDecoder.correlationId(),
                    eventDecoder.leaderMemberId(), eventDecoder.leadershipTerm(), eventDecoder.code());
                break;

            case ClusterMembersEventDecoder.TEMPLATE_ID:
                membersEvents.onEvent(client, sessionId, buffer, bodyOffset, blockLength, version);
                break;

            default:
                if (null != extensionHandler)
                {
                    extensionHandler.onFragment(buffer, offset, length, header);
                }
                break;
        }
    }

    private void onResponse(final DirectBuffer buffer, final int offset, final int length, final int bodyOffset,
        final int blockLength, final int version, final long sessionId)
    {
        responseDecoder.wrap(buffer, bodyOffset, blockLength, version);
        if (responseDecoder.clientSessionId() != sessionId)
        {
            return;
        }
        final int dataOffset = bodyOffset + blockLength;
        if (dataOffset + 4 > offset + length)
        {
            return;
        }
        final int payloadLength = responseDecoder.payloadLength();
        if (dataOffset + 4 + (long)payloadLength > offset + length)
        {
            return;
        }
        final long correlationId = responseDecoder.correlationId();
        final long logIndex = responseDecoder.logIndex();
        final ClientResponseCode code = responseDecoder.code();
        responseDecoder.wrapPayload(payloadView);
        client.onResponse(correlationId, code, logIndex, payloadLength);
    }
}
