package io.raftline.engine.agent;

import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.protocol.ConsensusEncoder;

/**
 * The checks {@link MemberContext#conclude()} makes of settings against each other, kept apart from the settings
 * themselves. Each throws an {@link IllegalArgumentException} whose message names the values that do not fit.
 */
final class MemberContextChecks
{
    private MemberContextChecks()
    {
    }

    static void checkIsMember(final ClusterMembers clusterMembers, final int memberId, final String members)
    {
        boolean isMember = false;
        for (final ClusterMembers.Member member : clusterMembers.members())
        {
            isMember |= member.id() == memberId;
        }
        if (!isMember)
        {
            throw new IllegalArgumentException("memberId=" + memberId + " is not one of members=" + members);
        }
    }

    static void checkStreams(final ClusterMembers clusterMembers, final int consensusStreamBase,
        final int ingressStreamBase)
    {
        final int maxMemberId = maxMemberId(clusterMembers);
        if (consensusStreamBase + maxMemberId >= ingressStreamBase && ingressStreamBase + maxMemberId >=
            consensusStreamBase)
        {
            throw new IllegalArgumentException("consensusStreamBase=" + consensusStreamBase +
                " and ingressStreamBase=" + ingressStreamBase + " overlap for member ids up to " + maxMemberId);
        }
    }

    /**
     * @return the length of the log entry that carries a command of {@code maxCommandLength}.
     */
    static int checkFrameFitsEntry(final int maxFrameLength, final int maxCommandLength)
    {
        final int largestEntry = ClientProtocol.commandEntryLength(maxCommandLength);
        final int smallestFrameForEntry = ConsensusEncoder.APPEND_ENTRIES_HEADER_LENGTH +
            ConsensusEncoder.APPEND_ENTRY_OVERHEAD + largestEntry;
        if (maxFrameLength < smallestFrameForEntry)
        {
            throw new IllegalArgumentException("maxFrameLength=" + maxFrameLength + " must be >= " +
                smallestFrameForEntry + " to carry a command of maxCommandLength=" + maxCommandLength);
        }
        return largestEntry;
    }

    static void checkSessions(final RaftConfig raftConfig, final long sessionTimeoutNs, final int maxSessions,
        final int responseCacheEntries, final int responseCacheLength)
    {
        if (sessionTimeoutNs <= raftConfig.electionTimeoutMaxNs())
        {
            throw new IllegalArgumentException("sessionTimeoutNs=" + sessionTimeoutNs +
                " must be > electionTimeoutMaxNs=" + raftConfig.electionTimeoutMaxNs() +
                " so sessions survive a failover");
        }
        if (maxSessions < 1 || responseCacheEntries < 1 || responseCacheLength < 0)
        {
            throw new IllegalArgumentException("maxSessions=" + maxSessions + " and responseCacheEntries=" +
                responseCacheEntries + " must be >= 1, responseCacheLength=" + responseCacheLength + " >= 0");
        }
    }

    static void checkIdleSleep(final RaftConfig raftConfig, final IdleStrategyType idleStrategyType,
        final long idleSleepNs)
    {
        if (IdleStrategyType.SLEEP == idleStrategyType &&
            (idleSleepNs < 1 || idleSleepNs * 8 > raftConfig.electionTimeoutMinNs()))
        {
            // The agent takes a gap between duty cycles of a quarter of the minimum election timeout for a
            // stall of its thread and stops its timers for it; sleeping that long on purpose would hide a dead
            // leader (and miss heartbeats).
            throw new IllegalArgumentException("idleStrategy=" + IdleStrategies.name(idleStrategyType,
                idleSleepNs) + (idleSleepNs < 1 ? " must sleep > 0" : " sleeps more than an eighth of " +
                "electionTimeoutMinNs=" + raftConfig.electionTimeoutMinNs()));
        }
    }

    static String[] endpoints(final ClusterMembers members)
    {
        return members.members().stream().map(ClusterMembers.Member::endpoint).toArray(String[]::new);
    }

    private static int maxMemberId(final ClusterMembers clusterMembers)
    {
        int max = 0;
        for (final ClusterMembers.Member member : clusterMembers.members())
        {
            max = Math.max(max, member.id());
        }
        return max;
    }
}
