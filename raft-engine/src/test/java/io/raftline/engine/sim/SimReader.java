package io.raftline.engine.sim;

import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftReads;
import io.raftline.engine.core.RaftRole;

import java.util.SplittableRandom;

/**
 * Reads in the random runs: bursts of reads of every level (ReadIndex and lease at whoever leads, or at a random
 * member one time in ten; follower reads at a random member), throughout the faults. Every answer is checked by
 * {@link Invariants#onReadAnswered}: the state at some index between the highest index committed anywhere when the
 * read arrived and the member's applied index when it answered, and the applied sequence's state at that index.
 * Its randomness comes from a generator of its own, seeded from the run's seed, so the rest of a run draws what it
 * drew before reads existed.
 */
final class SimReader
{
    private static final long MS = 1_000_000L;
    // Answers over every run of this JVM, per track, for the summary line.
    static final long[] ANSWERED = new long[3];

    private final Simulation sim;
    private final SplittableRandom random;
    private boolean isStopped;

    private SimReader(final Simulation sim, final SplittableRandom random)
    {
        this.sim = sim;
        this.random = random;
    }

    /**
     * Lease reads on in half of the runs that use pre-vote (leases need it), with a random drift bound.
     */
    static void configure(final RaftConfig.Builder config, final long seed, final boolean preVote,
        final long electionMinNs)
    {
        final SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 12);
        final boolean lease = preVote && random.nextBoolean();
        // Small queues: a read beyond them is refused (READS_FULL), and thousands of members started over a run
        // allocate little.
        config.leaseReads(lease).leaseClockDriftNs(lease ? random.nextLong(electionMinNs / 2) : 0)
            .maxPendingReads(1 + random.nextInt(256));
    }

    static SimReader start(final Simulation sim, final long seed)
    {
        final SimReader reader = new SimReader(sim, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 13));
        reader.scheduleNext();
        return reader;
    }

    void stop()
    {
        isStopped = true;
        for (final SimNode node : sim.nodes())
        {
            for (int i = 0; i < 3; i++)
            {
                ANSWERED[i] += node.readsAnswered()[i];
            }
        }
    }

    private void scheduleNext()
    {
        sim.schedule(sim.nowNs() + 1 + random.nextLong(40 * MS), this::act);
    }

    private void act()
    {
        if (isStopped)
        {
            return;
        }
        final int burst = 1 + random.nextInt(4);
        for (int i = 0; i < burst; i++)
        {
            final int level = random.nextInt(3);
            SimNode target = null;
            if (RaftReads.FOLLOWER != level && random.nextInt(10) != 0)
            {
                for (final SimNode node : sim.nodes())
                {
                    if (node.isAlive() && RaftRole.LEADER == node.core().role() &&
                        (null == target || node.core().currentTerm() > target.core().currentTerm()))
                    {
                        target = node;
                    }
                }
            }
            if (null == target)
            {
                target = sim.node(random.nextInt(sim.memberCount()));
            }
            target.read(level);
        }
        scheduleNext();
    }
}
