package io.raftline.perf.baseline;

import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One member of the Aeron Cluster baseline in a process of its own (set up as {@link AeronClusterMember} is), so that
 * the failover scenario can kill it with SIGKILL as it kills a Raftline member process. Its election and heartbeat
 * settings come from Aeron's system properties on the command line ({@code aeron.cluster.leader.heartbeat.timeout}
 * and the like).
 * <pre>
 * java -cp raftline-benchmarks.jar io.raftline.perf.baseline.AeronClusterNode \
 *     &lt;member id&gt; &lt;cluster members&gt; &lt;ingress port&gt; &lt;consensus port&gt; &lt;log port&gt; \
 *     &lt;catch-up port&gt; &lt;archive port&gt; &lt;driver dir&gt; &lt;storage dir&gt;
 * </pre>
 * Prints {@code LAUNCHED <settings>} once its components run, then {@code JOINED role=<role>} once its first
 * election ended. Stops on SIGTERM or SIGINT, or when its standard input ends (the process that started it died).
 */
public final class AeronClusterNode
{
    private AeronClusterNode()
    {
    }

    /**
     * @param args as in the class comment.
     */
    public static void main(final String[] args)
    {
        if (args.length != 9)
        {
            System.err.println("usage: AeronClusterNode <member id> <cluster members> <ingress port> " +
                "<consensus port> <log port> <catch-up port> <archive port> <driver dir> <storage dir>");
            System.exit(2);
        }
        final int memberId = Integer.parseInt(args[0]);
        final AeronClusterMember.Endpoints endpoints = new AeronClusterMember.Endpoints(Integer.parseInt(args[2]),
            Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
        final Thread stdin = new Thread(() ->
        {
            try
            {
                while (System.in.read() >= 0)
                {
                    Thread.onSpinWait();
                }
            }
            catch (final IOException ignore)
            {
                // the parent is gone either way
            }
            barrier.signal();
        }, "aeron-node-stdin");
        stdin.setDaemon(true);
        stdin.start();
        final AeronErrors errors = new AeronErrors();
        try (AeronClusterMember member = AeronClusterMember.launch(
            memberId, args[1], endpoints, args[7], new File(args[8]), errors))
        {
            System.out.println("LAUNCHED member=" + memberId + " " + member.electionSettings());
            System.out.flush();
            while (!member.hasJoined())
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            System.out.println("JOINED member=" + memberId + " role=" + member.role());
            System.out.flush();
            final Thread trace = new Thread(() -> traceElections(member), "aeron-node-elections");
            trace.setDaemon(true);
            trace.start();
            barrier.await();
            errors.closing();
        }
        System.out.println("STOPPED member=" + memberId + " errors=" + errors.count() + " " + errors.kinds());
    }

    /**
     * Print every change of the election state with the epoch time in ms, so that a slow failover can be read from
     * the members' output.
     */
    private static void traceElections(final AeronClusterMember member)
    {
        String last = "";
        while (!Thread.currentThread().isInterrupted())
        {
            final String state = member.electionState() + " " + member.role();
            if (!state.equals(last))
            {
                last = state;
                System.out.println("ELECTION " + System.currentTimeMillis() + " " + state);
                System.out.flush();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
