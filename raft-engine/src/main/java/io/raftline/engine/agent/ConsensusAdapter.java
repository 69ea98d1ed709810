package io.raftline.engine.agent;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftline.engine.protocol.ConsensusDecoder;
import org.agrona.DirectBuffer;
import org.agrona.LangUtil;

/**
 * Feeds reassembled consensus frames from the member's subscription to the {@link ConsensusDecoder}.
 * <p>
 * Aeron catches what a fragment handler throws and only reports it, then goes on polling; a broken invariant or a
 * failing store must instead stop the member. So the adapter keeps the first failure, ignores every frame after it,
 * and the agent rethrows it after the poll ({@link #rethrowFailure()}).
 */
final class ConsensusAdapter implements FragmentHandler
{
    private final ConsensusDecoder decoder;
    private long nowNs;
    private Throwable failure;

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
        if (null != failure)
        {
            return;
        }
        try
        {
            decoder.onFrame(buffer, offset, length, nowNs);
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
            LangUtil.rethrowUnchecked(failure);
        }
    }
}
