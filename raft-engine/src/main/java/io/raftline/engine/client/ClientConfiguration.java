package io.raftline.engine.client;

import io.raftline.engine.agent.IdleStrategies;
import io.raftline.engine.agent.MemberConfiguration;
import org.agrona.concurrent.IdleStrategy;

import static io.raftline.engine.agent.MemberConfiguration.durationProperty;
import static io.raftline.engine.agent.MemberConfiguration.intProperty;

/**
 * Property names and defaults of a {@link RaftClient}'s settings; each setting of {@link ClientContext} starts from
 * the value here, which a system property may override. The one place where a client's settings are read from
 * text; settings the client shares with the members (members, ingress stream base, largest command) use the
 * members' properties. Units are in the names; durations accept Agrona's suffixes.
 */
public final class ClientConfiguration
{
    /**
     * How long a command may go unanswered before it is reported timed out (outcome unknown).
     */
    public static final String COMMAND_TIMEOUT_PROP_NAME = "raftline.client.command.timeout";

    /**
     * Default for {@link #COMMAND_TIMEOUT_PROP_NAME}.
     */
    public static final long COMMAND_TIMEOUT_DEFAULT_NS = 5_000_000_000L;

    /**
     * Silence after which the client asks every member who leads.
     */
    public static final String LEADER_TIMEOUT_PROP_NAME = "raftline.client.leader.timeout";

    /**
     * Default for {@link #LEADER_TIMEOUT_PROP_NAME}.
     */
    public static final long LEADER_TIMEOUT_DEFAULT_NS = 500_000_000L;

    /**
     * How long {@link RaftClient#connect} waits for a session.
     */
    public static final String CONNECT_TIMEOUT_PROP_NAME = "raftline.client.connect.timeout";

    /**
     * Default for {@link #CONNECT_TIMEOUT_PROP_NAME}.
     */
    public static final long CONNECT_TIMEOUT_DEFAULT_NS = 10_000_000_000L;

    /**
     * How often an idle client tells the leader it is alive (well inside the members' session timeout).
     */
    public static final String KEEP_ALIVE_INTERVAL_PROP_NAME = "raftline.client.keep.alive.interval";

    /**
     * Default for {@link #KEEP_ALIVE_INTERVAL_PROP_NAME}.
     */
    public static final long KEEP_ALIVE_INTERVAL_DEFAULT_NS = 1_000_000_000L;

    /**
     * Most commands outstanding.
     */
    public static final String MAX_INFLIGHT_PROP_NAME = "raftline.client.max.inflight";

    /**
     * Default for {@link #MAX_INFLIGHT_PROP_NAME}.
     */
    public static final int MAX_INFLIGHT_DEFAULT = 1024;

    /**
     * Aeron directory of the media driver the client connects to (unset: the caller gives an Aeron client).
     */
    public static final String AERON_DIR_PROP_NAME = "raftline.client.aeron.dir";

    /**
     * Channel the answers come on; unset: {@code aeron:ipc} for IPC members, otherwise a free UDP port on the local
     * address that routes to the members.
     */
    public static final String EGRESS_CHANNEL_PROP_NAME = "raftline.client.egress.channel";

    /**
     * Idle strategy while {@link RaftClient#connect} waits, as {@link IdleStrategies#parse} reads it.
     */
    public static final String IDLE_STRATEGY_PROP_NAME = "raftline.client.idle.strategy";

    /**
     * Default for {@link #IDLE_STRATEGY_PROP_NAME}.
     */
    public static final String IDLE_STRATEGY_DEFAULT = "yield";

    private ClientConfiguration()
    {
    }

    static String members()
    {
        return System.getProperty(MemberConfiguration.MEMBERS_PROP_NAME);
    }

    static int ingressStreamBase()
    {
        return intProperty(MemberConfiguration.INGRESS_STREAM_BASE_PROP_NAME,
            MemberConfiguration.INGRESS_STREAM_BASE_DEFAULT);
    }

    static int maxCommandLength()
    {
        return intProperty(MemberConfiguration.MAX_COMMAND_LENGTH_PROP_NAME,
            MemberConfiguration.MAX_COMMAND_LENGTH_DEFAULT);
    }

    static long commandTimeoutNs()
    {
        return durationProperty(COMMAND_TIMEOUT_PROP_NAME, COMMAND_TIMEOUT_DEFAULT_NS);
    }

    static long leaderTimeoutNs()
    {
        return durationProperty(LEADER_TIMEOUT_PROP_NAME, LEADER_TIMEOUT_DEFAULT_NS);
    }

    static long connectTimeoutNs()
    {
        return durationProperty(CONNECT_TIMEOUT_PROP_NAME, CONNECT_TIMEOUT_DEFAULT_NS);
    }

    static long keepAliveIntervalNs()
    {
        return durationProperty(KEEP_ALIVE_INTERVAL_PROP_NAME, KEEP_ALIVE_INTERVAL_DEFAULT_NS);
    }

    static int maxInflight()
    {
        return intProperty(MAX_INFLIGHT_PROP_NAME, MAX_INFLIGHT_DEFAULT);
    }

    static String aeronDir()
    {
        return System.getProperty(AERON_DIR_PROP_NAME);
    }

    static String egressChannel()
    {
        return System.getProperty(EGRESS_CHANNEL_PROP_NAME);
    }

    static IdleStrategy idleStrategy()
    {
        return IdleStrategies.parse(System.getProperty(IDLE_STRATEGY_PROP_NAME, IDLE_STRATEGY_DEFAULT));
    }
}
