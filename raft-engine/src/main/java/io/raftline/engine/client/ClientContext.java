package io.raftline.engine.client;

import io.aeron.Aeron;
import io.raftline.engine.agent.ClusterMembers;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of a {@link RaftClient}: each starts from {@link ClientConfiguration} (a system property or the default)
 * and can be set fluently; {@link RaftClient#connect} validates them once.
 */
public final class ClientContext
{
    /**
     * Default command timeout.
     */
    public static final long COMMAND_TIMEOUT_DEFAULT_NS = ClientConfiguration.COMMAND_TIMEOUT_DEFAULT_NS;

    /**
     * Default wait before the client asks every member who leads.
     */
    public static final long LEADER_TIMEOUT_DEFAULT_NS = ClientConfiguration.LEADER_TIMEOUT_DEFAULT_NS;

    private String members = ClientConfiguration.members();
    private ClusterMembers clusterMembers;
    private String aeronDirectoryName = ClientConfiguration.aeronDir();
    private Aeron aeron;
    private int ingressStreamBase = ClientConfiguration.ingressStreamBase();
    private String egressChannel = ClientConfiguration.egressChannel();
    // Unique per client on a shared egress channel; random rather than configured, so that clients started from one
    // configuration do not collide.
    private int egressStreamId = ThreadLocalRandom.current().nextInt(100_000, 1_000_000_000);
    private boolean followMembers = true;
    private int maxInflight = ClientConfiguration.maxInflight();
    private int maxCommandLength = ClientConfiguration.maxCommandLength();
    private long commandTimeoutNs = ClientConfiguration.commandTimeoutNs();
    private long leaderTimeoutNs = ClientConfiguration.leaderTimeoutNs();
    private long connectTimeoutNs = ClientConfiguration.connectTimeoutNs();
    private long keepAliveIntervalNs = ClientConfiguration.keepAliveIntervalNs();
    private byte[] credentials = new byte[0];
    private ResponseListener listener;
    private IdleStrategy idleStrategy = ClientConfiguration.idleStrategy();
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;

    ClientContext conclude()
    {
        if (null == listener)
        {
            throw new IllegalArgumentException("listener must be set");
        }
        if (null == aeron && null == aeronDirectoryName)
        {
            throw new IllegalArgumentException("either aeron or aeronDirectoryName must be set");
        }
        clusterMembers = ClusterMembers.parse(members);
        if (null == egressChannel)
        {
            egressChannel = clusterMembers.isIpc() ? "aeron:ipc" : EgressRoute.egressChannel(clusterMembers);
        }
        if (maxInflight < 1)
        {
            throw new IllegalArgumentException("maxInflight=" + maxInflight + " must be >= 1");
        }
        if (leaderTimeoutNs >= commandTimeoutNs)
        {
            throw new IllegalArgumentException("leaderTimeoutNs=" + leaderTimeoutNs + " must be < commandTimeoutNs=" +
                commandTimeoutNs);
        }
        if (maxCommandLength < 0 || connectTimeoutNs <= 0 || keepAliveIntervalNs <= 0 || leaderTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("maxCommandLength=" + maxCommandLength + " must be >= 0, " +
                "connectTimeoutNs=" + connectTimeoutNs + ", keepAliveIntervalNs=" + keepAliveIntervalNs +
                " and leaderTimeoutNs=" + leaderTimeoutNs + " > 0");
        }
        return this;
    }

    /**
     * @param members of the cluster, as the members were configured.
     * @return this for a fluent API.
     */
    public ClientContext members(final String members)
    {
        this.members = members;
        return this;
    }

    /**
     * @return the clusterMembers setting.
     */
    public ClusterMembers clusterMembers()
    {
        return clusterMembers;
    }

    /**
     * @param aeronDirectoryName of the media driver to use.
     * @return this for a fluent API.
     */
    public ClientContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * @return the aeronDirectoryName setting.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * @param aeron client to use; the RaftClient does not close it.
     * @return this for a fluent API.
     */
    public ClientContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    /**
     * @return the aeron setting.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @param ingressStreamBase the members' ingress stream id base.
     * @return this for a fluent API.
     */
    public ClientContext ingressStreamBase(final int ingressStreamBase)
    {
        this.ingressStreamBase = ingressStreamBase;
        return this;
    }

    /**
     * @return the ingressStreamBase setting.
     */
    public int ingressStreamBase()
    {
        return ingressStreamBase;
    }

    /**
     * @param egressChannel where answers come; for UDP an endpoint on this host that the members can reach (port 0
     *                      picks a free port). Unset: {@link #EGRESS_CHANNEL_PROP_NAME}, else picked from the routes.
     * @return this for a fluent API.
     */
    public ClientContext egressChannel(final String egressChannel)
    {
        this.egressChannel = egressChannel;
        return this;
    }

    /**
     * @return the egressChannel setting.
     */
    public String egressChannel()
    {
        return egressChannel;
    }

    /**
     * @param egressStreamId stream of the answers; unique per client on a shared channel.
     * @return this for a fluent API.
     */
    public ClientContext egressStreamId(final int egressStreamId)
    {
        this.egressStreamId = egressStreamId;
        return this;
    }

    /**
     * @return the egressStreamId setting.
     */
    public int egressStreamId()
    {
        return egressStreamId;
    }

    /**
     * @param followMembers true (the default): the client also talks to the members the cluster names
     *                      (ClusterMembersEvent), so that it follows a leader it was not started with; false: only to
     *                      the members it was given (a client pinned to one member, as a test of that member is).
     * @return this for a fluent API.
     */
    public ClientContext followMembers(final boolean followMembers)
    {
        this.followMembers = followMembers;
        return this;
    }

    /**
     * @return the followMembers setting.
     */
    public boolean followMembers()
    {
        return followMembers;
    }

    /**
     * @param maxInflight most commands outstanding.
     * @return this for a fluent API.
     */
    public ClientContext maxInflight(final int maxInflight)
    {
        this.maxInflight = maxInflight;
        return this;
    }

    /**
     * @return the maxInflight setting.
     */
    public int maxInflight()
    {
        return maxInflight;
    }

    /**
     * @param maxCommandLength largest command; must not exceed the cluster's.
     * @return this for a fluent API.
     */
    public ClientContext maxCommandLength(final int maxCommandLength)
    {
        this.maxCommandLength = maxCommandLength;
        return this;
    }

    /**
     * @return the maxCommandLength setting.
     */
    public int maxCommandLength()
    {
        return maxCommandLength;
    }

    /**
     * @param commandTimeoutNs after which unanswered commands are reported timed out (outcome unknown).
     * @return this for a fluent API.
     */
    public ClientContext commandTimeoutNs(final long commandTimeoutNs)
    {
        this.commandTimeoutNs = commandTimeoutNs;
        return this;
    }

    /**
     * @return the commandTimeoutNs setting.
     */
    public long commandTimeoutNs()
    {
        return commandTimeoutNs;
    }

    /**
     * @param leaderTimeoutNs silence after which the client asks every member who leads.
     * @return this for a fluent API.
     */
    public ClientContext leaderTimeoutNs(final long leaderTimeoutNs)
    {
        this.leaderTimeoutNs = leaderTimeoutNs;
        return this;
    }

    /**
     * @return the leaderTimeoutNs setting.
     */
    public long leaderTimeoutNs()
    {
        return leaderTimeoutNs;
    }

    /**
     * @param connectTimeoutNs how long {@link RaftClient#connect} waits for a session.
     * @return this for a fluent API.
     */
    public ClientContext connectTimeoutNs(final long connectTimeoutNs)
    {
        this.connectTimeoutNs = connectTimeoutNs;
        return this;
    }

    /**
     * @return the connectTimeoutNs setting.
     */
    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * @param keepAliveIntervalNs how often an idle client tells the leader it is alive.
     * @return this for a fluent API.
     */
    public ClientContext keepAliveIntervalNs(final long keepAliveIntervalNs)
    {
        this.keepAliveIntervalNs = keepAliveIntervalNs;
        return this;
    }

    /**
     * @return the keepAliveIntervalNs setting.
     */
    public long keepAliveIntervalNs()
    {
        return keepAliveIntervalNs;
    }

    /**
     * @param credentials for the cluster's authenticator.
     * @return this for a fluent API.
     */
    public ClientContext credentials(final byte[] credentials)
    {
        this.credentials = credentials.clone();
        return this;
    }

    /**
     * @return the credentials setting.
     */
    public byte[] credentials()
    {
        return credentials;
    }

    /**
     * @param listener of the commands' outcomes.
     * @return this for a fluent API.
     */
    public ClientContext listener(final ResponseListener listener)
    {
        this.listener = listener;
        return this;
    }

    /**
     * @return the listener setting.
     */
    public ResponseListener listener()
    {
        return listener;
    }

    /**
     * @param idleStrategy used while {@link RaftClient#connect} waits.
     * @return this for a fluent API.
     */
    public ClientContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * @return the idleStrategy setting.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param nanoClock for timeouts.
     * @return this for a fluent API.
     */
    public ClientContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * @return the nanoClock setting.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }
}
