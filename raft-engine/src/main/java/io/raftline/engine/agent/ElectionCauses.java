package io.raftline.engine.agent;

import io.raftline.engine.core.RaftEventListener;
import io.raftline.engine.core.RaftRole;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Counts this member's campaigns by what started them: its election timer (a leader went silent, or this member
 * could not hear one) or a TimeoutNow from a leader that hands over. A rolling restart with transfer-before-shutdown
 * should start none of the first kind; {@code elections-timeout} is the counter that says so.
 * <p>
 * A pre-vote started by the timer is counted once, when it starts: the campaign it may turn into ("won pre-vote")
 * is the same campaign.
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

    private final AtomicCounter timeoutElections;
    private final AtomicCounter transferElections;

    ElectionCauses(final AtomicCounter timeoutElections, final AtomicCounter transferElections)
    {
        this.timeoutElections = timeoutElections;
        this.transferElections = transferElections;
    }

    public void onRoleChange(
        final int memberId,
        final RaftRole from,
        final RaftRole to,
        final long term,
        final String reason,
        final long nowNs)
    {
        if (RaftRole.PRE_CANDIDATE != to && RaftRole.CANDIDATE != to)
        {
            return;
        }
        if (TIMEOUT_REASON.equals(reason))
        {
            timeoutElections.increment();
        }
        else if (reason.startsWith(TIMEOUT_NOW_REASON))
        {
            transferElections.increment();
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
