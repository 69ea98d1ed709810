package io.raftline.samples;

import io.raftline.engine.agent.MemberContext;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of one member process ({@code node}), a mixin so that test builds of the member take the same ones.
 */
final class NodeOptions
{
    @Option(names = "--id", paramLabel = "ID", required = true, description = "this member's id")
    int id;

    @Option(names = "--members", required = true, paramLabel = "ID@HOST:PORT,...",
        converter = Converters.MembersValue.class,
        description = "every member of the cluster, this one included")
    String members;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "raftline-data",
        description = "data directory (default: ${DEFAULT-VALUE})")
    String dir;

    @Mixin
    StorageOptions storage;

    @Option(names = "--idle", paramLabel = "IDLE", defaultValue = "yield", converter = Converters.IdleValue.class,
        description = "idle strategy: busy, yield, backoff or sleep-<duration> (default: ${DEFAULT-VALUE})")
    String idle;

    @Option(names = "--election-timeout-ms", paramLabel = "MS", defaultValue = "150",
        description = "lower bound of the randomised election timeout; the upper is twice it (default: " +
        "${DEFAULT-VALUE})")
    int electionTimeoutMs;

    @Option(names = "--heartbeat-ms", paramLabel = "MS", defaultValue = "20",
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
        final MemberContext ctx = storage.apply(new MemberContext(), idle)
            .memberId(id)
            .members(members)
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
