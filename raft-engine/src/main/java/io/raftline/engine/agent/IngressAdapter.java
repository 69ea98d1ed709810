package io.raftline.engine.agent;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftline.codecs.ClientQueryDecoder;
import io.raftline.codecs.ClientRequestDecoder;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.SessionCloseDecoder;
import io.raftline.codecs.SessionConnectDecoder;
import io.raftline.codecs.SessionKeepAliveDecoder;
import io.raftline.engine.protocol.FrameRejection;
import io.raftline.engine.protocol.FrameRejectionHandler;
import org.agrona.DirectBuffer;

/**
 * Decodes client frames from the member's ingress subscription and hands them to the {@link SessionIngress}.
 * Every length is checked against the frame before it is read; anything malformed, foreign or too large is counted
 * and dropped, never thrown.
 */
final class IngressAdapter implements FragmentHandler
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SessionConnectDecoder connectDecoder = new SessionConnectDecoder();
    private final ClientRequestDecoder requestDecoder = new ClientRequestDecoder();
    private final ClientQueryDecoder queryDecoder = new ClientQueryDecoder();
    private final SessionKeepAliveDecoder keepAliveDecoder = new SessionKeepAliveDecoder();
    private final SessionCloseDecoder closeDecoder = new SessionCloseDecoder();
    private final SessionIngress sessions;
    private final FrameRejectionHandler rejectionHandler;
    private final int maxCommandLength;
    private final long[] rejectionCounts = new long[FrameRejection.count()];
    private long nowNs;
    private Throwable failure;

    IngressAdapter(final SessionIngress sessions, final FrameRejectionHandler rejectionHandler,
        final int maxCommandLength)
    {
        this.sessions = sessions;
        this.rejectionHandler = rejectionHandler;
        this.maxCommandLength = maxCommandLength;
    }

    void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    long rejectionCount(final FrameRejection reason)
    {
        return rejectionCounts[reason.ordinal()];
    }

    /**
     * Aeron only reports what a handler throws; the agent must stop instead, so the first failure is kept, later
     * frames are ignored, and the agent rethrows it after the poll.
     */
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (null != failure)
        {
            return;
        }
        try
        {
            onFrame(buffer, offset, length);
        }
        catch (final Throwable t)
        {
            failure = t;
        }
    }

    void rethrowFailure()
    {
        if (null != failure)
        {
            org.agrona.LangUtil.rethrowUnchecked(failure);
        }
    }

    boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return reject(FrameRejection.TOO_SHORT, -1, length);
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId())
        {
            return reject(FrameRejection.WRONG_SCHEMA, templateId, length);
        }
        final int version = headerDecoder.version();
        if (version < 1)
        {
            return reject(FrameRejection.WRONG_VERSION, templateId, length);
        }
        final int blockLength = headerDecoder.blockLength();
        final int bodyOffset = offset + HEADER_LENGTH;
        final int end = offset + length;
        switch (templateId)
        {
            case ClientRequestDecoder.TEMPLATE_ID:
            {
                if (!hasBlock(ClientRequestDecoder.BLOCK_LENGTH, blockLength, length, templateId) ||
                    !fitsVarData(buffer, bodyOffset + blockLength, end, templateId, length))
                {
                    return false;
                }
                requestDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final int payloadLength = requestDecoder.payloadLength();
                if (payloadLength > maxCommandLength)
                {
                    return reject(FrameRejection.MALFORMED, templateId, length);
                }
                final int frameLength = HEADER_LENGTH + blockLength + ClientRequestDecoder.payloadHeaderLength() +
                    payloadLength;
                sessions.onClientRequest(buffer, offset, frameLength, requestDecoder.clientSessionId(),
                    requestDecoder.correlationId(), nowNs);
                return true;
            }

            case ClientQueryDecoder.TEMPLATE_ID:
                return onQuery(buffer, bodyOffset, blockLength, version, end, length);

            case SessionConnectDecoder.TEMPLATE_ID:
            {
                if (!hasBlock(SessionConnectDecoder.BLOCK_LENGTH, blockLength, length, templateId))
                {
                    return false;
                }
                final int channelOffset = bodyOffset + blockLength;
                if (!fitsVarData(buffer, channelOffset, end, templateId, length))
                {
                    return false;
                }
                final int credentialsOffset = channelOffset + 4 + buffer.getInt(channelOffset,
                    SessionConnectDecoder.BYTE_ORDER);
                if (!fitsVarData(buffer, credentialsOffset, end, templateId, length))
                {
                    return false;
                }
                connectDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final long correlationId = connectDecoder.correlationId();
                final long clientSessionId = connectDecoder.clientSessionId();
                final int responseStreamId = connectDecoder.responseStreamId();
                final String responseChannel = connectDecoder.responseChannel();
                final byte[] credentials = new byte[connectDecoder.credentialsLength()];
                connectDecoder.getCredentials(credentials, 0, credentials.length);
                if (!responseChannel.startsWith("aeron:"))
                {
                    return reject(FrameRejection.MALFORMED, templateId, length);
                }
                sessions.onSessionConnect(correlationId, clientSessionId, responseStreamId, responseChannel,
                    credentials, nowNs);
                return true;
            }

            case SessionKeepAliveDecoder.TEMPLATE_ID:
                if (!hasBlock(SessionKeepAliveDecoder.BLOCK_LENGTH, blockLength, length, templateId))
                {
                    return false;
                }
                keepAliveDecoder.wrap(buffer, bodyOffset, blockLength, version);
                sessions.onKeepAlive(keepAliveDecoder.clientSessionId(), nowNs);
                return true;

            case SessionCloseDecoder.TEMPLATE_ID:
                if (!hasBlock(SessionCloseDecoder.BLOCK_LENGTH, blockLength, length, templateId))
                {
                    return false;
                }
                closeDecoder.wrap(buffer, bodyOffset, blockLength, version);
                sessions.onSessionClose(closeDecoder.clientSessionId(), nowNs);
                return true;

            default:
                return reject(FrameRejection.UNKNOWN_TEMPLATE, templateId, length);
        }
    }

    private boolean onQuery(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final int end,
        final int length)
    {
        final int templateId = ClientQueryDecoder.TEMPLATE_ID;
        if (!hasBlock(ClientQueryDecoder.BLOCK_LENGTH, blockLength, length, templateId) ||
            !fitsVarData(buffer, bodyOffset + blockLength, end, templateId, length))
        {
            return false;
        }
        queryDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final int payloadLength = queryDecoder.payloadLength();
        if (payloadLength > maxCommandLength)
        {
            return reject(FrameRejection.MALFORMED, templateId, length);
        }
        final int payloadOffset = bodyOffset + blockLength + ClientQueryDecoder.payloadHeaderLength();
        sessions.onClientQuery(buffer, payloadOffset, payloadLength, queryDecoder.clientSessionId(),
            queryDecoder.correlationId(), queryDecoder.level(), nowNs);
        return true;
    }

    private boolean fitsVarData(
        final DirectBuffer buffer, final int dataOffset, final int end, final int templateId, final int length)
    {
        if (dataOffset + 4 > end)
        {
            return reject(FrameRejection.MALFORMED, templateId, length);
        }
        final long dataLength = buffer.getInt(dataOffset, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF_FFFFL;
        if (dataOffset + 4 + dataLength > end)
        {
            return reject(FrameRejection.MALFORMED, templateId, length);
        }
        return true;
    }

    private boolean hasBlock(final int requiredBlockLength, final int blockLength, final int length, final int id)
    {
        if (blockLength < requiredBlockLength)
        {
            return reject(FrameRejection.MALFORMED, id, length);
        }
        if (HEADER_LENGTH + blockLength > length)
        {
            return reject(FrameRejection.TOO_SHORT, id, length);
        }
        return true;
    }

    private boolean reject(final FrameRejection reason, final int templateId, final int length)
    {
        rejectionCounts[reason.ordinal()]++;
        rejectionHandler.onFrameRejected(reason, templateId, -1, length);
        return false;
    }
}
