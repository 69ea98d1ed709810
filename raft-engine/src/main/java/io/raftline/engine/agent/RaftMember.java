package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A running cluster member: its storage, Aeron publications and subscriptions, and the {@link RaftAgent} that runs
 * the Raft core. Build one from a {@link MemberContext}:
 * <pre>
 * try (RaftMember member = RaftMember.launch(new MemberContext()
 *     .memberId(0).members("0@10.0.0.1:20000,1@10.0.0.2:20000,2@10.0.0.3:20000")
 *     .service(new MyStateMachine())))
 * {
 *     ...
 * }
 * </pre>
 * {@link #launch} runs the agent on its own thread; {@link #create} leaves it to the caller (several members can
 * share one thread through a {@code CompositeAgent}, as {@link LocalCluster} does).
 */
public final class RaftMember implements AutoCloseable
{
    private final MemberContext ctx;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final RaftAgent agent;
    private final MemberStorage storage;
    private final Aeron aeron;
    private final MemberCounters counters;
    private final MediaDriver driver;
    private final EmbeddedAeron embedded;
    private final Agent runnable;
    private AgentRunner runner;

    private RaftMember(
        final MemberContext ctx, final boolean isDedicatedThread, final ConsensusPublisher.Factory publisherFactory)
    {
        this.ctx = ctx;
        ctx.conclude();
        EmbeddedAeron launchedAeron = null;
        MemberStorage openedStorage = null;
        Aeron client = ctx.aeron();
        try
        {
            if (null == client)
            {
                final String aeronDir = ctx.aeronDirectoryName();
                if (null == aeronDir)
                {
                    // The member's own driver and client conductor run on the member's thread: one thread does
                    // all the process's work, with no hand-offs on the data path.
                    launchedAeron = EmbeddedAeron.invokerIn(ctx.driverDir(), "raftline-member-" + ctx.memberId());
                    client = launchedAeron.aeron();
                }
                else
                {
                    client = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir)
                        .clientName("raftline-member-" + ctx.memberId()));
                    owned.add(client);
                }
            }
            this.driver = null;
            this.embedded = launchedAeron;
            this.aeron = client;
            openedStorage = ctx.storageFactory().open(ctx);
            this.storage = openedStorage;
            this.counters = new MemberCounters(aeron, ctx.memberId());
            owned.add(counters);

