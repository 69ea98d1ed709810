package io.raftline.engine.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded in-memory network between simulated members.
 * <p>
 * Connectivity has two layers: a member can be disconnected as a whole ({@link #disconnect(int)}, the MIT tester's
 * model) and single directed links can be cut ({@link #cutLink(int, int)}, for partitions, including asymmetric
 * ones). A frame travels only if its link is up both when it is sent and when it would arrive, and only to the
 * same incarnation of the recipient that it was addressed to, as labrpc does for a restarted server.
 * <p>
 * Faults, all drawn from the simulation's one generator: a random delay, loss of requests and of responses,
 * duplication, and rare long delays; with {@code longReordering} two responses in three are held back 200 to 2199 ms,
 * as in labrpc.
 */
final class SimNetwork
{
    /**
     * Fault settings; mutable so that a test can change them mid-run (MIT's setunreliable).
     */
    static final class Faults
    {
        long minDelayNs = 100_000L;
        long maxDelayNs = 1_000_000L;
        double requestLoss;
        double responseLoss;
        double duplication;
        double longDelayProbability;
        long longDelayMaxNs;
        boolean longReordering;

        static Faults reliable()
        {
            return new Faults();
        }

        /**
         * labrpc's unreliable mode: 0-26 ms delay, 10% of requests lost, 10% of replies lost.
         */
        Faults mitUnreliable(final boolean unreliable)
        {
            if (unreliable)
            {
                minDelayNs = 0;
                maxDelayNs = 27_000_000L;
                requestLoss = 0.1;
                responseLoss = 0.1;
            }
            else
            {
                minDelayNs = 100_000L;
                maxDelayNs = 1_000_000L;
                requestLoss = 0;
                responseLoss = 0;
            }
            return this;
        }
    }

    private final Simulation sim;
    private final SplittableRandom random;
    private final int memberCount;
    private final boolean[] connected;
    private final boolean[][] isLinkCut;
    final Faults faults;

    private final SimOutbox.Frame[] recentFrames = new SimOutbox.Frame[256];
    private long recentCount;
    private long requestsSent;
    private long bytesTotal;
    private final long[] requestsDelivered;
    private long framesDropped;

    SimNetwork(final Simulation sim, final int memberCount, final Faults faults)
    {
        this.sim = sim;
        this.random = sim.random();
        this.memberCount = memberCount;
        this.connected = new boolean[memberCount];
        this.isLinkCut = new boolean[memberCount][memberCount];
        this.requestsDelivered = new long[memberCount];
        this.faults = faults;
        Arrays.fill(connected, true);
    }

    void connect(final int member)
    {
        connected[member] = true;
    }

    void disconnect(final int member)
    {
        connected[member] = false;
    }

    boolean isConnected(final int member)
    {
        return connected[member];
    }

    void cutLink(final int from, final int to)
    {
        isLinkCut[from][to] = true;
    }

    void healAllLinks()
    {
        for (final boolean[] row : isLinkCut)
        {
            Arrays.fill(row, false);
        }
    }

    boolean isLinkUp(final int from, final int to)
    {
        return connected[from] && connected[to] && !isLinkCut[from][to];
    }

    void send(final int from, final SimOutbox.Frame frame)
    {
        recentFrames[(int)(recentCount++ % recentFrames.length)] = frame;
        final int to = frame.to();
        if (frame.isRequest())
        {
            // labrpc counts every call, even one to a disconnected peer or one it will drop.
            requestsSent++;
            bytesTotal += frame.bytes().length;
        }
        if (!isLinkUp(from, to) || to < 0 || to >= memberCount)
        {
            framesDropped++;
            return;
        }
        if (random.nextDouble() < (frame.isRequest() ? faults.requestLoss : faults.responseLoss))
        {
            framesDropped++;
            return;
        }
        final int toIncarnation = sim.node(to).incarnation();
        schedule(from, to, toIncarnation, frame, delayNs(frame.isRequest()));
        if (faults.duplication > 0 && random.nextDouble() < faults.duplication)
        {
            schedule(from, to, toIncarnation, frame, delayNs(frame.isRequest()));
        }
    }

    private void schedule(
        final int from, final int to, final int toIncarnation, final SimOutbox.Frame frame, final long delayNs)
    {
        sim.schedule(sim.nowNs() + delayNs, () ->
        {
            final SimNode target = sim.node(to);
            if (!isLinkUp(from, to) || !target.isAlive() || target.incarnation() != toIncarnation)
            {
                framesDropped++;
                return;
            }
            if (frame.isRequest())
            {
                requestsDelivered[to]++;
            }
            else
            {
                bytesTotal += frame.bytes().length;
            }
            target.deliver(frame.bytes());
        });
    }

    private long delayNs(final boolean isRequest)
    {
        long delayNs = faults.minDelayNs + (faults.maxDelayNs > faults.minDelayNs ?
            random.nextLong(faults.maxDelayNs - faults.minDelayNs) : 0);
        if (faults.longDelayProbability > 0 && random.nextDouble() < faults.longDelayProbability)
        {
            delayNs += random.nextLong(Math.max(1, faults.longDelayMaxNs));
        }
        if (!isRequest && faults.longReordering && random.nextInt(900) < 600)
        {
            delayNs += (200 + random.nextInt(1 + random.nextInt(2000))) * 1_000_000L;
        }
        return delayNs;
    }

    /**
     * @return requests sent by all members, delivered or not (labrpc's rpcTotal).
     */
    long requestsSent()
    {
        return requestsSent;
    }

    /**
     * @return bytes of requests sent plus responses delivered (labrpc's bytesTotal).
     */
    long bytesTotal()
    {
        return bytesTotal;
    }

    /**
     * @param member a member.
     * @return requests that reached it (labrpc's per-server rpcCount).
     */
    long requestsDelivered(final int member)
    {
        return requestsDelivered[member];
    }

    void resetRequestsDelivered(final int member)
    {
        requestsDelivered[member] = 0;
    }

    long framesDropped()
    {
        return framesDropped;
    }

    /**
     * @return a frame sent recently (for replay by a fuzzer), or null if none was.
     */
    SimOutbox.Frame recentFrame()
    {
        if (0 == recentCount)
        {
            return null;
        }
        return recentFrames[random.nextInt((int)Math.min(recentCount, recentFrames.length))];
    }
}
