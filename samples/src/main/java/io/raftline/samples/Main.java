package io.raftline.samples;

import java.util.Arrays;

/**
 * Entry point of {@code raftline-samples.jar}: {@code cluster}, {@code node} or {@code client}.
 */
public final class Main
{
    private Main()
    {
    }

    /**
     * @param args the subcommand and its options.
     * @throws Exception if the subcommand fails.
     */
    public static void main(final String[] args) throws Exception
    {
        // JVM properties that an executable jar's manifest cannot carry (the module flags are in the manifest).
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        if (null == System.getProperty("org.slf4j.simpleLogger.defaultLogLevel"))
        {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (0 == args.length)
        {
            usage();
            System.exit(2);
        }
        final String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try
        {
            switch (args[0])
            {
                case "node":
                    CounterNode.main(rest);
                    break;
                case "cluster":
                    SingleHostCluster.main(rest);
                    break;
                case "client":
                    CounterClient.main(rest);
                    break;
                case "stat":
                    io.raftline.engine.agent.RaftStat.main(rest);
                    break;
                default:
                    usage();
                    System.exit(2);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("error: " + ex.getMessage());
            usage();
            System.exit(2);
        }
    }

    private static void usage()
    {
        System.err.println("usage: java -jar raftline-samples.jar <cluster|node|client|stat> [--option value ...]");
        System.err.println("  cluster [--duration 10s] [--members 3] [--payload 32] [--window 1000]");
        System.err.println("          [--storage file|memory] [--durability none|batch|each] [--dir DIR]");
        System.err.println("          [--warmup 3s] [--idle busy|yield|backoff] [--report-dir raftline-report]");
        System.err.println("  client  --members 0@host:port,... --ops N [--rate R] [--concurrency C] [--history FILE]");
        System.err.println("          [--timeout 5s] [--aeron-dir DIR] [--egress host[:port]]");
        System.err.println("  node    --id N --members 0@host:port,1@host:port,2@host:port [--dir DIR]");
        System.err.println("          [--durability none|batch|each] [--storage file|memory]");
        System.err.println("          [--idle yield|busy|backoff] [--election-timeout-ms 150] [--heartbeat-ms 20]");
        System.err.println("  stat    <aeron directory of a running member, printed by node> [--watch]");
    }
}
