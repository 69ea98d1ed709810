package io.raftline.engine.agent;

import io.raftline.engine.core.RaftEventListener;
import io.raftline.engine.core.RaftRole;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Counts this member's elections by what started them: its election timer (a leader went silent, or this member
 * could not hear one) or a TimeoutNow from a leader that hands over. A rolling restart with transfer-before-shutdown
 * should start none of the first kind; {@code elections-timeout} is the counter that says so.
 * <p>
 * An election is a campaign for a new term. A pre-vote started by the timer is not one: it changes no term and, while
 * a leader is heard, its followers refuse it; it is counted apart ({@code prevotes-timeout}), and becomes an election
 * by timeout only if it wins ("won pre-vote"). A member that just started probes with a short pre-vote on purpose
 * (the core's start rule), so every restart counts one there and none in {@code elections-timeout}.
 */
final class ElectionCauses implements RaftEventListener
{
    /**
     * The reason the core gives a campaign its election timer started.
     */
    static final String TIMEOUT_REASON = "election timeout";

    /**
     * The prefix of the reason the core gives a campaign a TimeoutNow started.
     */
    static final String TIMEOUT_NOW_REASON = "TimeoutNow";

    /**
     * The reason the core gives the election a successful pre-vote starts.
     */
    static final String WON_PRE_VOTE_REASON = "won pre-vote";

    private final AtomicCounter timeoutElections;
    private final AtomicCounter transferElections;
    private final AtomicCounter timeoutPreVotes;
    private boolean isPreVoteByTimeout;

    ElectionCauses(
        final AtomicCounter timeoutElections,
        final AtomicCounter transferElections,
        final AtomicCounter timeoutPreVotes)
    {
        this.timeoutElections = timeoutElections;
        this.transferElections = transferElections;
        this.timeoutPreVotes = timeoutPreVotes;
    }

    public void onRoleChange(
        final int memberId,
        final RaftRole from,
        final RaftRole to,
        final long term,
        final String reason,
        final long nowNs)
    {
        final boolean wasPreVoteByTimeout = isPreVoteByTimeout;
        isPreVoteByTimeout = false;
        if (RaftRole.PRE_CANDIDATE == to)
        {
            if (TIMEOUT_REASON.equals(reason))
            {
                isPreVoteByTimeout = true;
                timeoutPreVotes.increment();
            }
        }
        else if (RaftRole.CANDIDATE == to)
        {
            if (TIMEOUT_REASON.equals(reason) || (wasPreVoteByTimeout && WON_PRE_VOTE_REASON.equals(reason)))
            {
                timeoutElections.increment();
            }
            else if (reason.startsWith(TIMEOUT_NOW_REASON))
            {
                transferElections.increment();
            }
        }
    }

    long timeoutElections()
    {
        return timeoutElections.get();
    }

    long transferElections()
    {
        return transferElections.get();
    }
}
