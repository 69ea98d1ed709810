package io.raftline.engine.protocol;

/**
 * Why an inbound frame was refused before it reached the Raft core. Each reason has its own counter.
 */
public enum FrameRejection
{
    /**
     * Shorter than a message header, or than the block its header announces.
     */
    TOO_SHORT,

    /**
     * The header names another SBE schema.
     */
    WRONG_SCHEMA,

    /**
     * The header names a schema version this member cannot read.
     */
    WRONG_VERSION,

    /**
     * The template id is not a message of this stream.
     */
    UNKNOWN_TEMPLATE,

    /**
     * Lengths inside the frame (group counts, variable data) run past its end, or a field is out of range.
     */
    MALFORMED,

    /**
     * The sender is not a configured member.
     */
    UNKNOWN_SENDER,

    /**
     * The frame is addressed to another member.
     */
    WRONG_RECIPIENT,

    /**
     * The sender was removed from the configuration (issue 11): a member that is gone must not disturb the cluster.
     */
    REMOVED_MEMBER;

    private static final FrameRejection[] VALUES = values();

    /**
     * @return the number of reasons, for sizing a counter array.
     */
    public static int count()
    {
        return VALUES.length;
    }

    /**
     * @param ordinal of a reason.
     * @return the reason.
     */
    public static FrameRejection get(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
