package io.raftline.engine.sim;

import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftReads;
import io.raftline.engine.core.RaftRole;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads without a log write, in the simulator with scripted faults: every answer passes
 * {@link Invariants#onReadAnswered} (the state at an index at least the highest committed anywhere when the read
 * arrived), and the scenarios check who may answer when: a deposed leader's ReadIndex read never answers, its lease
 * reads stop before a new leader can commit, even on a clock that runs slow within the drift bound, and a clock that
 * runs slower than the bound allows is caught serving a stale read.
 */
class ReadsSimulationTest
{
    private static final long MS = 1_000_000L;

    private static Simulation cluster(final long seed, final boolean lease, final boolean checkQuorum)
    {
        final RaftConfig.Builder config = RaftConfig.builder()
            .heartbeatIntervalNs(10 * MS)
            .electionTimeoutNs(100 * MS, 200 * MS)
            .checkQuorum(checkQuorum)
            .leaseReads(lease)
            .leaseClockDriftNs(10 * MS);
        final SimNetwork.Faults faults = new SimNetwork.Faults();
        faults.minDelayNs = 50_000;
        faults.maxDelayNs = 300_000;
        final Simulation sim = new Simulation(seed, "ReadsSimulationTest seed " + seed, 3, config, faults);
        sim.startAll();
        sim.runFor(1_000 * MS);
        return sim;
    }

    private static SimNode leader(final Simulation sim)
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

