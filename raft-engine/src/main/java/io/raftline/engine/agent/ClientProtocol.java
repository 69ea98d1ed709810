package io.raftline.engine.agent;

import io.raftline.codecs.ClientRequestEncoder;
import io.raftline.codecs.MessageHeaderEncoder;

/**
 * Sizes of the client protocol's frames.
 */
final class ClientProtocol
{
    /**
     * Bytes a ClientRequest frame adds to its command; the frame is appended to the log as it arrived.
     */
    static final int COMMAND_OVERHEAD = MessageHeaderEncoder.ENCODED_LENGTH + ClientRequestEncoder.BLOCK_LENGTH +
        ClientRequestEncoder.payloadHeaderLength();

    private ClientProtocol()
    {
    }

    /**
     * @param commandLength of a client's command.
     * @return the length of the log entry carrying it.
     */
    static int commandEntryLength(final int commandLength)
    {
        return COMMAND_OVERHEAD + commandLength;
    }
}
