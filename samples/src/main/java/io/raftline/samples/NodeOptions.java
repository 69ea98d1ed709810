package io.raftline.samples;

import io.raftline.engine.agent.ClusterMembers;
import io.raftline.engine.agent.MemberContext;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of one member process ({@code node}), a mixin so that test builds of the member take the same ones.
 */
public final class NodeOptions
{
    /**
     * Default of {@code --election-timeout-ms}: the lower bound of a member process's election timeout.
     */
    public static final int ELECTION_TIMEOUT_MS_DEFAULT = 150;

    /**
     * Default of {@code --heartbeat-ms}.
     */
    public static final int HEARTBEAT_MS_DEFAULT = 20;

    @Option(names = "--id", paramLabel = "ID", required = true, description = "this member's id")
    int id;

    @Option(names = "--members", paramLabel = "ID@HOST:PORT,...",
        converter = Converters.MembersValue.class,
        description = "every member of a new cluster, this one included; only an empty directory starts from it (a " +
        "restarted member uses the configuration in its log and logs a mismatch)")
    String members;

    @Option(names = "--join", paramLabel = "ID@HOST:PORT,...", converter = Converters.MembersValue.class,
        description = "instead of --members: join a running cluster through these members; an operator adds this " +
        "member (admin add-learner or replace), and it learns the configuration and the data from the leader")
    String join;

    @Option(names = "--endpoint", paramLabel = "HOST:PORT",
        description = "with --join: this member's own endpoint")
    String endpoint;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "raftline-data",
        description = "data directory (default: ${DEFAULT-VALUE})")
    String dir;

    @Mixin
    StorageOptions storage;

    @Option(names = "--idle", paramLabel = "IDLE", defaultValue = "yield", converter = Converters.IdleValue.class,
        description = "idle strategy: busy, yield, backoff or sleep-<duration> (default: ${DEFAULT-VALUE})")
    String idle;

    @Option(names = "--election-timeout-ms", paramLabel = "MS", defaultValue = "" + ELECTION_TIMEOUT_MS_DEFAULT,
        description = "lower bound of the randomised election timeout; the upper is twice it (default: " +
        "${DEFAULT-VALUE})")
    int electionTimeoutMs;

    @Option(names = "--heartbeat-ms", paramLabel = "MS", defaultValue = "" + HEARTBEAT_MS_DEFAULT,
        description = "the leader's heartbeat interval (default: ${DEFAULT-VALUE})")
    int heartbeatMs;

    @Option(names = "--lease-reads", description = "answer lease reads from the leader's lease (default: off; " +
        "lease queries are then served as linearizable ones)")
    boolean leaseReads;

    /**
     * @return the member's settings from these options, without a service.
     */
    MemberContext context()
    {
        if ((null == members) == (null == join))
        {
            throw new ParameterException(spec.commandLine(), null == members ?
                "Missing required option: '--members=ID@HOST:PORT,...' (or --join with --endpoint)" :
                "--members bootstraps a new cluster and --join joins a running one: give one of them");
        }
        if (null != join && null == endpoint)
        {
            throw new ParameterException(spec.commandLine(), "--join needs --endpoint HOST:PORT, this member's own");
        }
        final String endpointError = null == endpoint ? null : ClusterMembers.endpointError(endpoint);
        if (null != endpointError)
        {
            throw new ParameterException(spec.commandLine(), "--endpoint: " + endpointError);
        }
        final MemberContext ctx = storage.apply(new MemberContext(), idle)
            .memberId(id)
            .members(null != join ? id + "@" + endpoint + "," + join : members)
            .joining(null != join)
            .dir(dir)
            .electionTimeoutNs(electionTimeoutMs * 1_000_000L, 2L * electionTimeoutMs * 1_000_000L)
            .heartbeatIntervalNs(heartbeatMs * 1_000_000L);
        if (leaseReads)
        {
            ctx.raft().leaseReads(true);
        }
        return ctx;
    }
}