    private static void write(final Simulation sim, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final SimNode leader = leader(sim);
            assertNotNull(leader, "a leader");
            leader.propose(new byte[]{(byte)i});
            sim.runFor(MS);
        }
        sim.runFor(50 * MS);
    }

    @Test
    void everyLevelIsAnsweredOnAHealthyCluster()
    {
        final Simulation sim = cluster(1, true, true);
        write(sim, 20);
        final SimNode leader = leader(sim);
        for (final SimNode node : sim.nodes())
        {
            for (int level = RaftReads.LINEARIZABLE; level <= RaftReads.FOLLOWER; level++)
            {
                if (node == leader || RaftReads.FOLLOWER == level)
                {
                    assertTrue(node.read(level) > 0, "member " + node.id() + " takes a read of level " + level);
                }
            }
        }
        sim.runFor(100 * MS);
        assertEquals(2, leader.readsAnswered()[RaftReads.LINEARIZABLE],
            "the ReadIndex read, and the follower read the leader took as one");
        assertEquals(1, leader.readsAnswered()[RaftReads.LEASE]);
        for (final SimNode node : sim.nodes())
        {
            if (node != leader)
            {
                assertEquals(1, node.readsAnswered()[RaftReads.FOLLOWER], "follower read at member " + node.id());
            }
        }
    }

    @Test
    void oneConfirmationRoundServesEveryReadThatArrivedBeforeIt()
    {
        final Simulation sim = cluster(2, false, true);
        write(sim, 5);
        final SimNode leader = leader(sim);
        final long roundsBefore = leader.core().reads().confirmedRound();
        for (int i = 0; i < 200; i++)
        {
            assertTrue(leader.read(RaftReads.LINEARIZABLE) > 0);
        }
        sim.runFor(5 * MS);
        assertEquals(200, leader.readsAnswered()[RaftReads.LINEARIZABLE]);
        // The first read starts a round at once; the other 199 arrive while it is in flight and share the next one.
        assertEquals(roundsBefore + 2, leader.core().reads().confirmedRound(), "two rounds for 200 reads");
        assertEquals(0, leader.core().reads().pending(RaftReads.LINEARIZABLE));
    }

    /**
     * The classic stale read (etcd 0.4, Consul): the leader is cut off from the majority, which elects a leader and
     * writes; a ReadIndex read at the old leader cannot gather a majority's echo, so it never answers. Check-quorum is
     * off so that the old leader goes on believing it leads.
     */
    @Test
    void aDeposedLeadersReadIndexReadNeverAnswers()
    {
        final Simulation sim = cluster(3, false, false);
        write(sim, 10);
        final SimNode oldLeader = leader(sim);
        sim.network().disconnect(oldLeader.id());
        sim.runFor(1_000 * MS);
        final SimNode newLeader = leader(sim);
        assertNotEquals(oldLeader, newLeader, "the majority elected another leader");
        write(sim, 10);
        assertTrue(newLeader.core().commitIndex() > oldLeader.core().commitIndex(), "the majority wrote");

        assertEquals(RaftRole.LEADER, oldLeader.core().role(), "the old leader still believes it leads");
        final long answeredBefore = oldLeader.readsAnswered()[RaftReads.LINEARIZABLE];
        assertTrue(oldLeader.read(RaftReads.LINEARIZABLE) > 0, "the old leader takes the read");
        sim.runFor(2_000 * MS);
        assertEquals(answeredBefore, oldLeader.readsAnswered()[RaftReads.LINEARIZABLE], "no answer while cut off");
        assertEquals(1, oldLeader.core().reads().pending(RaftReads.LINEARIZABLE));

        sim.network().connect(oldLeader.id());
        sim.runFor(500 * MS);
        assertEquals(answeredBefore, oldLeader.readsAnswered()[RaftReads.LINEARIZABLE], "it failed, never answered");
        assertEquals(0, oldLeader.core().reads().pending(RaftReads.LINEARIZABLE));
        assertNotEquals(RaftRole.LEADER, oldLeader.core().role());
    }

    @Test
    void aDeposedLeadersLeaseReadsStopBeforeANewLeaderCommitsEvenOnASlowClockWithinTheDriftBound()
    {
        for (long seed = 10; seed < 20; seed++)
        {
            // Drift bound 10 ms over a minimum election timeout of 100 ms: a clock up to 10% slow is within it.
            final LeaseRun run = leaseRun(seed, 0.91);
            assertTrue(run.answeredWhileCut > 0, "seed " + seed + ": the lease served reads after the cut");
            assertTrue(run.lastAnswerNs < run.newLeaderCommitNs, "seed " + seed + ": last lease answer at " +
                run.lastAnswerNs / MS + " ms, the new leader committed at " + run.newLeaderCommitNs / MS + " ms");
        }
    }

    @Test
    void aClockSlowerThanTheDriftBoundServesAStaleLeaseReadAndTheCheckCatchesIt()
    {
        final SimulationFailure failure = assertThrows(SimulationFailure.class, () -> leaseRun(10, 0.3));
        assertTrue(failure.getMessage().contains("stale lease read"), failure.getMessage());
    }

    /**
     * Regression (seed 11 of the random runs): a follower that restarted in the same term numbered its read index
     * requests from 1 again, so an answer to its earlier life's request 1, replayed by the network, passed for the
     * answer to its new request 1 and a read was answered at an old read index.
     */
    @Test
    void aRestartedFollowerTakesNoAnswerToARequestOfItsEarlierLife()
    {
        final Simulation sim = cluster(4, false, true);
        write(sim, 10);
        final SimNode leader = leader(sim);
        final SimNode follower = sim.node((leader.id() + 1) % 3);
        follower.crash();
        follower.start();
        sim.runFor(300 * MS);
        assertEquals(leader.id(), follower.core().leaderId());
        sim.network().cutLink(follower.id(), leader.id());
        assertTrue(follower.read(RaftReads.FOLLOWER) > 0);
        final io.raftline.engine.protocol.ConsensusEncoder encoder = new io.raftline.engine.protocol.ConsensusEncoder();
        final org.agrona.ExpandableArrayBuffer frame = new org.agrona.ExpandableArrayBuffer(64);
        final int length = encoder.readIndexResponse(frame, 0, leader.id(), follower.id(),
            follower.core().currentTerm(), 1, 1, true);
        final byte[] bytes = new byte[length];
        frame.getBytes(0, bytes);
        follower.deliver(bytes);
        sim.runFor(10 * MS);
        assertEquals(0, follower.readsAnswered()[RaftReads.FOLLOWER], "the old answer was not taken");
        assertEquals(1, follower.core().reads().pending(RaftReads.FOLLOWER));
    }

    /**
     * With leases on, members refuse votes while they hear from a leader; a leadership transfer's candidate says so in
     * its vote requests and wins, and the old leader gives up its lease as it starts the transfer.
     */
    @Test
    void aLeadershipTransferWinsDespiteLeaseStickinessAndRevokesTheLease()
    {
        final Simulation sim = cluster(5, true, true);
        write(sim, 10);
        final SimNode oldLeader = leader(sim);
        oldLeader.read(RaftReads.LEASE);
        sim.runFor(5 * MS);
        assertTrue(oldLeader.core().reads().leaseEndNs() > sim.nowNs(), "the leader holds a lease");
        final SimNode target = sim.node((oldLeader.id() + 1) % 3);
        assertTrue(oldLeader.core().transferLeadership(target.id(), sim.nowNs()));
        assertEquals(Long.MIN_VALUE, oldLeader.core().reads().leaseEndNs(), "the transfer revoked the lease");
        sim.runFor(500 * MS);
        assertEquals(target, leader(sim), "the transfer's target leads");
        assertEquals(RaftRole.LEADER, target.core().role());
    }

    /**
     * With leases on, a member that hears from its leader ignores a vote request of a later term that is not a
     * transfer's: the lease rests on it.
     */
    @Test
    void withLeasesAMemberThatHearsFromItsLeaderIgnoresAnOrdinaryVoteRequest()
    {
        final Simulation sim = cluster(6, true, true);
        write(sim, 5);
        final SimNode leader = leader(sim);
        final SimNode follower = sim.node((leader.id() + 1) % 3);
        final SimNode candidate = sim.node((leader.id() + 2) % 3);
        final long term = follower.core().currentTerm();
        final io.raftline.engine.protocol.ConsensusEncoder encoder = new io.raftline.engine.protocol.ConsensusEncoder();
        final org.agrona.ExpandableArrayBuffer frame = new org.agrona.ExpandableArrayBuffer(64);
        final int length = encoder.requestVote(frame, 0, candidate.id(), follower.id(), term + 1,
            follower.core().log().lastIndex(), follower.core().log().lastTerm(), false, 1, false);
        final byte[] bytes = new byte[length];
        frame.getBytes(0, bytes);
        follower.deliver(bytes);
        assertEquals(term, follower.core().currentTerm(), "the vote request moved nothing");
        assertNotEquals(candidate.id(), follower.core().votedFor(), "and got no vote");
        assertEquals(leader.id(), follower.core().leaderId());
    }

    private record LeaseRun(long answeredWhileCut, long lastAnswerNs, long newLeaderCommitNs)
    {
    }

    /**
     * Cut the leader off, with its clock at {@code rate} of the others', and read from its lease every millisecond
     * until well after the majority's new leader committed.
     */
    private static LeaseRun leaseRun(final long seed, final double rate)
    {
        final Simulation sim = cluster(seed, true, false);
        write(sim, 10);
        final SimNode oldLeader = leader(sim);
        oldLeader.clockRate(rate);
        sim.runFor(300 * MS);
        assertEquals(RaftRole.LEADER, oldLeader.core().role());
        oldLeader.read(RaftReads.LEASE);
        sim.runFor(MS);
        final long committedBefore = oldLeader.core().commitIndex();
        sim.network().disconnect(oldLeader.id());
        final long answeredAtCut = oldLeader.readsAnswered()[RaftReads.LEASE];
        long lastAnswerNs = -1;
        long newLeaderCommitNs = Long.MAX_VALUE;
        long answered = answeredAtCut;
        final long endNs = sim.nowNs() + 1_500 * MS;
        while (sim.nowNs() < endNs)
        {
            final long result = oldLeader.read(RaftReads.LEASE);
            assertTrue(result > 0 || RaftNode.NOT_LEADER == result, "lease read result " + result);
            final SimNode current = leader(sim);
            if (null != current && current != oldLeader)
            {
                // A write of the new term, as soon as there is a new leader; its commit is what a stale read misses.
                current.propose(new byte[]{7});
            }
            sim.runFor(MS);
            if (oldLeader.readsAnswered()[RaftReads.LEASE] > answered)
            {
                answered = oldLeader.readsAnswered()[RaftReads.LEASE];
                lastAnswerNs = sim.nowNs();
            }
            for (final SimNode node : sim.nodes())
            {
                if (node != oldLeader && node.core().commitIndex() > committedBefore &&
                    newLeaderCommitNs == Long.MAX_VALUE)
                {
                    newLeaderCommitNs = sim.nowNs();
                }
            }
        }
        assertTrue(newLeaderCommitNs < Long.MAX_VALUE, "the majority committed");
        return new LeaseRun(answered - answeredAtCut, lastAnswerNs, newLeaderCommitNs);
    }
}
