package io.raftline.engine.agent;

/**
 * A network partition of a {@link LocalCluster}, for tests: the given members can reach each other, the rest can
 * reach each other, and no consensus frame crosses between the two sides (clients still reach everyone).
 * <pre>
 * final Partition partition = new Partition();
 * cluster = LocalCluster.start(3, template, services, partition.publishers());
 * partition.cut(leader);
 * ...
 * partition.heal();
 * </pre>
 */
final class Partition implements TransportFilter
{
    private volatile int[] group = new int[0];

    /**
     * @return the publisher factory that applies this partition to the members it makes.
     */
    ConsensusPublisher.Factory publishers()
    {
        return FilteredPublisher.factory(this);
    }

    /**
     * @param members the member ids on one side.
     */
    void cut(final int... members)
    {
        group = members.clone();
    }

    /**
     * Remove the partition.
     */
    void heal()
    {
        group = new int[0];
    }

    public boolean canSend(final int from, final int to)
    {
        final int[] members = group;
        if (0 == members.length)
        {
            return true;
        }
        boolean isFromInGroup = false;
        boolean isToInGroup = false;
        for (final int id : members)
        {
            isFromInGroup |= id == from;
            isToInGroup |= id == to;
        }
        return isFromInGroup == isToInGroup;
    }
}
