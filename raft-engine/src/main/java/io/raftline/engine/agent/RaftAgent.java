package io.raftline.engine.agent;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.raftline.engine.core.DeferredOutbox;
import io.raftline.engine.core.DutyCycle;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import io.raftline.engine.protocol.ConsensusDecoder;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;

import java.util.SplittableRandom;

/**
 * One member's duty cycle, as an Agrona {@link Agent}: read the clock once; poll consensus and client frames
 * (bounded); let the core run its timers, replicate and apply; sync the stores if anything changed, tell the core,
 * apply what that committed, and only then release the messages that promise durable state; flush client answers.
 * Housekeeping (counters, session timeouts) runs on a 10 ms slow tick.
 * <p>
 * A broken safety invariant or a failing state machine stops the member (fail-stop): it stops answering, so the
 * cluster carries on without it, and the error is counted and reported. Malformed input never throws; it is
 * counted by the adapters.
 */
final class RaftAgent implements Agent
{
    private static final long SLOW_TICK_INTERVAL_NS = 10_000_000L;

    private final MemberContext ctx;
    private final MemberStorage storage;
    private final MemberCounters counters;
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final Subscription consensusSubscription;
    private final Subscription ingressSubscription;
    private final FragmentAssembler consensusAssembler;
    private final FragmentAssembler ingressAssembler;
    private final ConsensusAdapter consensusAdapter;
    private final IngressAdapter ingressAdapter;
    private final ConsensusPublisher publisher;
    private final SessionStateMachine sessions;
    private final SessionIngress sessionIngress;
    private final MemberRole memberRole;
    private final SnapshotTaker snapshotTaker;
    private final AdminHandler admin;
    private PeerPublications peers;
    private long reportedRemovedCount;
    private final ConsensusDecoder decoder;
    private final RaftNode node;
    private final DutyCycle cycle;
    private final int fragmentLimit;
    private final boolean terminatesOnFailure;
    private final String roleName;
    private long slowTickDeadlineNs;
    private long lastCycleEndNs;
    private final long pauseThresholdNs;
    private long publishedCommitIndex;
    private long publishedAppliedIndex;
    private volatile boolean isFailed;

    RaftAgent(
        final MemberContext ctx,
        final MemberStorage storage,
        final MemberCounters counters,
        final Subscription consensusSubscription,
        final Subscription ingressSubscription,
        final ConsensusPublisher publisher,
        final SessionStateMachine sessions,
        final SessionIngress sessionIngress,
        final SnapshotTaker snapshotTaker,
        final boolean terminatesOnFailure)
    {
        this.snapshotTaker = snapshotTaker;
        this.ctx = ctx;
        this.storage = storage;
        this.counters = counters;
        this.clock = ctx.nanoClock();
        this.errorHandler = ctx.errorHandler();
        this.consensusSubscription = consensusSubscription;
        this.ingressSubscription = ingressSubscription;
        this.publisher = publisher;
        this.sessions = sessions;
        this.sessionIngress = sessionIngress;
        this.memberRole = new MemberRole(ctx.memberId(), counters, sessionIngress);
        this.fragmentLimit = ctx.fragmentLimit();
        this.terminatesOnFailure = terminatesOnFailure;
        this.roleName = "raftline-member-" + ctx.memberId();
        this.decoder = new ConsensusDecoder(ctx.raftConfig(), counters);
        final DeferredOutbox outbox = new DeferredOutbox(publisher);
        final ElectionCauses electionCauses = new ElectionCauses(counters.timeoutElections, counters.transferElections,
            counters.timeoutPreVotes);
        this.node = new RaftNode(
            ctx.raftConfig(),
            storage.log(),
            storage.metadata(),
            storage.snapshots(),
            outbox,
            sessions,
            new SplittableRandom(ctx.randomSeed()),
            electionCauses,
            memberRole,
            clock.nanoTime());
        decoder.node(node);
        sessions.node(node);
        // Cluster time is ns since the epoch; the cycle's clock is monotonic with an arbitrary origin: one offset,
        // measured here, turns one into the other, so stamps advance with the monotonic clock.
        node.clusterClock().epochOffsetNs(new SystemEpochNanoClock().nanoTime() - clock.nanoTime());
        sessions.cluster().onStart();
        sessionIngress.node(node);
        this.admin = new AdminHandler(ctx, counters, sessionIngress.egress(), sessions, electionCauses);
        admin.node(node);
        sessionIngress.beforeLeaderRedirects(admin::onBecomeLeader);
        sessionIngress.notLeaderConnect(admin::onNotLeaderConnect);
        this.cycle = new DutyCycle(node, this::pollInputs, this::syncStorage, publisher::releasePending, outbox);
        // Far above any idle strategy's sleep, far below an election timeout.
        this.pauseThresholdNs = ctx.raftConfig().electionTimeoutMinNs() / 4;
        this.consensusAdapter = new ConsensusAdapter(decoder);
        this.ingressAdapter = new IngressAdapter(sessionIngress, counters, ctx.maxCommandLength());
        ingressAdapter.admin(admin);
        this.consensusAssembler = new FragmentAssembler(consensusAdapter, 64 * 1024, true);
        this.ingressAssembler = new FragmentAssembler(ingressAdapter, 64 * 1024, true);
    }

