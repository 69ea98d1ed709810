package io.raftline.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The faults a {@link NemesisRun} injects into a {@link NamespaceCluster}: each one starts from the cluster's current
 * state (who leads) and a seeded random, and returns a {@link Fault} that the schedule heals after a while. Faults of
 * different kinds may be active at once.
 */
enum Nemesis
{
    /**
     * One member's link down (no packet in or out), the leader two times in three.
     */
    ISOLATE("isolate")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final int victim = victim(cluster, random, 2);
            final Fault fault = new Fault(this, "isolate member " + victim + role(cluster, victim), 800, 2500);
            cluster.net().link(fault, NamespaceCluster.node(victim), false);
            fault.onHeal(() -> cluster.net().link(fault, NamespaceCluster.node(victim), true));
            return fault;
        }
    },

    /**
     * The members split into a majority and a minority, the leader in the minority.
     */
    MAJORITY_MINORITY("majority-minority")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final List<Integer> minority = new ArrayList<>();
            final int leader = cluster.leaderId();
            minority.add(leader >= 0 ? leader : random.nextInt(cluster.size()));
            final List<Integer> rest = others(cluster, minority);
            while (minority.size() < (cluster.size() - 1) / 2)
            {
                minority.add(rest.remove(random.nextInt(rest.size())));
            }
            final Fault fault = new Fault(this, "minority " + minority + " (leader " + leader + ") | majority " + rest,
                1000, 2500);
            cluster.net().addRules(fault, cut(cluster, minority, rest));
            fault.onHeal(() -> fault.droppedPackets = cluster.net().removeRules(fault));
            return fault;
        }
    },

    /**
     * A member that reaches only one other (the shape of the 2020 Cloudflare etcd outage); PreVote and check-quorum
     * must keep the cluster committing throughout.
     */
    PARTIAL("partial")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final int partial = victim(cluster, random, 1);
            final List<Integer> rest = others(cluster, List.of(partial));
            final int reached = rest.remove(random.nextInt(rest.size()));
            final Fault fault = new Fault(this, "member " + partial + role(cluster, partial) + " reaches only " +
                reached, 2500, 3500).mustStayLive();
            cluster.net().addRules(fault, cut(cluster, List.of(partial), rest));
            fault.onHeal(() -> fault.droppedPackets = cluster.net().removeRules(fault));
            return fault;
        }
    },

    /**
     * Two halves that only one member (the bridge) connects; the cluster must keep committing.
     */
    BRIDGE("bridge")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final int bridge = random.nextInt(cluster.size());
            final List<Integer> rest = others(cluster, List.of(bridge));
            final List<Integer> half = new ArrayList<>();
            while (half.size() < rest.size() / 2)
            {
                half.add(rest.remove(random.nextInt(rest.size())));
            }
            final Fault fault = new Fault(this, half + " | bridge " + bridge + role(cluster, bridge) + " | " + rest,
                2500, 3500).mustStayLive();
            cluster.net().addRules(fault, cut(cluster, half, rest));
            fault.onHeal(() -> fault.droppedPackets = cluster.net().removeRules(fault));
            return fault;
        }
    },

    /**
     * A member's link goes down and up every 50 to 400 ms (the leader more often).
     */
    FLAP("flap")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final int victim = victim(cluster, random, 1);
            final String node = NamespaceCluster.node(victim);
            final Fault fault = new Fault(this, "flap member " + victim + role(cluster, victim), 1500, 3000);
            final AtomicBoolean isHealed = new AtomicBoolean();
            final SplittableRandom flapRandom = random.split();
            final Thread flapper = new Thread(() ->
            {
                boolean isUp = true;
                while (!isHealed.get())
                {
                    isUp = !isUp;
                    cluster.net().link(fault, node, isUp);
                    NamespaceCluster.sleepMs(50 + flapRandom.nextInt(350));
                }
                cluster.net().link(fault, node, true);
            }, "flap-" + node);
            flapper.start();
            fault.onHeal(() ->
            {
                isHealed.set(true);
                try
                {
                    flapper.join();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            return fault;
        }
    },

    /**
     * A one-way cut: the leader's packets to the others are dropped while it still hears them, or the reverse.
     */
    ONE_WAY("one-way")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final int victim = victim(cluster, random, 2);
            final List<Integer> rest = others(cluster, List.of(victim));
            final boolean isOutgoing = random.nextBoolean();
            final Fault fault = new Fault(this, "member " + victim + role(cluster, victim) +
                (isOutgoing ? " cannot send to " : " cannot hear ") + rest, 1000, 2500);
            final List<NetNamespaces.Rule> rules = new ArrayList<>();
            for (final int other : rest)
            {
                rules.add(isOutgoing ? drop(cluster, victim, other) : drop(cluster, other, victim));
            }
            cluster.net().addRules(fault, rules);
            fault.onHeal(() -> fault.droppedPackets = cluster.net().removeRules(fault));
            return fault;
        }
    },

    /**
     * Random loss of 10 to 30% of the packets between members (nftables {@code numgen random}), on every link or on
     * the links of one member.
     */
    LOSS("loss")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final int tenths = 1 + random.nextInt(3);
            final boolean isEveryLink = random.nextBoolean();
            final int victim = victim(cluster, random, 1);
            final Fault fault = new Fault(this, (tenths * 10) + "% loss on " + (isEveryLink ? "every link" :
                "the links of member " + victim + role(cluster, victim)), 1500, 3000);
            final List<NetNamespaces.Rule> rules = new ArrayList<>();
            for (int to = 0; to < cluster.size(); to++)
            {
                for (int from = 0; from < cluster.size(); from++)
                {
                    if (from != to && (isEveryLink || from == victim || to == victim))
                    {
                        rules.add(new NetNamespaces.Rule(NamespaceCluster.node(to), false, "ip saddr " +
                            address(cluster, from) + " numgen random mod 10 < " + tenths + " drop"));
                    }
                }
            }
            cluster.net().addRules(fault, rules);
            fault.onHeal(() -> fault.droppedPackets = cluster.net().removeRules(fault));
            return fault;
        }
    },

    /**
     * SIGSTOP of the leader for longer than the election timeout, then SIGCONT.
     */
    PAUSE_LEADER("pause-leader")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            return pause(this, cluster, cluster.leaderId() >= 0 ? cluster.leaderId() : random.nextInt(cluster.size()));
        }
    },

    /**
     * SIGSTOP of a follower for longer than the election timeout, then SIGCONT.
     */
    PAUSE_FOLLOWER("pause-follower")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final List<Integer> followers = others(cluster, List.of(cluster.leaderId()));
            return pause(this, cluster, followers.get(random.nextInt(followers.size())));
        }
    },

    /**
     * kill -9 of a member (the leader one time in two), restarted when healed.
     */
    KILL("kill")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final int victim = victim(cluster, random, 1);
            final Fault fault = new Fault(this, "kill -9 member " + victim + role(cluster, victim), 300, 1500);
            cluster.kill(victim);
            fault.onHeal(() -> cluster.start(victim));
            return fault;
        }
    },

    /**
     * The leader's log sync blocks for 1.5 to 2.5 s: a new leader must follow within two election timeouts and the
     * stalled member must rejoin.
     */
    STALL_DISK("stall-disk")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final int leader = cluster.leaderId();
            final int victim = leader >= 0 ? leader : random.nextInt(cluster.size());
            final long stallMs = 1500 + random.nextInt(1000);
            final Fault fault = new Fault(this, "member " + victim + role(cluster, victim) + "'s log sync stalls for " +
                stallMs + " ms", stallMs + 300, stallMs + 300);
            if (victim == leader)
            {
                fault.expectNewLeader(leader, cluster.counter(leader, "term"));
            }
            cluster.stallDisk(victim, stallMs);
            return fault;
        }
    },

    /**
     * An operator moves the leadership to another member: {@code admin transfer-leadership} from the client's
     * namespace, as a process of its own, while the load runs and (in a combined schedule) another fault is in force.
     * Its answer must be one clear line; when nothing else is wrong (every member up and caught up, no other fault),
     * it must succeed.
     */
    TRANSFER("transfer")
    {
        Fault start(final NamespaceCluster cluster, final SplittableRandom random)
        {
            final int leader = cluster.leaderId();
            final List<Integer> candidates = others(cluster, List.of(leader));
            final int target = candidates.get(random.nextInt(candidates.size()));
            final Fault fault = new Fault(this, "admin transfer-leadership from " + (leader >= 0 ? leader : "none") +
                " to member " + target, 1000, 2000);
            fault.isTransferOwed = leader >= 0 && cluster.isHealthy(target);
            final NamespaceCluster.Admin admin = cluster.admin("transfer-leadership", Integer.toString(target));
            fault.onHeal(() -> fault.admin = admin.await());
            return fault;
        }
    };

    private final String label;

    Nemesis(final String label)
    {
        this.label = label;
    }

    /**
     * @return the name used in schedules, reports and {@code -Draftline.nemesis=...}.
     */
    String label()
    {
        return label;
    }

    /**
     * @param label as in {@link #label()}.
     * @return the nemesis.
     */
    static Nemesis of(final String label)
    {
        for (final Nemesis nemesis : values())
        {
            if (nemesis.label.equals(label))
            {
                return nemesis;
            }
        }
        throw new IllegalArgumentException("unknown nemesis '" + label + "'");
    }

    /**
     * @param cluster to hurt.
     * @param random  the schedule's.
     * @return the fault, in force.
     */
    abstract Fault start(NamespaceCluster cluster, SplittableRandom random);

    private static Fault pause(final Nemesis nemesis, final NamespaceCluster cluster, final int victim)
    {
        // Longer than the longest election timeout (300 ms at the runs' settings), several times over.
        final Fault fault = new Fault(nemesis, "SIGSTOP member " + victim + role(cluster, victim), 1000, 2500);
        cluster.pause(victim, true);
        fault.onHeal(() -> cluster.pause(victim, false));
        return fault;
    }

    /**
     * @param leaderWeight how many times more likely the leader is picked than any other member (0: never).
     */
    private static int victim(final NamespaceCluster cluster, final SplittableRandom random, final int leaderWeight)
    {
        final int leader = cluster.leaderId();
        if (leader >= 0 && random.nextInt(leaderWeight + 1) < leaderWeight)
        {
            return leader;
        }
        return random.nextInt(cluster.size());
    }

    private static String role(final NamespaceCluster cluster, final int id)
    {
        return id == cluster.leaderId() ? " (leader)" : "";
    }

    private static List<Integer> others(final NamespaceCluster cluster, final List<Integer> excluded)
    {
        final List<Integer> others = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++)
        {
            if (!excluded.contains(i))
            {
                others.add(i);
            }
        }
        return others;
    }

    private static String address(final NamespaceCluster cluster, final int id)
    {
        return cluster.net().address(NamespaceCluster.node(id));
    }

    /**
     * @return the rule that drops, at {@code to}, every packet from {@code from}.
     */
    private static NetNamespaces.Rule drop(final NamespaceCluster cluster, final int from, final int to)
    {
        return new NetNamespaces.Rule(NamespaceCluster.node(to), false, "ip saddr " + address(cluster, from) + " drop");
    }

    /**
     * @return the rules that cut every link between the two sides, both ways.
     */
    private static List<NetNamespaces.Rule> cut(final NamespaceCluster cluster, final List<Integer> left,
        final List<Integer> right)
    {
        final List<NetNamespaces.Rule> rules = new ArrayList<>();
        for (final int a : left)
        {
            for (final int b : right)
            {
                rules.add(drop(cluster, a, b));
                rules.add(drop(cluster, b, a));
            }
        }
        return rules;
    }

    /**
     * One fault in force: what it did, how long the schedule holds it, and what the checks measured during it.
     */
    static final class Fault
    {
        final Nemesis nemesis;
        final String description;
        final long minHoldMs;
        final long maxHoldMs;
        private Runnable heal = () -> {};
        boolean isLivenessRequired;
        int expectedOldLeader = -1;
        long expectedOldTerm;
        long startNs;
        long healNs;
        long commitAtSettle = Long.MIN_VALUE;
        long commitAtHeal = Long.MIN_VALUE;
        long longestWithoutCommitNs;
        boolean isClosed;
        boolean isAlone;
        boolean isUnloaded;
        long droppedPackets = -1;
        boolean isTransferOwed;
        NamespaceCluster.AdminOutcome admin;

        Fault(final Nemesis nemesis, final String description, final long minHoldMs, final long maxHoldMs)
        {
            this.nemesis = nemesis;
            this.description = description;
            this.minHoldMs = minHoldMs;
            this.maxHoldMs = maxHoldMs;
        }

        Fault mustStayLive()
        {
            isLivenessRequired = true;
            return this;
        }

        void expectNewLeader(final int oldLeader, final long oldTerm)
        {
            expectedOldLeader = oldLeader;
            expectedOldTerm = oldTerm;
        }

        void onHeal(final Runnable heal)
        {
            this.heal = heal;
        }

        void heal()
        {
            heal.run();
        }

        @Override
        public String toString()
        {
            return nemesis.label + ": " + description;
        }
    }
}
