package io.raftline.engine.agent;

/**
 * Decides whether a consensus frame from one member may reach another: a fault-injection hook for partition tests,
 * applied by a {@link FilteredPublisher}. A refused frame is dropped as if the network lost it.
 */
@FunctionalInterface
public interface TransportFilter
{
    /**
     * @param fromMemberId sender.
     * @param toMemberId   recipient.
     * @return true to let the frame through.
     */
    boolean canSend(int fromMemberId, int toMemberId);
}
