package io.raftline.engine.core;

import org.agrona.DirectBuffer;

/**
 * What the core applies committed entries to.
 * <p>
 * {@link #onApply} is called on the member's agent thread, in index order, once per entry per member lifetime.
 * It must be deterministic (every member computes the same state from the same entries), must not block, must not
 * call back into the engine, and should allocate nothing: it runs on the hot path.
 */
@FunctionalInterface
public interface StateMachine
{
    /**
     * Apply one committed entry.
     *
     * @param index  of the entry in the log.
     * @param term   in which the entry was created.
     * @param buffer holding the payload; valid only during the call.
     * @param offset of the payload.
     * @param length of the payload; 0 for the empty entry a new leader appends to commit its term.
     */
    void onApply(long index, long term, DirectBuffer buffer, int offset, int length);
}
