package io.raftline.engine.agent;

import io.raftline.engine.protocol.FrameRejection;
import io.raftline.engine.protocol.FrameRejectionHandler;
import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.List;

/**
 * A member's state and error counts as Aeron counters, in the media driver's CnC file, so that tools outside the
 * process ({@link RaftStat}, AeronStat) can read them while the member runs. Written only by the agent thread.
 */
final class MemberCounters implements AutoCloseable, FrameRejectionHandler
{
    /**
     * Counter type ids of Raftline (Aeron's own use ids below 1000).
     */
    static final int ROLE_TYPE_ID = 7401;
    static final int TERM_TYPE_ID = 7402;
    static final int COMMIT_INDEX_TYPE_ID = 7403;
    static final int LAST_LOG_INDEX_TYPE_ID = 7404;
    static final int APPLIED_INDEX_TYPE_ID = 7405;
    static final int LEADER_TYPE_ID = 7406;
    static final int ELECTIONS_TYPE_ID = 7407;
    static final int ERRORS_TYPE_ID = 7408;
    static final int REJECTED_FRAMES_TYPE_ID = 7409;
    static final int SESSIONS_TYPE_ID = 7410;
    static final int EVENTS_TYPE_ID = 7411;

    final AtomicCounter role;
    final AtomicCounter term;
    final AtomicCounter commitIndex;
    final AtomicCounter lastLogIndex;
    final AtomicCounter appliedIndex;
    final AtomicCounter leaderId;
    final AtomicCounter elections;
    final AtomicCounter errors;
    final AtomicCounter rejectedFrames;
    final AtomicCounter sessions;
    final AtomicCounter sessionsRejected;
    final AtomicCounter redirects;
    final AtomicCounter duplicateCommands;
    final AtomicCounter unknownSessionRequests;
    final AtomicCounter egressSent;
    final AtomicCounter egressDropped;
    final AtomicCounter consensusBackPressure;
    final AtomicCounter maxCycleNs;
    final AtomicCounter slowCycles;
    final AtomicCounter pauses;
    final AtomicCounter timersFired;
    final AtomicCounter serviceMessagesSent;
    final AtomicCounter serviceMessagesCounted;
    final AtomicCounter serviceMessagesBackPressured;
    // Operations (issue 11): campaigns by cause, so a rolling restart can prove it caused no election timeout.
    final AtomicCounter timeoutElections;
    final AtomicCounter transferElections;
    final AtomicCounter timeoutPreVotes;
    final AtomicCounter adminRequests;
    final AtomicCounter removed;
    final AtomicCounter removedMemberFrames;
    final AtomicCounter snapshotsLoaded;
    private final List<Counter> all = new ArrayList<>();

    MemberCounters(final Aeron aeron, final int memberId)
    {
        final String prefix = "raftline member=" + memberId + " ";
        role = add(aeron, ROLE_TYPE_ID, prefix + "role");
        term = add(aeron, TERM_TYPE_ID, prefix + "term");
        commitIndex = add(aeron, COMMIT_INDEX_TYPE_ID, prefix + "commit-index");
        lastLogIndex = add(aeron, LAST_LOG_INDEX_TYPE_ID, prefix + "last-log-index");
        appliedIndex = add(aeron, APPLIED_INDEX_TYPE_ID, prefix + "applied-index");
        leaderId = add(aeron, LEADER_TYPE_ID, prefix + "leader");
        elections = add(aeron, ELECTIONS_TYPE_ID, prefix + "elections");
        errors = add(aeron, ERRORS_TYPE_ID, prefix + "errors");
        rejectedFrames = add(aeron, REJECTED_FRAMES_TYPE_ID, prefix + "rejected-frames");
        sessions = add(aeron, SESSIONS_TYPE_ID, prefix + "sessions");
        sessionsRejected = add(aeron, EVENTS_TYPE_ID, prefix + "sessions-rejected");
        redirects = add(aeron, EVENTS_TYPE_ID, prefix + "redirects");
        duplicateCommands = add(aeron, EVENTS_TYPE_ID, prefix + "duplicate-commands");
        unknownSessionRequests = add(aeron, EVENTS_TYPE_ID, prefix + "unknown-session-requests");
        egressSent = add(aeron, EVENTS_TYPE_ID, prefix + "egress-sent");
        egressDropped = add(aeron, EVENTS_TYPE_ID, prefix + "egress-dropped");
        consensusBackPressure = add(aeron, EVENTS_TYPE_ID, prefix + "consensus-back-pressure");
        maxCycleNs = add(aeron, EVENTS_TYPE_ID, prefix + "max-duty-cycle-ns");
        slowCycles = add(aeron, EVENTS_TYPE_ID, prefix + "duty-cycles-over-1ms");
        pauses = add(aeron, EVENTS_TYPE_ID, prefix + "pauses-discounted");
        timersFired = add(aeron, EVENTS_TYPE_ID, prefix + "timers-fired");
        serviceMessagesSent = add(aeron, EVENTS_TYPE_ID, prefix + "service-messages-sent");
        serviceMessagesCounted = add(aeron, EVENTS_TYPE_ID, prefix + "service-messages-counted");
        serviceMessagesBackPressured = add(aeron, EVENTS_TYPE_ID, prefix + "service-messages-back-pressured");
        timeoutElections = add(aeron, EVENTS_TYPE_ID, prefix + "elections-timeout");
        transferElections = add(aeron, EVENTS_TYPE_ID, prefix + "elections-transfer");
        timeoutPreVotes = add(aeron, EVENTS_TYPE_ID, prefix + "prevotes-timeout");
        adminRequests = add(aeron, EVENTS_TYPE_ID, prefix + "admin-requests");
        removed = add(aeron, EVENTS_TYPE_ID, prefix + "removed-from-configuration");
        removedMemberFrames = add(aeron, EVENTS_TYPE_ID, prefix + "removed-member-frames");
        snapshotsLoaded = add(aeron, EVENTS_TYPE_ID, prefix + "snapshots-loaded");
        leaderId.setRelease(-1);
    }

    private Counter add(final Aeron aeron, final int typeId, final String label)
    {
        final Counter counter = aeron.addCounter(typeId, label);
        all.add(counter);
        return counter;
    }

    /**
     * Malformed or foreign frames (consensus or client) are counted, never thrown.
     */
    public void onFrameRejected(final FrameRejection reason, final int templateId, final int senderId,
        final int length)
    {
        rejectedFrames.increment();
        if (FrameRejection.REMOVED_MEMBER == reason)
        {
            removedMemberFrames.increment();
        }
    }

    public void close()
    {
        CloseHelper.closeAll(all);
    }
}
