package io.raftline.engine.core;

/**
 * Counts inbound messages the core refused as invalid (unknown sender, malformed batch, impossible answer) and
 * tells the trace listener why.
 */
final class Rejections
{
    private final int memberId;
    private final RaftEventListener listener;
    private long count;

    Rejections(final int memberId, final RaftEventListener listener)
    {
        this.memberId = memberId;
        this.listener = listener;
    }

    void reject(final int senderId, final String reason)
    {
        count++;
        listener.onRejectedMessage(memberId, senderId, reason);
    }

    long count()
    {
        return count;
    }
}
