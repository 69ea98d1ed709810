package io.raftline.engine.agent;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftline.engine.protocol.ConsensusDecoder;
import org.agrona.DirectBuffer;

/**
 * Feeds reassembled consensus frames from the member's subscription to the {@link ConsensusDecoder}.
 */
final class ConsensusAdapter implements FragmentHandler
{
    private final ConsensusDecoder decoder;
    private long nowNs;

    ConsensusAdapter(final ConsensusDecoder decoder)
    {
        this.decoder = decoder;
    }

    void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        decoder.onFrame(buffer, offset, length, nowNs);
    }
}
