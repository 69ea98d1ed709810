package io.raftline.engine.sim;

import io.raftline.engine.core.Membership;
import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Many seeded runs of a cluster under random faults: message delay, loss, duplication and reordering; symmetric and
 * asymmetric partitions; crashes and restarts (the leader more often), including crashes inside a step after the
 * immediate messages left but before the sync; client proposals throughout, some of which schedule and cancel
 * service timers ({@link SimTimers}); in a third of the runs, configuration changes throughout (add a learner from
 * the spare members, promote, remove, replace, transfer leadership, the leader removing itself). The invariants of
 * {@link Invariants} and {@link SimTimers} are checked after every step. After the chaos, the network heals and
 * every member restarts: a leader must emerge and a final proposal must be applied by every member of its
 * configuration (liveness).
 * <p>
 * Seeds: {@code -Draftline.sim.seed0} (default 1) and {@code -Draftline.sim.seeds} (default 10,000: about a minute
 * here); {@code -Draftline.sim.membership=false} leaves configuration changes out. A failing seed prints the command
 * that replays it alone.
 */
class RandomizedSimulationTest
{
    private static final long MS = 1_000_000L;
    // -Draftline.sim.membership=false: the runs as they were before configuration changes (to compare run times).
    private static final boolean IS_CHANGING_MEMBERSHIP =
        Boolean.parseBoolean(System.getProperty("raftline.sim.membership", "true"));

    @Test
    void randomizedRunsKeepEveryInvariant()
    {
        final long seed0 = Long.getLong("raftline.sim.seed0", 1L);
        final long count = Long.getLong("raftline.sim.seeds", 10_000L);
        final List<String> failures = new ArrayList<>();
        final long startNs = System.nanoTime();
        long steps = 0;
        long commits = 0;
        long snapshotsTaken = 0;
        long snapshotsRestored = 0;
        long fuzzFrames = 0;
        long timersFired = 0;
        long changes = 0;
        long configurations = 0;
        double inFlightShare = 0;
        long inFlightSeed = seed0;
        for (long seed = seed0; seed < seed0 + count && failures.size() < 5; seed++)
        {
            try
            {
                final RunResult result = run(seed);
                steps += result.steps;
                commits += result.committed;
                snapshotsTaken += result.snapshotsTaken;
                snapshotsRestored += result.snapshotsRestored;
                fuzzFrames += result.fuzzFrames;
                timersFired += result.timersFired;
                changes += result.changesAccepted;
                configurations += result.configurationsCommitted;
                if (result.inFlightShare > inFlightShare)
                {
                    inFlightShare = result.inFlightShare;
                    inFlightSeed = seed;
                }
            }
            catch (final Throwable t)
            {
                failures.add("seed " + seed + ": " + t.getMessage());
                if (!(t instanceof SimulationFailure))
                {
                    t.printStackTrace();
                    failures.add("  replay: " + replayCommand(seed));
                }
            }
        }
        System.out.printf("RandomizedSimulationTest: seeds %d..%d, %d steps, %d committed entries, %d snapshots " +
            "taken, %d restored (at start or installed), %d fuzz frames, %d timers fired, %d configuration changes " +
            "accepted and %d configurations committed, most in flight on a link %.1f%% of its bound (seed %d), " +
            "%.1f s%n",
            seed0, seed0 + count - 1, steps, commits, snapshotsTaken, snapshotsRestored, fuzzFrames, timersFired,
            changes, configurations, 100 * inFlightShare, inFlightSeed, (System.nanoTime() - startNs) / 1e9);
        System.out.printf("RandomizedSimulationTest: reads answered and checked: %d ReadIndex, %d lease, %d follower%n",
            SimReader.ANSWERED[0], SimReader.ANSWERED[1], SimReader.ANSWERED[2]);
        if (!failures.isEmpty())
        {
            fail(failures.size() + " failing seed(s):" + System.lineSeparator() +
                String.join(System.lineSeparator(), failures));
        }
    }