    public String roleName()
    {
        return roleName;
    }

    RaftNode node()
    {
        return node;
    }

    boolean isFailed()
    {
        return isFailed;
    }

    /**
     * Follow the configuration: the peers' publications open and close with it, the frames of removed members are
     * rejected (unless from the leader this member follows: a leader that removed itself leads until the change
     * commits), and sessions hear of new members. The core reports the configuration in effect at once.
     */
    void peers(final PeerPublications peers)
    {
        this.peers = peers;
        decoder.senderFilter((senderId) -> peers.isRetired(senderId) && senderId != node.leaderId());
        node.membershipListener((membership) ->
        {
            peers.onMembershipChange(membership);
            admin.onMembershipChange(membership);
        });
        final String mismatch = node.membershipChanges().bootstrapMismatch();
        if (null != mismatch)
        {
            // The command line's member list only bootstraps a new cluster: the log's configuration is the one.
            System.err.println("raftline member " + ctx.memberId() + ": " + mismatch);
        }
    }

    PeerPublications peers()
    {
        return peers;
    }

    /**
     * @return the admin side of this member, through which a shutdown hands leadership over.
     */
    AdminHandler admin()
    {
        return admin;
    }

    RaftRole role()
    {
        return memberRole.role();
    }

    public int doWork()
    {
        if (isFailed)
        {
            return 0;
        }
        try
        {
            return dutyCycle();
        }
        catch (final AgentTerminationException ex)
        {
            throw ex;
        }
        catch (final Throwable t)
        {
            fail(t);
            return 0;
        }
    }

    private int dutyCycle()
    {
        final long nowNs = clock.nanoTime();
        // Only the time between the end of the last cycle and the start of this one: time spent inside a cycle
        // (a slow sync) is time this member ran, and its silence then is the network's, not a pause.
        final long betweenCyclesNs = 0 == lastCycleEndNs ? 0 : nowNs - lastCycleEndNs;
        if (betweenCyclesNs > pauseThresholdNs)
        {
            // This thread did not run (a GC, or the members it shares a thread with): nobody else is to blame for
            // the silence, so the core's timers stop for it.
            node.onPause(betweenCyclesNs);
            counters.pauses.increment();
        }
        int workCount = 0;
        if (nowNs >= slowTickDeadlineNs)
        {
            workCount += slowTick(nowNs);
            slowTickDeadlineNs = nowNs + SLOW_TICK_INTERVAL_NS;
        }

        workCount += cycle.run(nowNs);
        workCount += sessionIngress.doWork(nowNs);
        workCount += admin.doWork(nowNs);
        publishProgress();
        if (workCount > 0)
        {
            // An idle cycle is short by construction: skip the second clock read there (a busy-spinning member
            // runs millions of idle cycles, and the clock was a fifth of the shared thread's time).
            final long endNs = clock.nanoTime();
            recordCycleLength(endNs - nowNs);
            lastCycleEndNs = endNs;
        }
        else
        {
            lastCycleEndNs = nowNs;
        }
        return workCount;
    }

