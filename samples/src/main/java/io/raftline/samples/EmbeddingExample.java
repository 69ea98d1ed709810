package io.raftline.samples;

import io.raftline.engine.RaftService;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.RaftMember;
import io.raftline.log.Durability;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ShutdownSignalBarrier;

/**
 * The smallest complete embedding of Raftline, as shown in the README: a replicated counter member. Run one per
 * host with its id: {@code java -cp raftline-samples.jar io.raftline.samples.EmbeddingExample 0}.
 */
public final class EmbeddingExample
{
    private EmbeddingExample()
    {
    }

    /**
     * @param args this member's id.
     */
    public static void main(final String[] args)
    {
        final RaftService counter = new RaftService()
        {
            private long value;

            public int onApply(final long index, final long term, final DirectBuffer command, final int offset,
                final int length, final MutableDirectBuffer response)
            {
                value += command.getLong(offset);   // deterministic, no allocation, no blocking
                response.putLong(0, value);         // the answer the client receives
                return 8;
            }
        };
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            RaftMember member = RaftMember.launch(new MemberContext()
                .memberId(Integer.parseInt(args[0]))
                .members("0@127.0.0.1:20000,1@127.0.0.1:20001,2@127.0.0.1:20002")
                .dir("raftline-data")
                .durability(Durability.BATCH)
                .service(counter)))
        {
            barrier.await();
        }
    }
}