    /**
     * Seeds that once failed, outside the default range or drawn differently since, run on every build. A change of
     * what the runs draw may move the case a seed found elsewhere, so each also has a scripted or unit test where
     * one could be written.
     */
    @Test
    void seedsThatFailedOnceStillPass()
    {
        // 5877: a lease outlived the hand-over of a leader that removed itself (stale lease read).
        // 6943: a learner refused the frames of a leader it did not know, in a later term (no progress).
        // 16761: a voter whose known voters were all removed never reached the leader's term (no progress).
        // 31608: a voter dragged to later terms by a removed member never told the leader it did not know.
        // 7001821: a leader without a no-op elected after the liveness check never committed its predecessor's
        // last entry (the check now proposes through it).
        // 7026679, 7045863: voters that missed a configuration refused unknown candidates of terms past the next.
        // 7029348: a sole voter led before its term was durable; restarted, it won the term again (log matching).
        // 13002362: a voter refused the leader that removed itself once it lost it, before the removal committed.
        // 13027645: a learner refused the vote requests of a member it knew as a learner, promoted meanwhile.
        // 14006421: a learner refused the pre-votes of the leader it followed, after that leader restarted.
        for (final long seed : new long[]{5877, 6943, 16761, 31608, 7001821, 7026679, 7029348, 7045863, 13002362,
            13027645, 14006421})
        {
            try
            {
                run(seed);
            }
            catch (final SimulationFailure failure)
            {
                fail("seed " + seed + ": " + failure.getMessage());
            }
        }
    }

    static String replayCommand(final long seed)
    {
        return "mvn -pl raft-engine -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=RandomizedSimulationTest " +
            "-Draftline.sim.seed0=" + seed + " -Draftline.sim.seeds=1";
    }

    record RunResult(
        long steps, long committed, long snapshotsTaken, long snapshotsRestored, long fuzzFrames, double inFlightShare,
        long timersFired, long changesAccepted, long configurationsCommitted)
    {
    }

    /**
     * One run; everything it does is drawn from the seed.
     */
    static RunResult run(final long seed)
    {
        final SplittableRandom plan = new SplittableRandom(seed);
        final int members = pick(plan, new int[]{3, 3, 3, 5, 5, 5, 1, 7});
        final long heartbeatNs = (5 + plan.nextInt(46)) * MS;
        final long electionMinNs = heartbeatNs * (3 + plan.nextInt(4));
        final boolean preVote;
        final RaftConfig.Builder config = RaftConfig.builder()
            .heartbeatIntervalNs(heartbeatNs)
            .electionTimeoutNs(electionMinNs, electionMinNs * 2)
            .maxEntriesPerBatch(1 + plan.nextInt(64))
            .maxInflightBatches(1 + plan.nextInt(16))
            .maxAppliesPerCycle(1 + plan.nextInt(64))
            .preVote(preVote = plan.nextInt(4) != 0)
            .checkQuorum(plan.nextBoolean())
            .appendLeaderNoop(plan.nextBoolean())
            .snapshotIntervalEntries(plan.nextInt(4) == 0 ? 0 : 5 + plan.nextInt(200))
            .compactionRetainEntries(plan.nextBoolean() ? 0 : plan.nextInt(50))
            .snapshotChunkLength(16 + plan.nextInt(4096))
            .maxInflightSnapshotChunks(1 + plan.nextInt(8));

        SimReader.configure(config, seed, preVote, electionMinNs);

        final SimNetwork.Faults faults = new SimNetwork.Faults();
        faults.minDelayNs = plan.nextLong(200_000L);
        faults.maxDelayNs = faults.minDelayNs + 1 + plan.nextLong(heartbeatNs / 2);
        faults.requestLoss = plan.nextDouble() * 0.15;
        faults.responseLoss = plan.nextDouble() * 0.15;
        faults.duplication = plan.nextDouble() * 0.05;
        faults.longDelayProbability = plan.nextDouble() * 0.02;
        faults.longDelayMaxNs = electionMinNs * 3;

        // Drawn from a generator of their own, so that the runs without changes are the runs as they were before.
        final SplittableRandom changesPlan = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 11);
        final boolean hasChanges = changesPlan.nextInt(3) == 0 && IS_CHANGING_MEMBERSHIP;
        final int spares = hasChanges ? 1 + changesPlan.nextInt(3) : 0;
        config.promotionMaxLag(changesPlan.nextInt(4) == 0 ? 0 : changesPlan.nextInt(500));
        final Simulation sim = new Simulation(seed, 0, replayCommand(seed), members, spares, config, faults);
        sim.crashBeforeSyncProbability(plan.nextInt(3) == 0 ? plan.nextDouble() * 0.01 : 0);
        sim.snapshotWriteDelayMaxNs(plan.nextLong(50_000_000L));
        final List<SimNode> crashed = new ArrayList<>();
        sim.crashListener(crashed::add);
        sim.startAll();