    /**
     * The poll step of the core's {@link DutyCycle}: consensus frames, client frames, a finished snapshot.
     */
    private int pollInputs(final long nowNs)
    {
        final int opened = null == peers ? 0 : peers.poll();
        consensusAdapter.nowNs(nowNs);
        int workCount = consensusSubscription.poll(consensusAssembler, fragmentLimit);
        consensusAdapter.rethrowFailure();
        ingressAdapter.nowNs(nowNs);
        sessionIngress.nowNs(nowNs);
        workCount += ingressSubscription.poll(ingressAssembler, fragmentLimit);
        ingressAdapter.rethrowFailure();
        workCount += sessions.cluster().proposeDue();

        workCount += opened;
        final long snapshotOutcome = snapshotTaker.pollCompleted();
        if (SnapshotTaker.NONE != snapshotOutcome)
        {
            if (SnapshotTaker.FAILED == snapshotOutcome)
            {
                counters.errors.increment();
                node.onSnapshotFailed();
            }
            else
            {
                node.onSnapshotTaken(snapshotOutcome);
            }
            workCount++;
        }
        return workCount;
    }

    private boolean syncStorage()
    {
        storage.log().sync();
        storage.metadata().sync();
        return true;
    }

    /**
     * @return stalls of this member's thread that the core was told to discount.
     */
    long pausesDiscounted()
    {
        return counters.pauses.get();
    }

    private void recordCycleLength(final long cycleNs)
    {
        // Compared with the counter, not with a field of this agent: a reader that writes 0 to the counter
        // (RaftStat.resetMaxDutyCycles) starts a new window, e.g. one phase of a load test.
        if (cycleNs > counters.maxCycleNs.get())
        {
            counters.maxCycleNs.setRelease(cycleNs);
        }
        if (cycleNs > 1_000_000L)
        {
            counters.slowCycles.increment();
        }
    }

    private void publishProgress()
    {
        final long commitIndex = node.commitIndex();
        if (commitIndex != publishedCommitIndex)
        {
            publishedCommitIndex = commitIndex;
            counters.commitIndex.setRelease(commitIndex);
        }
        final long appliedIndex = node.lastApplied();
        if (appliedIndex != publishedAppliedIndex)
        {
            publishedAppliedIndex = appliedIndex;
            counters.appliedIndex.setRelease(appliedIndex);
        }
    }

    private int slowTick(final long nowNs)
    {
        counters.term.setRelease(node.currentTerm());
        counters.lastLogIndex.setRelease(storage.log().lastIndex());
        counters.leaderId.setRelease(node.leaderId());
        counters.elections.setRelease(node.electionCount());
        counters.sessions.setRelease(sessions.sessionCount());
        counters.consensusBackPressure.setRelease(publisher.backPressureCount());
        final long removedCount = node.membershipChanges().removedCount();
        if (removedCount != reportedRemovedCount)
        {
            reportedRemovedCount = removedCount;
            counters.removed.setRelease(removedCount);
            System.err.println("raftline member " + ctx.memberId() + ": removed from the configuration " +
                node.membership() + "; it no longer campaigns");
        }
        return sessionIngress.slowTick(nowNs);
    }

    private void fail(final Throwable t)
    {
        isFailed = true;
        counters.errors.increment();
        errorHandler.onError(new IllegalStateException("member " + ctx.memberId() + " stopped: " + t, t));
        if (terminatesOnFailure)
        {
            throw new AgentTerminationException(t);
        }
    }

    public void onClose()
    {
        if (!isFailed)
        {
            try
            {
                sessions.cluster().onTerminate();
            }
            catch (final Throwable t)
            {
                // The member closes whatever the service does in its last callback.
                counters.errors.increment();
                errorHandler.onError(t);
            }
        }
        sessionIngress.close();
        publisher.close();
        snapshotTaker.close();
    }
}
