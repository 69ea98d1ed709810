package io.raftline.engine.protocol;

/**
 * Told of every frame an adapter refuses. Implementations count and log; they must not throw.
 */
@FunctionalInterface
public interface FrameRejectionHandler
{
    /**
     * A handler that does nothing beyond the adapter's own counters.
     */
    FrameRejectionHandler NO_OP = (reason, templateId, senderId, length) -> {};

    /**
     * @param reason     the frame was refused.
     * @param templateId from the frame's header, or -1 if it had none.
     * @param senderId   named in the frame, or -1 if unknown.
     * @param length     of the frame in bytes.
     */
    void onFrameRejected(FrameRejection reason, int templateId, int senderId, int length);
}