        final long chaosNs = (2_000 + plan.nextInt(8_000)) * MS;
        final Chaos chaos = new Chaos(sim, plan, crashed, electionMinNs);
        chaos.scheduleNext();
        final Client client = new Client(sim, plan);
        client.scheduleNext();
        final SimReader reader = SimReader.start(sim, seed);
        final LeaderKiller killer = new LeaderKiller(sim, plan, crashed, heartbeatNs);
        if (plan.nextInt(3) == 0)
        {
            killer.scheduleNext();
        }
        final Fuzzer fuzzer = new Fuzzer(sim, plan);
        if (plan.nextInt(3) == 0)
        {
            fuzzer.scheduleNext();
        }
        final Changer changer = new Changer(sim, changesPlan, electionMinNs);
        if (hasChanges)
        {
            changer.scheduleNext();
        }
        sim.runUntil(chaosNs);

        // Heal: no more faults, everyone up, and the cluster must make progress again.
        chaos.stop();
        client.stop();
        reader.stop();
        killer.stop();
        fuzzer.stop();
        changer.stop();
        faults.requestLoss = 0;
        faults.responseLoss = 0;
        faults.duplication = 0;
        faults.longDelayProbability = 0;
        sim.crashBeforeSyncProbability(0);
        sim.network().healAllLinks();
        for (final SimNode node : sim.nodes())
        {
            sim.network().connect(node.id());
            if (!node.isAlive())
            {
                node.start();
            }
        }
        checkLiveness(sim, electionMinNs);
        checkNoTimerOverdue(sim, electionMinNs);
        long taken = 0;
        long restored = 0;
        for (final SimNode node : sim.nodes())
        {
            taken += node.snapshotsTaken();
            restored += node.snapshotsRestored();
        }
        return new RunResult(sim.steps(), sim.invariants().committedMax(), taken, restored, fuzzer.frames,
            (double)sim.network().inFlightMax() / sim.network().inFlightLimit(), sim.timers().fired(), changer.accepted,
            sim.invariants().configurationsCommitted());
    }

    /**
     * After healing: once no timer can become due any more (the client stopped; deadlines lie at most half a second
     * after their command) and the leader's log is applied everywhere, no member may hold a timer the leader's clock
     * has passed. Catching up is awaited as in {@link #checkLiveness}: a failure is a stall, not a slow config.
     */
    private static void checkNoTimerOverdue(final Simulation sim, final long electionMinNs)
    {
        sim.runFor(700 * MS);
        final long stallLimitNs = 40 * electionMinNs;
        final long hardDeadlineNs = sim.nowNs() + 120_000 * MS;
        long lastProgress = progress(sim);
        long lastProgressNs = sim.nowNs();
        long proposalTerm = -1;
        while (true)
        {
            final SimNode leader = leaderOf(sim);
            if (null != leader && leader.core().currentTerm() != proposalTerm &&
                leader.log().lastTerm() != leader.core().currentTerm())
            {
                // A leader elected after the liveness check (a leader that removed itself hands over once its
                // configuration commits) without a no-op commits the entries of earlier terms only with one of its
                // own (seed 7001821), and the client has stopped.
                proposalTerm = leader.core().currentTerm();
                leader.propose(new byte[]{43});
            }
            if (null != leader && isApplied(sim, leader.log().lastIndex()))
            {
                final long clusterNowNs =
                    Math.max(leader.core().clusterClock().epochNowNs(), leader.core().clusterClock().floorNs());
                // A removed member, or a spare never added, stops applying: only the configuration's members count.
                final Membership config = leader.core().membership();
                for (final SimNode node : sim.nodes())
                {
                    if (config.contains(node.id()))
                    {
                        sim.timers().checkNothingOverdue(node, node.timers(), clusterNowNs, 1_000 * MS);
                    }
                }
                return;
            }
            if (sim.nowNs() - lastProgressNs > stallLimitNs || sim.nowNs() > hardDeadlineNs)
            {
                throw sim.failure("timers: the leader's log is not applied by every member after healing" +
                    describe(sim));
            }
            sim.runFor(10 * MS);
            final long progress = progress(sim);
            if (progress != lastProgress)
            {
                lastProgress = progress;
                lastProgressNs = sim.nowNs();
            }
        }
    }

    /**
     * After healing, the cluster must apply a final proposal on every member. Catching up a long backlog with a
     * tiny batch and window takes a while, so the check fails on a stall (no member's log or apply position moving
     * for 20 election timeouts) or after 120 s, not after a fixed time.
     */
    private static void checkLiveness(final Simulation sim, final long electionMinNs)
    {
        final long stallLimitNs = 40 * electionMinNs;
        final long hardDeadlineNs = sim.nowNs() + 120_000 * MS;
        long lastProgress = progress(sim);
        long lastProgressNs = sim.nowNs();
        long index = -1;
        long proposalTerm = -1;
        SimNode proposer = null;
        while (sim.nowNs() - lastProgressNs < stallLimitNs && sim.nowNs() < hardDeadlineNs)
        {
            sim.runFor(10 * MS);
            if (isApplied(sim, index))
            {
                return;
            }
            final long progress = progress(sim);
            if (progress != lastProgress)
            {
                lastProgress = progress;
                lastProgressNs = sim.nowNs();
            }
            final boolean isProposerLeading = null != proposer && proposer.isAlive() &&
                RaftRole.LEADER == proposer.core().role() && proposer.core().currentTerm() == proposalTerm;
            final SimNode leader = leaderOf(sim);
            if ((!isProposerLeading || index < 0) && null != leader)
            {
                // Also again after a refusal: a leader refuses proposals while it hands leadership over.
                // (Re)propose through whoever leads now: a deposed leader's entry may have been overwritten, and
                // without a no-op a new leader commits earlier entries only with one of its own term.
                proposalTerm = leader.core().currentTerm();
                index = leader.propose(new byte[]{42});
                proposer = leader;
            }
        }
        throw sim.failure("no progress after healing: final proposal at index " + index + " not applied by all " +
            "members; " + sim.node(0).config() + describe(sim));
    }

    private static long progress(final Simulation sim)
    {
        long progress = 0;
        for (final SimNode node : sim.nodes())
        {
            if (node.isAlive())
            {
                progress = progress * 31 + node.core().lastApplied() * 7 + node.log().lastIndex() +
                    node.core().commitIndex();
            }
        }
        return progress;
    }

    /**
     * Every member of the leader's configuration (voters and learners; not the removed members, nor the spares never
     * added) applied the entry.
     */
    private static boolean isApplied(final Simulation sim, final long index)
    {
        final SimNode leader = leaderOf(sim);
        if (index <= 0 || null == leader)
        {
            return false;
        }
        final Membership config = leader.core().membership();
        for (final SimNode node : sim.nodes())
        {
            if (config.contains(node.id()) && (!node.isAlive() || node.core().lastApplied() < index))
            {
                return false;
            }
        }
        return true;
    }

    private static SimNode leaderOf(final Simulation sim)
    {
        SimNode leader = null;
        for (final SimNode node : sim.nodes())
        {
            if (node.isAlive() && RaftRole.LEADER == node.core().role() &&
                (null == leader || node.core().currentTerm() > leader.core().currentTerm()))
            {
                leader = node;
            }
        }
        return leader;
    }

    private static String describe(final Simulation sim)
    {
        final StringBuilder builder = new StringBuilder();
        for (final SimNode node : sim.nodes())
        {
            builder.append(System.lineSeparator()).append("  ").append(node.isAlive() ? node.core() : "down");
            if (node.isAlive() && (node.core().membership().index() > 0 || node.id() >= sim.initialCount()))
            {
                builder.append(' ').append(node.core().membership());
            }
        }
        return builder.toString();
    }

    private static int pick(final SplittableRandom random, final int[] choices)
    {
        return choices[random.nextInt(choices.length)];
    }

    /**
     * Configuration changes at whoever leads, as an operator would ask for them: add a spare member as a learner (and
     * start it from nothing), promote a learner (sometimes forced), remove any member (the leader itself too),
     * replace a voter by a learner or a fresh spare, transfer leadership. Refusals (one change in flight, not caught
     * up, no entry of the term yet, ...) are part of the run.
     */
    private static final class Changer
    {
        private final Simulation sim;
        private final SplittableRandom random;
        private final long electionMinNs;
        private boolean isStopped;
        private int nextSpare;
        long accepted;

        Changer(final Simulation sim, final SplittableRandom random, final long electionMinNs)
        {
            this.sim = sim;
            this.random = random;
            this.electionMinNs = electionMinNs;
            this.nextSpare = sim.initialCount();
        }

        void scheduleNext()
        {
            sim.schedule(sim.nowNs() + random.nextLong(electionMinNs / 2, electionMinNs * 6), this::act);
        }

        void stop()
        {
            isStopped = true;
        }

        private void act()
        {
            if (isStopped)
            {
                return;
            }
            final SimNode leader = leaderOf(sim);
            if (null != leader)
            {
                final Membership config = leader.core().membership();
                final int action = random.nextInt(100);
                final long result;
                if (action < 25 && nextSpare < sim.nodes().length)
                {
                    final int id = nextSpare;
                    result = leader.change((core) -> core.membershipChanges().addLearner(id, "sim:" + id));
                    startIfAdded(result, id);
                }
                else if (action < 45 && config.learners().length > 0)
                {
                    final int id = config.learners()[random.nextInt(config.learners().length)];
                    final boolean force = random.nextInt(4) == 0;
                    result = leader.change((core) -> core.membershipChanges().promote(id, force));
                }
                else if (action < 60)
                {
                    final int id = config.members()[random.nextInt(config.members().length)];
                    result = leader.change((core) -> core.membershipChanges().remove(id));
                }
                else if (action < 75 && config.voters().length > 0)
                {
                    final int oldId = config.voters()[random.nextInt(config.voters().length)];
                    final boolean isFresh = 0 == config.learners().length || random.nextBoolean();
                    if (isFresh && nextSpare >= sim.nodes().length)
                    {
                        result = -1;
                    }
                    else
                    {
                        final int newId = isFresh ? nextSpare : config.learners()[0];
                        result = leader.change((core) -> core.membershipChanges().replace(oldId, newId,
                            "sim:" + newId));
                        if (isFresh)
                        {
                            startIfAdded(result, newId);
                        }
                    }
                }
                else
                {
                    final int[] voters = config.voters();
                    final int target = random.nextBoolean() || 0 == voters.length ?
                        leader.core().membershipChanges().bestTransferTarget() : voters[random.nextInt(voters.length)];
                    result = leader.change((core) -> core.transferLeadership(target, sim.nowNs()) ? 0 : -1);
                }
                sim.trace(leader.id(), "configuration change at " + config + ": " +
                    io.raftline.engine.core.MembershipChange.describe(result));
                accepted += result >= 0 ? 1 : 0;
            }
            scheduleNext();
        }

        private void startIfAdded(final long result, final int id)
        {
            if (result >= 0)
            {
                nextSpare++;
                if (!sim.node(id).isAlive())
                {
                    sim.node(id).start();
                }
            }
        }
    }

    /**
     * Proposes commands of random sizes to whoever leads, now and then to a random member instead.
     */
    private static final class Client
    {
        private final Simulation sim;
        private final SplittableRandom random;
        private boolean isStopped;
        private long sequence;
        private long timerIds;

        Client(final Simulation sim, final SplittableRandom random)
        {
            this.sim = sim;
            this.random = random;
        }

        void scheduleNext()
        {
            sim.schedule(sim.nowNs() + 1 + random.nextLong(20 * MS), this::act);
        }

        void stop()
        {
            isStopped = true;
        }

        private void act()
        {
            if (isStopped)
            {
                return;
            }
            final int burst = 1 + random.nextInt(8);
            for (int i = 0; i < burst; i++)
            {
                SimNode target = leaderOf(sim);
                if (null == target || random.nextInt(10) == 0)
                {
                    target = sim.node(random.nextInt(sim.memberCount()));
                }
                final int kind = random.nextInt(10);
                final byte[] command;
                if (kind < 2)
                {
                    // A service timer, due within half a second of cluster time (some at once).
                    command = SimTimers.schedule(++timerIds, random.nextLong(500 * MS) - 50 * MS);
                }
                else if (kind < 3 && timerIds > 0)
                {
                    // Cancel an earlier timer, or move it (a stale timer entry must then not fire it early).
                    final long correlationId = 1 + random.nextLong(timerIds);
                    command = random.nextBoolean() ? SimTimers.cancel(correlationId) :
                        SimTimers.schedule(correlationId, random.nextLong(500 * MS));
                }
                else
                {
                    command = new byte[1 + random.nextInt(200)];
                    random.nextBytes(command);
                    command[0] = (byte)sequence++;
                }
                final long result = target.propose(command);
                if (result == RaftNode.ENTRY_TOO_LARGE)
                {
                    throw sim.failure("a small proposal was refused as too large");
                }
            }
            scheduleNext();
        }
    }

    /**
     * Hostile input straight into members' decoders: random bytes, and genuine frames replayed late (stale terms,
     * duplicates, reordering beyond anything the network does), truncated or with garbage appended. Frames from real
     * members are never altered in their fields: that would be a Byzantine fault, which Raft does not claim to
     * survive.
     */
    private static final class Fuzzer
    {
        private final Simulation sim;
        private final SplittableRandom random;
        private boolean isStopped;
        long frames;

        Fuzzer(final Simulation sim, final SplittableRandom random)
        {
            this.sim = sim;
            this.random = random;
        }

        void scheduleNext()
        {
            sim.schedule(sim.nowNs() + 1 + random.nextLong(2 * MS), this::act);
        }

        void stop()
        {
            isStopped = true;
        }

        private void act()
        {
            if (isStopped)
            {
                return;
            }
            final SimOutbox.Frame genuine = sim.network().recentFrame();
            final int kind = random.nextInt(4);
            frames++;
            if (0 == kind || null == genuine)
            {
                final byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                sim.node(random.nextInt(sim.memberCount())).deliver(bytes);
            }
            else
            {
                final byte[] original = genuine.bytes();
                final byte[] bytes;
                if (1 == kind)
                {
                    bytes = original;
                }
                else if (2 == kind)
                {
                    bytes = java.util.Arrays.copyOf(original, random.nextInt(original.length + 1));
                }
                else
                {
                    bytes = java.util.Arrays.copyOf(original, original.length + 1 + random.nextInt(32));
                }
                final SimNode target = sim.node(genuine.to());
                target.deliver(bytes);
            }
            scheduleNext();
        }
    }

    /**
     * The Figure 8 nemesis: crashes or isolates each new leader soon after it is elected, often before its first
     * entries reach everyone, and restarts members so that a majority is usually up. This is what exposes a leader
     * that commits an earlier term's entry by counting replicas.
     */
    private static final class LeaderKiller
    {
        private final Simulation sim;
        private final SplittableRandom random;
        private final List<SimNode> crashed;
        private final long heartbeatNs;
        private boolean isStopped;

        LeaderKiller(final Simulation sim, final SplittableRandom random, final List<SimNode> crashed,
            final long heartbeatNs)
        {
            this.sim = sim;
            this.random = random;
            this.crashed = crashed;
            this.heartbeatNs = heartbeatNs;
        }

        void scheduleNext()
        {
            sim.schedule(sim.nowNs() + 1 + random.nextLong(heartbeatNs), this::act);
        }

        void stop()
        {
            isStopped = true;
        }

        private void act()
        {
            if (isStopped)
            {
                return;
            }
            final SimNode leader = leaderOf(sim);
            if (null != leader && random.nextBoolean())
            {
                if (random.nextBoolean())
                {
                    leader.crash();
                    crashed.add(leader);
                }
                else
                {
                    sim.network().disconnect(leader.id());
                }
            }
            int up = 0;
            for (final SimNode node : sim.nodes())
            {
                up += node.isAlive() && sim.network().isConnected(node.id()) ? 1 : 0;
            }
            if (up <= sim.memberCount() / 2 + random.nextInt(2))
            {
                final SimNode node = sim.node(random.nextInt(sim.memberCount()));
                if (!node.isAlive())
                {
                    crashed.remove(node);
                    node.start();
                }
                sim.network().connect(node.id());
            }
            scheduleNext();
        }
    }

    /**
     * Partitions, heals, crashes and restarts, at random intervals.
     */
    private static final class Chaos
    {
        private final Simulation sim;
        private final SplittableRandom random;
        private final List<SimNode> crashed;
        private final long electionMinNs;
        private boolean isStopped;

        Chaos(final Simulation sim, final SplittableRandom random, final List<SimNode> crashed,
            final long electionMinNs)
        {
            this.sim = sim;
            this.random = random;
            this.crashed = crashed;
            this.electionMinNs = electionMinNs;
        }

        void scheduleNext()
        {
            sim.schedule(sim.nowNs() + random.nextLong(electionMinNs / 4, electionMinNs * 4), this::act);
        }

        void stop()
        {
            isStopped = true;
        }

        private void act()
        {
            if (isStopped)
            {
                return;
            }
            final int n = sim.memberCount();
            final int action = random.nextInt(100);
            if (action < 15)
            {
                partitionInTwo(n);
            }
            else if (action < 25)
            {
                // Asymmetric: one direction of a few links fails.
                for (int i = 0, cuts = 1 + random.nextInt(n); i < cuts; i++)
                {
                    sim.network().cutLink(random.nextInt(n), random.nextInt(n));
                }
            }
            else if (action < 45)
            {
                sim.network().healAllLinks();
                for (int i = 0; i < n; i++)
                {
                    sim.network().connect(i);
                }
            }
            else if (action < 60)
            {
                // Crash the leader if there is one, else anyone.
                final SimNode leader = leaderOf(sim);
                final SimNode victim = null != leader && random.nextBoolean() ?
                    leader : sim.node(random.nextInt(n));
                if (victim.isAlive())
                {
                    victim.crash();
                    crashed.add(victim);
                }
            }
            else if (action < 85)
            {
                if (!crashed.isEmpty())
                {
                    final SimNode node = crashed.remove(random.nextInt(crashed.size()));
                    if (!node.isAlive())
                    {
                        node.start();
                    }
                }
            }
            else
            {
                sim.network().disconnect(random.nextInt(n));
            }
            scheduleNext();
        }

        private void partitionInTwo(final int n)
        {
            sim.network().healAllLinks();
            final boolean[] side = new boolean[n];
            for (int i = 0; i < n; i++)
            {
                side[i] = random.nextBoolean();
            }
            for (int a = 0; a < n; a++)
            {
                for (int b = 0; b < n; b++)
                {
                    if (side[a] != side[b])
                    {
                        sim.network().cutLink(a, b);
                    }
                }
            }
        }
    }
}