            final ClusterMembers members = ctx.clusterMembers();
            final String channel = members.channel(ctx.memberId());
            final Subscription consensus = aeron.addSubscription(channel, ctx.consensusStreamBase() + ctx.memberId());
            owned.add(consensus);
            final Subscription ingress = aeron.addSubscription(channel, ctx.ingressStreamBase() + ctx.memberId());
            owned.add(ingress);
            final PeerPublications peers = PeerPublications.open(aeron, ctx, counters);
            owned.add(peers::close);
            final ConsensusPublisher publisher = publisherFactory.create(
                ctx.raftConfig(), storage.log(), storage.snapshots(), peers, ctx.maxFrameLength());
            final SnapshotTaker snapshotTaker =
                new SnapshotTaker(storage.snapshots(), ctx.errorHandler(), ctx.memberId());
            final EgressPublisher egress = new EgressPublisher(aeron, counters);
            final SessionStateMachine sessions = new SessionStateMachine(ctx, counters, egress, snapshotTaker);
            final SessionIngress sessionIngress = new SessionIngress(ctx, counters, egress, sessions);
            this.agent = new RaftAgent(ctx, storage, counters, consensus, ingress, publisher, sessions,
                sessionIngress, snapshotTaker, isDedicatedThread);
            agent.peers(peers);
            this.runnable = null == launchedAeron ? agent : new CompositeAgent(launchedAeron.agent(), agent);
        }
        catch (final RuntimeException ex)
        {
            closeOwned();
            CloseHelper.quietClose(openedStorage);
            CloseHelper.quietClose(launchedAeron);
            throw ex;
        }
        if (isDedicatedThread)
        {
            runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, runnable);
            AgentRunner.startOnThread(runner);
        }
    }

    /**
     * Start a member on its own thread.
     *
     * @param ctx of the member; concluded here.
     * @return the running member.
     */
    public static RaftMember launch(final MemberContext ctx)
    {
        return new RaftMember(ctx, true, ConsensusPublisher::new);
    }

    /**
     * Create a member whose agent the caller runs ({@link #agent()}), alone or composed with others.
     *
     * @param ctx of the member; concluded here.
     * @return the member, not yet running.
     */
    public static RaftMember create(final MemberContext ctx)
    {
        return new RaftMember(ctx, false, ConsensusPublisher::new);
    }

    /**
     * Create a member, not yet running, whose consensus frames go through the given publisher (fault injection).
     */
    static RaftMember create(final MemberContext ctx, final ConsensusPublisher.Factory publisherFactory)
    {
        return new RaftMember(ctx, false, publisherFactory);
    }

    /**
     * An embedded media driver in the first free slot {@code <name>-<n>} under {@link DriverDirectory#defaultBase()}
     * (a dead process's slot is reclaimed), deleted on close. One shared thread: on a small host more spinning
     * threads than cores starve each other.
     *
     * @param name of the directory slots.
     * @return the driver.
     */
    public static MediaDriver launchEmbeddedDriver(final String name)
    {
        return launchEmbeddedDriver(name, new BackoffIdleStrategy());
    }

    /**
     * An embedded media driver with the given idle strategy for its one shared thread. Over UDP the driver is on
     * the data path and a yielding strategy is much faster than backing off; over IPC it is off the data path.
     *
     * @param name         of the directory slots.
     * @param idleStrategy of the driver's thread.
     * @return the driver.
     */
    public static MediaDriver launchEmbeddedDriver(final String name, final IdleStrategy idleStrategy)
    {
        return launchEmbeddedDriver(name, ThreadingMode.SHARED, idleStrategy);
    }

    /**
     * @param name          of the directory slots.
     * @param threadingMode SHARED (its own thread) or INVOKER (the caller runs its duty cycle).
     * @param idleStrategy  of the driver's thread in SHARED mode.
     * @return the driver.
     */
    static MediaDriver launchEmbeddedDriver(
        final String name, final ThreadingMode threadingMode, final IdleStrategy idleStrategy)
    {
        return DriverDirectory.claimSlot(DriverDirectory.defaultBase(), name, CommonContext.DRIVER_TIMEOUT_MS,
            (dir) -> MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir.getAbsolutePath())
            .threadingMode(threadingMode)
            .sharedIdleStrategy(idleStrategy)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            // The async executor's own thread woke about 900 times a second, each time taking a core from a
            // spinning member on a two-core host; its rare tasks run on the conductor instead.
            .asyncExecutorEnabled(false)
            .termBufferSparseFile(true)));
    }

    /**
     * @return the agent, for callers that run it themselves (with the member's embedded Aeron, if it has one).
     */
    public Agent agent()
    {
        return runnable;
    }

    /**
     * @return this member's context.
     */
    public MemberContext context()
    {
        return ctx;
    }

    /**
     * @return the member's role as last seen by the agent.
     */
    public RaftRole role()
    {
        return agent.role();
    }

    /**
     * @return whether the member stopped on an error.
     */
    public boolean isFailed()
    {
        return agent.isFailed();
    }

    /**
     * @return the Aeron directory the member's counters are in.
     */
    public String aeronDirectoryName()
    {
        return null != embedded ? embedded.aeronDirectoryName() : aeron.context().aeronDirectoryName();
    }

    /**
     * @return the commit index as the agent last published it.
     */
    public long commitIndex()
    {
        return counters.commitIndex.get();
    }

    /**
     * @return the last applied index as the agent last published it.
     */
    public long appliedIndex()
    {
        return counters.appliedIndex.get();
    }

    /**
     * @return the current term as the agent last published it.
     */
    public long term()
    {
        return counters.term.get();
    }

    MemberCounters counters()
    {
        return counters;
    }

    RaftAgent raftAgent()
    {
        return agent;
    }

    /**
     * If this member leads, hand leadership to another voter and wait until another member leads, every voter was
     * tried, or {@code timeoutNs} passed. {@link #close()} does it first for a member on its own thread, so a rolling
     * restart costs no election timeout. The agent must keep running meanwhile (its own thread, or the caller's
     * composite on another thread).
     *
     * @param timeoutNs the longest wait.
     * @return whether this member does not lead when it returns.
     */
    public boolean handOverLeadership(final long timeoutNs)
    {
        if (agent.isFailed() || RaftRole.LEADER != agent.role())
        {
            return RaftRole.LEADER != agent.role();
        }
        agent.admin().requestHandover();
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (!agent.admin().isHandoverDone() && !agent.isFailed() && System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(100_000L);
        }
        return RaftRole.LEADER != agent.role();
    }

    /**
     * @return how long a hand-over may take: an election timeout (when the core gives a transfer up) for each other
     * voter, and some heartbeats for the last election.
     */
    long handoverTimeoutNs()
    {
        final int voters = ctx.raftConfig().memberIds().length;
        return Math.max(1, voters - 1) * (ctx.raftConfig().electionTimeoutMaxNs() +
            4 * ctx.raftConfig().heartbeatIntervalNs());
    }

    /**
     * Hand leadership over if this member leads and runs on its own thread ({@link #handOverLeadership}), then stop
     * the agent and release everything the member owns, its storage included.
     */
    public void close()
    {
        if (null != runner)
        {
            handOverLeadership(handoverTimeoutNs());
        }
        closeResources();
        CloseHelper.quietClose(storage);
        CloseHelper.quietClose(embedded);
        CloseHelper.quietClose(driver);
    }

    /**
     * Stop the agent and release the member's Aeron resources and counters, but not its storage (a crash, as seen
     * by its peers).
     */
    void closeResources()
    {
        if (null != runner)
        {
            CloseHelper.quietClose(runner);
            runner = null;
        }
        agent.onClose();
        closeOwned();
    }

    private void closeOwned()
    {
        for (int i = owned.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(owned.get(i));
        }
        owned.clear();
    }
}
