package io.raftline.engine.sim;

import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftRole;

import java.nio.ByteBuffer;

/**
 * A 3-member cluster in the simulator, narrated: election, replication of a replicated counter's commands, a
 * leader crash and recovery. Run with {@code mvn -q -pl raft-engine validate exec:exec@simulated-demo}.
 */
public final class SimulatedClusterDemo
{
    private SimulatedClusterDemo()
    {
    }

    /**
     * @param args an optional seed.
     */
    public static void main(final String[] args)
    {
        final long seed = args.length > 0 ? Long.parseLong(args[0]) : 2026L;
        final long ms = 1_000_000L;
        final RaftConfig.Builder config = RaftConfig.builder()
            .heartbeatIntervalNs(10 * ms)
            .electionTimeoutNs(50 * ms, 100 * ms);
        final SimNetwork.Faults faults = new SimNetwork.Faults();
        faults.minDelayNs = 20_000;
        faults.maxDelayNs = 200_000;
        final Simulation sim = new Simulation(seed, "demo seed " + seed, 3, config, faults);
        final long[] counters = new long[3];
        sim.applyListener((member, index, term, payload) ->
        {
            if (8 == payload.length)
            {
                counters[member] += ByteBuffer.wrap(payload).getLong();
            }
        });
        sim.startAll();

        System.out.printf("Raftline simulated 3-member cluster (seed %d)%n", seed);
        sim.runFor(300 * ms);
        SimNode leader = leader(sim);
        System.out.printf("%8.1f ms  member %d leads term %d%n", sim.nowNs() / 1e6, leader.id(),
            leader.core().currentTerm());

        final int commands = 10_000;
        long proposed = 0;
        final long startNs = sim.nowNs();
        for (int i = 0; i < commands; i++)
        {
            leader = leader(sim);
            if (null != leader && leader.propose(ByteBuffer.allocate(8).putLong(1).array()) > 0)
            {
                proposed++;
            }
            sim.runFor(100_000);
            if (i == commands / 2)
            {
                System.out.printf("%8.1f ms  crash leader %d after %d commands%n", sim.nowNs() / 1e6, leader.id(), i);
                leader.crash();
            }
            if (i == commands / 2 + 2000)
            {
                for (final SimNode node : sim.nodes())
                {
                    if (!node.isAlive())
                    {
                        System.out.printf("%8.1f ms  restart member %d (its counter is rebuilt from the log)%n",
                            sim.nowNs() / 1e6, node.id());
                        counters[node.id()] = 0;
                        node.start();
                    }
                }
            }
        }
        sim.runFor(500 * ms);
        leader = leader(sim);
        System.out.printf("%8.1f ms  member %d leads term %d; %d of %d proposals accepted in %.1f ms simulated%n",
            sim.nowNs() / 1e6, leader.id(), leader.core().currentTerm(), proposed, commands,
            (sim.nowNs() - startNs) / 1e6);
        for (final SimNode node : sim.nodes())
        {
            System.out.printf("  member %d: commit index %d, applied %d, counter %d%n", node.id(),
                node.core().commitIndex(), node.core().lastApplied(), counters[node.id()]);
        }
        System.out.printf("%d simulation steps, every Raft invariant checked after each; network sent %d requests%n",
            sim.steps(), sim.network().requestsSent());
    }

    private static SimNode leader(final Simulation sim)
    {
        for (final SimNode node : sim.nodes())
        {
            if (node.isAlive() && RaftRole.LEADER == node.core().role())
            {
                return node;
            }
        }
        return null;
    }
}
