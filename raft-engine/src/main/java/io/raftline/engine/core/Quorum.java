package io.raftline.engine.core;

import java.util.Arrays;

/**
 * Majority arithmetic.
 */
final class Quorum
{
    private Quorum()
    {
    }

    /**
     * @param memberCount voting members.
     * @return how many of them make a majority.
     */
    static int majority(final int memberCount)
    {
        return (memberCount >> 1) + 1;
    }

    /**
     * The highest index that a majority holds: the majority-th largest of the members' indices.
     *
     * @param indices     one per member; sorted in place, so pass a scratch copy (avoids allocation).
     * @param memberCount how many of {@code indices} are in use.
     * @return the index a majority has reached.
     */
    static long majorityIndex(final long[] indices, final int memberCount)
    {
        Arrays.sort(indices, 0, memberCount);
        return indices[memberCount - majority(memberCount)];
    }
}
