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
 * <p>
 * Invariant: the frames in flight on each directed link stay bounded ({@link #inFlightLimit()}). A protocol in
 * which messages beget more messages (a resend storm) fails the run here, naming the link, instead of filling the
 * heap with scheduled deliveries.
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
    private final int[][] inFlight;
    private final int[][][] inFlightByTemplate;
    private int inFlightMax;
    private int inFlightWindow = 1;
    private long heartbeatIntervalNs = 1;

    SimNetwork(final Simulation sim, final int memberCount, final Faults faults)
    {
        this.sim = sim;
        this.random = sim.random();
        this.memberCount = memberCount;
        this.connected = new boolean[memberCount];
        this.isLinkCut = new boolean[memberCount][memberCount];
        this.requestsDelivered = new long[memberCount];
        this.inFlight = new int[memberCount][memberCount];
        this.inFlightByTemplate = new int[memberCount][memberCount][TEMPLATE_NAMES.length];
        this.faults = faults;
        Arrays.fill(connected, true);
    }

    /**
     * The settings the in-flight bound derives from.
     *
     * @param heartbeatIntervalNs the members' heartbeat interval.
     * @param window              the most messages a sender may have unanswered on one link by its own rules: the
     *                            replication window plus the snapshot chunk window.
     */
    void trafficWindow(final long heartbeatIntervalNs, final int window)
    {
        this.heartbeatIntervalNs = Math.max(1, heartbeatIntervalNs);
        this.inFlightWindow = Math.max(1, window);
    }

    /**
     * The most frames allowed in flight on one directed link. A sender keeps at most a window of unanswered
     * messages and re-sends a window at most about once per heartbeat interval (a heartbeat, a probe, a resumed
     * snapshot window), and each request begets at most one response; frames stay in the network for at most the
     * longest delay the faults allow. So a healthy link holds at most about {@code window + 2} frames per heartbeat
     * interval of the longest delay, twice that with duplication and with responses of many windows landing within
     * one round trip. The bound allows 64 times that, and never less than 4,096, so it catches only traffic that
     * grows with itself; the snapshot storm this guards against reached millions.
     *
     * @return the bound, under the faults as they are now.
     */
    int inFlightLimit()
    {
        long longestDelayNs = faults.maxDelayNs + Math.max(0, faults.longDelayMaxNs);
        if (faults.longReordering)
        {
            longestDelayNs += 2_200_000_000L;
        }
        final long intervals = 1 + longestDelayNs / heartbeatIntervalNs;
        return (int)Math.min(Integer.MAX_VALUE, Math.max(4_096L, 64L * intervals * (inFlightWindow + 2)));
    }

    /**
     * @return the most frames that were ever in flight at once on one link.
     */
    int inFlightMax()
    {
        return inFlightMax;
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
        final int slot = templateSlot(frame);
        inFlightByTemplate[from][to][slot]++;
        final int count = ++inFlight[from][to];
        inFlightMax = Math.max(inFlightMax, count);
        final int limit = inFlightLimit();
        if (count > limit)
        {
            throw sim.failure("in-flight bound broken: " + count + " frames in flight on link " + from + " -> " +
                to + " (limit " + limit + "): " + describeInFlight(from, to) + "; and " + inFlight[to][from] +
                " on " + to + " -> " + from + ": " + describeInFlight(to, from));
        }
        sim.schedule(sim.nowNs() + delayNs, () ->
        {
            inFlight[from][to]--;
            inFlightByTemplate[from][to][slot]--;
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

    private static final String[] TEMPLATE_NAMES = {"other", "RequestVote", "RequestVoteResponse",
        "AppendEntries", "AppendEntriesResponse", "InstallSnapshot", "InstallSnapshotResponse", "TimeoutNow"};

    private static int templateSlot(final SimOutbox.Frame frame)
    {
        final byte[] bytes = frame.bytes();
        final int templateId = bytes.length >= 4 ? (bytes[2] & 0xFF) | (bytes[3] & 0xFF) << 8 : 0;
        return templateId > 0 && templateId < TEMPLATE_NAMES.length ? templateId : 0;
    }

    private String describeInFlight(final int from, final int to)
    {
        final StringBuilder builder = new StringBuilder();
        for (int slot = 0; slot < TEMPLATE_NAMES.length; slot++)
        {
            final int count = inFlightByTemplate[from][to][slot];
            if (count > 0)
            {
                builder.append(builder.length() > 0 ? ", " : "").append(TEMPLATE_NAMES[slot]).append(' ').append(count);
            }
        }
        return builder.toString();
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
