package io.raftline.engine.core;

import java.util.Arrays;

/**
 * Checks {@link RaftConfig.Builder#build()} makes, kept apart from the settings. Each throws an
 * {@link IllegalArgumentException} whose message names the values that do not fit.
 */
final class RaftConfigChecks
{
    private RaftConfigChecks()
    {
    }

    /**
     * The members: at least one, ids >= 0 and distinct, one endpoint each if any, this member among them unless it
     * joins a running cluster.
     */
    static void checkMembers(final int memberId, final int[] memberIds, final String[] endpoints,
        final boolean isJoining)
    {
        if (0 == memberIds.length)
        {
            throw new IllegalArgumentException("memberIds must name at least one member");
        }
        if (null != endpoints && endpoints.length != memberIds.length)
        {
            throw new IllegalArgumentException("endpoints=" + Arrays.toString(endpoints) +
                " must name one endpoint per member of memberIds=" + Arrays.toString(memberIds));
        }
        for (int i = 0; i < memberIds.length; i++)
        {
            if (memberIds[i] < 0)
            {
                throw new IllegalArgumentException("member id must be >= 0: memberIds=" +
                    Arrays.toString(memberIds));
            }
            for (int j = i + 1; j < memberIds.length; j++)
            {
                if (memberIds[i] == memberIds[j])
                {
                    throw new IllegalArgumentException("duplicate member id " + memberIds[i] + " in memberIds=" +
                        Arrays.toString(memberIds));
                }
            }
        }
        boolean isMember = false;
        for (final int id : memberIds)
        {
            isMember |= id == memberId;
        }
        if (!isMember && !isJoining)
        {
            throw new IllegalArgumentException("memberId=" + memberId + " is not in memberIds=" +
                Arrays.toString(memberIds));
        }
    }

    static void atLeast(final String name, final long value, final long min)
    {
        if (value < min)
        {
            throw new IllegalArgumentException(name + "=" + value + " must be >= " + min);
        }
    }
}
