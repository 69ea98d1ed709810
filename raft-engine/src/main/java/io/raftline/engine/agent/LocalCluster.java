package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftline.engine.RaftService;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.DynamicCompositeAgent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

/**
 * A whole cluster in one process over Aeron IPC: one embedded media driver, one Aeron client, and every member's
 * agent on one shared thread through a {@link CompositeAgent}. On a small host this is the fastest arrangement:
 * the driver is off the IPC data path, and one spinning thread serves all members without starving the others.
 */
public final class LocalCluster implements AutoCloseable
{
    /**
     * System property: where the embedded media driver runs, {@value #DRIVER_THREAD} (its own thread, backing off
     * when idle) or {@value #DRIVER_INVOKER} (on the members' shared thread, one thread fewer).
     */
    public static final String DRIVER_PROP_NAME = "raftline.local.driver";

    /**
     * The driver on its own thread.
     */
    public static final String DRIVER_THREAD = "thread";

    /**
     * The driver's duty cycle on the members' shared thread.
     */
    public static final String DRIVER_INVOKER = "invoker";

    /**
     * Default of {@link #DRIVER_PROP_NAME}.
     */
    public static final String DRIVER_DEFAULT = DRIVER_THREAD;

    private final MediaDriver driver;
    private final Aeron aeron;
    private final List<RaftMember> members = new ArrayList<>();
    private final List<MemberContext> contexts = new ArrayList<>();
    private final List<MemberStorage> storages = new ArrayList<>();
    private final IntFunction<RaftService> services;
    private final ConsensusPublisher.Factory publisherFactory;
    private final DynamicCompositeAgent composite;
    private final MemberStorage.Factory templateStorage;
    private final AgentRunner runner;

