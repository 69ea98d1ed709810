package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.raftline.engine.RaftService;
import io.raftline.engine.core.RaftRole;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A whole cluster in one process over Aeron IPC: one embedded media driver, one Aeron client, and every member's
 * agent on one shared thread through a {@link CompositeAgent}. On a small host this is the fastest arrangement:
 * the driver is off the IPC data path, and one spinning thread serves all members without starving the others.
 */
public final class LocalCluster implements AutoCloseable
{
    private final MediaDriver driver;
    private final Aeron aeron;
    private final List<RaftMember> members = new ArrayList<>();
    private final AgentRunner runner;

    private LocalCluster(final int size, final MemberContext template, final IntFunction<RaftService> services)
    {
        driver = RaftMember.launchEmbeddedDriver("raftline-local");
        try
        {
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .useConductorAgentInvoker(true)
                .clientName("raftline-local-cluster"));
            final StringBuilder ids = new StringBuilder();
            for (int i = 0; i < size; i++)
            {
                ids.append(0 == i ? "" : ",").append(i);
            }
            final List<Agent> agents = new ArrayList<>();
            agents.add(new ConductorAgent(aeron.conductorAgentInvoker()));
            for (int i = 0; i < size; i++)
            {
                final MemberContext ctx = template.copy()
                    .memberId(i)
                    .members(ids.toString())
                    .aeron(aeron)
                    .randomSeed(template.randomSeed() + i)
                    .service(services.apply(i));
                final RaftMember member = RaftMember.create(ctx);
                members.add(member);
                agents.add(member.agent());
            }
            runner = new AgentRunner(members.get(0).context().idleStrategy(), template.errorHandler() != null ?
                template.errorHandler() : Throwable::printStackTrace, null, new CompositeAgent(agents));
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
        return new LocalCluster(size, template, services);
    }

    /**
     * @return the members, by id.
     */
    public List<RaftMember> members()
    {
        return members;
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
        return members.get(0).context().clusterMembers().toString();
    }

    /**
     * @return the id of the member that leads, or -1.
     */
    public int leaderId()
    {
        for (final RaftMember member : members)
        {
            if (RaftRole.LEADER == member.role())
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
            CloseHelper.quietClose(member);
        }
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
    }

    /**
     * Runs the Aeron client's conductor duty cycle on the shared thread.
     */
    private static final class ConductorAgent implements Agent
    {
        private final AgentInvoker invoker;

        ConductorAgent(final AgentInvoker invoker)
        {
            this.invoker = invoker;
        }

        public int doWork()
        {
            return invoker.invoke();
        }

        public String roleName()
        {
            return "aeron-client-conductor";
        }
    }
}
