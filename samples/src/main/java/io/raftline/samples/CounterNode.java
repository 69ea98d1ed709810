package io.raftline.samples;

import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.RaftMember;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * One member of the replicated counter as its own process:
 * <pre>
 * java -jar raftline-samples.jar node --id 0 --members 0@127.0.0.1:20000,1@127.0.0.1:20001,2@127.0.0.1:20002 \
 *     --dir /tmp/raftline
 * </pre>
 * Runs until SIGINT/SIGTERM. Prints {@code READY member=<id> aeron=<dir>} once it runs; the Aeron directory is where
 * {@code stat} reads its counters.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run one member of the replicated counter until SIGINT/SIGTERM; prints READY member=<id> " +
    "aeron=<dir> once it runs.")
public final class CounterNode implements Callable<Integer>
{
    @Mixin
    NodeOptions options;

    /**
     * @param args see the class description.
     */
    public static void main(final String[] args)
    {
        Main.main(prepend("node", args));
    }

    /**
     * Run the member until a shutdown signal.
     *
     * @return 0.
     */
    public Integer call()
    {
        final MemberContext ctx = options.context().service(new CounterService());
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            RaftMember member = RaftMember.launch(ctx))
        {
            System.out.println("READY member=" + ctx.memberId() + " aeron=" + member.aeronDirectoryName());
            System.out.flush();
            barrier.await();
        }
        return 0;
    }

    static String[] prepend(final String first, final String[] rest)
    {
        final String[] args = new String[rest.length + 1];
        args[0] = first;
        System.arraycopy(rest, 0, args, 1, rest.length);
        return args;
    }
}
