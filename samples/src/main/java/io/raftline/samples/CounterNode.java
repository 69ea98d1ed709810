package io.raftline.samples;

import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.RaftMember;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.util.Set;

/**
 * One member of the replicated counter as its own process:
 * <pre>
 * java -jar raftline-samples.jar node --id 0 --members 0@127.0.0.1:20000,1@127.0.0.1:20001,2@127.0.0.1:20002 \
 *     --dir /tmp/raftline
 * </pre>
 * Runs until SIGINT/SIGTERM. Prints {@code READY member=<id> aeron=<dir>} once it runs; the Aeron directory is where
 * {@code RaftStat} reads its counters.
 */
public final class CounterNode
{
    static final Set<String> OPTIONS = Set.of("id", "members", "dir", "durability", "storage", "idle",
        "election-timeout-ms", "heartbeat-ms");

    private CounterNode()
    {
    }

    /**
     * @param args see the class description.
     */
    public static void main(final String[] args)
    {
        run(new Args(args, 0, OPTIONS));
    }

    static void run(final Args args)
    {
        final MemberContext ctx = context(args).service(new CounterService());
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            RaftMember member = RaftMember.launch(ctx))
        {
            System.out.println("READY member=" + ctx.memberId() + " aeron=" + member.aeronDirectoryName());
            System.out.flush();
            barrier.await();
        }
    }

    /**
     * @param args the node's options.
     * @return the member's settings from them, without a service.
     */
    static MemberContext context(final Args args)
    {
        final int electionMs = args.getInt("election-timeout-ms", 150);
        final MemberContext ctx = args.applyStorageAndIdle(new MemberContext(), "yield")
            .memberId(args.getInt("id", -1))
            .members(args.get("members"))
            .dir(args.get("dir", "raftline-data"))
            .electionTimeoutNs(electionMs * 1_000_000L, 2L * electionMs * 1_000_000L)
            .heartbeatIntervalNs(args.getInt("heartbeat-ms", 20) * 1_000_000L);
        return ctx;
    }
}
