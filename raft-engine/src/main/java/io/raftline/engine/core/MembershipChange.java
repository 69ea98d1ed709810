package io.raftline.engine.core;

/**
 * Results of the leader's configuration changes ({@link RaftNode#addLearner}, {@link RaftNode#promote},
 * {@link RaftNode#remove}, {@link RaftNode#replace}): the log index of the configuration entry appended, or one of
 * these negative refusal codes, which {@link #describe(long)} turns into one line for an operator.
 */
public final class MembershipChange
{
    /**
     * This member is not the leader.
     */
    public static final long NOT_LEADER = -1;

    /**
     * Another configuration change is not yet committed (or a joint configuration not yet left).
     */
    public static final long CHANGE_IN_FLIGHT = -2;

    /**
     * The leader has not yet committed an entry of its own term, so it may not know the latest configuration.
     */
    public static final long NO_ENTRY_OF_TERM = -3;

    /**
     * The id is not a member of the configuration.
     */
    public static final long UNKNOWN_MEMBER = -4;

    /**
     * The id was a member once and was removed; ids are never reused.
     */
    public static final long ID_REUSED = -5;

    /**
     * The change would leave no voter.
     */
    public static final long LAST_VOTER = -6;

    /**
     * The learner lags the leader by more than {@link RaftConfig#promotionMaxLag()} entries.
     */
    public static final long NOT_CAUGHT_UP = -7;

    /**
     * The member to promote is not a learner.
     */
    public static final long NOT_A_LEARNER = -8;

    /**
     * The id is a member already.
     */
    public static final long ALREADY_MEMBER = -9;

    /**
     * Leadership is being transferred.
     */
    public static final long TRANSFER_IN_PROGRESS = -10;

    /**
     * The id is negative (ids are non-negative; -1 means "none").
     */
    public static final long INVALID_ID = -11;

    private MembershipChange()
    {
    }

    /**
     * @param code a result of a configuration change.
     * @return one line saying what happened.
     */
    public static String describe(final long code)
    {
        if (code >= 0)
        {
            return "accepted: configuration entry at index " + code;
        }
        switch ((int)code)
        {
            case (int)NOT_LEADER:
                return "refused: this member is not the leader";
            case (int)CHANGE_IN_FLIGHT:
                return "refused: another configuration change is in flight";
            case (int)NO_ENTRY_OF_TERM:
                return "refused: the new leader has not yet committed an entry of its term; retry shortly";
            case (int)UNKNOWN_MEMBER:
                return "refused: no such member in the configuration";
            case (int)ID_REUSED:
                return "refused: the id belonged to a removed member and is never reused";
            case (int)LAST_VOTER:
                return "refused: the change would remove the last voter";
            case (int)NOT_CAUGHT_UP:
                return "refused: the learner has not caught up with the leader";
            case (int)NOT_A_LEARNER:
                return "refused: the member is not a learner";
            case (int)ALREADY_MEMBER:
                return "refused: the id is a member already";
            case (int)TRANSFER_IN_PROGRESS:
                return "refused: a leadership transfer is in progress";
            case (int)INVALID_ID:
                return "refused: member ids are non-negative";
            default:
                return "refused: unknown code " + code;
        }
    }
}