    private LocalCluster(final int size, final MemberContext template, final IntFunction<RaftService> services,
        final ConsensusPublisher.Factory publisherFactory)
    {
        this.services = services;
        this.publisherFactory = publisherFactory;
        this.templateStorage = template.storageFactory();
        final boolean isDriverOnSharedThread =
            DRIVER_INVOKER.equals(System.getProperty(DRIVER_PROP_NAME, DRIVER_DEFAULT));
        driver = isDriverOnSharedThread ?
            RaftMember.launchEmbeddedDriver("raftline-local", ThreadingMode.INVOKER, new BackoffIdleStrategy()) :
            RaftMember.launchEmbeddedDriver("raftline-local");
        try
        {
            // One lock for the client's conductor and the driver: a blocking client call made on another thread
            // (a member created, crashed or restarted from the caller's thread) does the driver's work itself while
            // it waits, holding this lock, and the shared thread does it only when it holds the lock.
            final ReentrantLock clientLock = new ReentrantLock();
            final Aeron.Context aeronContext = new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .useConductorAgentInvoker(true)
                .clientLock(clientLock)
                .clientName("raftline-local-cluster");
            if (isDriverOnSharedThread)
            {
                aeronContext.driverAgentInvoker(driver.sharedAgentInvoker());
            }
            aeron = Aeron.connect(aeronContext);
            final StringBuilder ids = new StringBuilder();
            for (int i = 0; i < size; i++)
            {
                ids.append(0 == i ? "" : ",").append(i);
            }
            final List<Agent> agents = new ArrayList<>();
            agents.add(new ConductorAgent(isDriverOnSharedThread ? driver.sharedAgentInvoker() : null,
                aeron.conductorAgentInvoker(), clientLock));
            for (int i = 0; i < size; i++)
            {
                final MemberContext ctx = template.copy()
                    .memberId(i)
                    .members(ids.toString())
                    .aeron(aeron)
                    .randomSeed(template.randomSeed() + i)
                    .service(services.apply(i));
                final MemberStorage.Factory factory = null != template.storageFactory() ?
                    template.storageFactory() : null;
                final int memberId = i;
                contexts.add(ctx);
                storages.add(null);
                // The storage outlives a crash of the member, as files on disk do.
                ctx.storageFactory((concluded) -> keptStorage(memberId, concluded, factory));
                final RaftMember member = RaftMember.create(ctx.copy(), publisherFactory);
                members.add(member);
                agents.add(member.agent());
            }
            composite = new DynamicCompositeAgent("raftline-local-cluster", agents);
            runner = new AgentRunner(members.get(0).context().idleStrategy(), template.errorHandler() != null ?
                template.errorHandler() : Throwable::printStackTrace, null, composite);
            AgentRunner.startOnThread(runner);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Start a cluster of {@code size} members, ids 0 .. size - 1.
     *
     * @param size     of the cluster.
     * @param template settings shared by the members (memberId, members and aeron are filled in).
     * @param services one state machine per member id.
     * @return the running cluster.
     */
    public static LocalCluster start(final int size, final MemberContext template,
        final IntFunction<RaftService> services)
    {
        return new LocalCluster(size, template, services, ConsensusPublisher::new);
    }

    /**
     * Start a cluster whose members send their consensus frames through the given publishers (fault injection in
     * tests: partitions, lost frames).
     */
    static LocalCluster start(final int size, final MemberContext template,
        final IntFunction<RaftService> services, final ConsensusPublisher.Factory publisherFactory)
    {
        return new LocalCluster(size, template, services, publisherFactory);
    }

    private MemberStorage keptStorage(final int memberId, final MemberContext ctx,
        final MemberStorage.Factory factory)
    {
        MemberStorage storage = storages.get(memberId);
        if (null == storage || StorageType.FILE == ctx.storage())
        {
            storage = null != factory ? factory.open(ctx) : StorageType.MEMORY == ctx.storage() ?
                MemberContext.inMemoryStorage(ctx) : FileStorage.open(ctx);
            storages.set(memberId, storage);
        }
        return storage;
    }

    /**
     * Crash a member: its agent stops and its Aeron resources close, as if its process died. Its storage stays:
     * in memory for {@code storage=memory}, on disk for {@code storage=file}.
     *
     * @param memberId of the member.
     */
    public void crash(final int memberId)
    {
        final RaftMember member = members.get(memberId);
        if (null == member)
        {
            return;
        }
        while (!composite.tryRemove(member.agent()))
        {
            Thread.onSpinWait();
        }
        while (!composite.hasRemoveAgentCompleted())
        {
            Thread.onSpinWait();
        }
        member.closeResources();
        members.set(memberId, null);
        if (StorageType.FILE == member.context().storage())
        {
            // The process is gone: its files stay on disk and are opened again on restart.
            CloseHelper.quietClose(storages.get(memberId));
            storages.set(memberId, null);
        }
    }

    /**
     * Start a new member that joins the running cluster: it knows only itself and the existing members to reach them
     * through, and waits for an operator to add it (as a learner, or by a replace) to learn the configuration and
     * the data from the leader.
     *
     * @param memberId a new id, never used in this cluster.
     * @return the new member.
     */
    public RaftMember join(final int memberId)
    {
        while (members.size() <= memberId)
        {
            members.add(null);
            contexts.add(null);
            storages.add(null);
        }
        final MemberContext ctx = contexts.get(0).copy()
            .memberId(memberId)
            .members(memberId + "," + contexts.get(0).members())
            .joining(true)
            .randomSeed(System.nanoTime())
            .service(services.apply(memberId));
        ctx.storageFactory((concluded) -> keptStorage(memberId, concluded, templateStorage));
        contexts.set(memberId, ctx);
        final RaftMember member = RaftMember.create(ctx.copy(), publisherFactory);
        while (!composite.tryAdd(member.agent()))
        {
            Thread.onSpinWait();
        }
        while (!composite.hasAddAgentCompleted())
        {
            Thread.onSpinWait();
        }
        members.set(memberId, member);
        return member;
    }

    /**
     * Stop a member gracefully: if it leads it hands leadership to another voter first (as a member process does on
     * SIGTERM), then it stops as {@link #crash} does, keeping its storage for {@link #restart}.
     *
     * @param memberId of the member.
     * @return whether it did not lead when it stopped.
     */
    public boolean stop(final int memberId)
    {
        final RaftMember member = members.get(memberId);
        if (null == member)
        {
            return true;
        }
        final boolean isHandedOver = member.handOverLeadership(member.handoverTimeoutNs());
        crash(memberId);
        return isHandedOver;
    }

    /**
     * Restart a crashed member from its storage, with a fresh state machine from the services function (a
     * restarted process rebuilds its state from the log).
     *
     * @param memberId of the member.
     */
    public void restart(final int memberId)
    {
        if (null != members.get(memberId))
        {
            throw new IllegalStateException("member " + memberId + " is running");
        }
        final RaftMember member = RaftMember.create(contexts.get(memberId).copy()
            .service(services.apply(memberId))
            .randomSeed(System.nanoTime()), publisherFactory);
        while (!composite.tryAdd(member.agent()))
        {
            Thread.onSpinWait();
        }
        while (!composite.hasAddAgentCompleted())
        {
            Thread.onSpinWait();
        }
        members.set(memberId, member);
    }

    /**
     * @param memberId of a member.
     * @return the member, or null while it is crashed.
     */
    public RaftMember member(final int memberId)
    {
        return members.get(memberId);
    }

    /**
     * @return the members, by id.
     */
    public List<RaftMember> members()
    {
        return members;
    }

    /**
     * @return the thread that runs every member's agent.
     */
    public Thread agentThread()
    {
        return runner.thread();
    }

    /**
     * @return the Aeron directory of the cluster's driver, for clients in the same host.
     */
    public String aeronDirectoryName()
    {
        return driver.aeronDirectoryName();
    }

    /**
     * @return the members string clients need ("0,1,2").
     */
    public String membersString()
    {
        return contexts.get(0).copy().conclude().clusterMembers().toString();
    }

    /**
     * @return the id of the member that leads, or -1.
     */
    public int leaderId()
    {
        for (final RaftMember member : members)
        {
            if (null != member && RaftRole.LEADER == member.role() && !member.isFailed())
            {
                return member.context().memberId();
            }
        }
        return -1;
    }

    /**
     * Stop the shared thread and close every member, the client and the driver.
     */
    public void close()
    {
        if (null != runner)
        {
            CloseHelper.quietClose(runner);
        }
        for (final RaftMember member : members)
        {
            if (null != member)
            {
                member.closeResources();
            }
        }
        for (final MemberStorage storage : storages)
        {
            CloseHelper.quietClose(storage);
        }
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
    }

    /**
     * Runs the Aeron client's conductor duty cycle on the shared thread, and the driver's when it runs there too.
     */
    private static final class ConductorAgent implements Agent
    {
        private final AgentInvoker driver;
        private final AgentInvoker conductor;
        private final ReentrantLock clientLock;

        ConductorAgent(final AgentInvoker driver, final AgentInvoker conductor, final ReentrantLock clientLock)
        {
            this.driver = driver;
            this.conductor = conductor;
            this.clientLock = clientLock;
        }

        public int doWork()
        {
            int workCount = 0;
            if (null != driver && clientLock.tryLock())
            {
                try
                {
                    workCount += driver.invoke();
                }
                finally
                {
                    clientLock.unlock();
                }
            }
            return workCount + conductor.invoke();
        }

        public String roleName()
        {
            return "aeron-client-conductor";
        }
    }
}
