package io.raftline.samples;

import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.RaftMember;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * One member of the auction as its own process, with the options of {@code node}. Prints {@code READY member=<id>
 * aeron=<dir>} once it runs and one line per auction as it closes (also on replay after a restart):
 * {@code CLOSED auction=<id> winner=<session> price=<price> index=<log index> time=<cluster time>}.
 */
@Command(name = "auction-node", mixinStandardHelpOptions = true,
    description = "Run one member of the auction until SIGINT/SIGTERM; prints READY member=<id> aeron=<dir>, then " +
    "CLOSED auction=... winner=... price=... index=... time=... per auction closed.")
public final class AuctionNode implements Callable<Integer>
{
    @Mixin
    NodeOptions options;

    /**
     * Run the member until a shutdown signal.
     *
     * @return 0.
     */
    public Integer call()
    {
        final MemberContext ctx = options.context().snapshotInterval(200, 0).service(new AuctionService(
            (auctionId, winnerSession, price, deadline, logIndex, timestamp) ->
                System.out.println("CLOSED auction=" + auctionId + " winner=" + winnerSession + " price=" + price +
                    " index=" + logIndex + " time=" + timestamp)));
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            RaftMember member = RaftMember.launch(ctx))
        {
            System.out.println("READY member=" + ctx.memberId() + " aeron=" + member.aeronDirectoryName());
            System.out.flush();
            barrier.await();
        }
        return 0;
    }
}
