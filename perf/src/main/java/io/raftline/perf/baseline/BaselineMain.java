package io.raftline.perf.baseline;

import io.raftline.perf.baseline.AeronPingPong.Medium;
import io.raftline.perf.baseline.AeronPingPong.Threading;
import org.agrona.SystemUtil;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs the baselines Raftline's performance report compares itself against, one after the other in this JVM, and
 * prints one line per measurement (percentiles in microseconds, rate per second):
 * <ol>
 *     <li>raw Aeron ping-pong over IPC and over UDP on 127.0.0.1, with the pong on its own thread and with ping and
 *     pong on one thread;</li>
 *     <li>a one-way Aeron stream over IPC and UDP (messages per second);</li>
 *     <li>Aeron Cluster with 3 members running the replicated counter: start-up time, closed loop (one command
 *     outstanding), optionally an open loop at a fixed rate, and throughput with a window of commands outstanding.</li>
 * </ol>
 * <pre>
 * mvn -q -pl perf -am package -DskipTests
 * mvn -q -pl perf validate exec:exec@baseline [-Draftline.baseline.args="cluster=20s rate=100000 open=5s"]
 * </pre>
 * Options ({@code name=value}): {@code payload=32} bytes of each message and command, {@code pingpong=5s} per
 * ping-pong (0 skips), {@code pingpong-warmup=100000} round trips, {@code threading=both|pong-thread|single-thread},
 * {@code stream=3s} per one-way stream (0 skips), {@code cluster=10s} closed loop,
 * {@code cluster-warmup=20000} commands, {@code throughput=5s}, {@code window=1000}, {@code rate=0} commands per
 * second of an open loop lasting {@code open=5s} (0 skips).
 */
public final class BaselineMain
{
    private static final Set<String> OPTIONS = Set.of("payload", "pingpong", "pingpong-warmup", "threading", "stream",
        "cluster", "cluster-warmup", "throughput", "window", "rate", "open");
    private static final List<String> THREADINGS = List.of("both", "pong-thread", "single-thread");

    private BaselineMain()
    {
    }

    /**
     * @param args {@code name=value} options, see the class description.
     */
    public static void main(final String[] args)
    {
        final Map<String, String> options = parse(args);
        final PrintStream out = System.out;
        final int payload = Integer.parseInt(options.getOrDefault("payload", "32"));
        out.printf(Locale.ROOT, "Raftline baselines: %d cores, Java %s, %d-byte messages%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), payload);

        pingPongs(options, payload, out);
        streams(options, payload, out);
        cluster(options, payload, out);
    }

    private static void pingPongs(final Map<String, String> options, final int payload, final PrintStream out)
    {
        final long durationNs = duration(options, "pingpong", "5s");
        final long warmup = Long.parseLong(options.getOrDefault("pingpong-warmup", "100000"));
        final String threading = options.getOrDefault("threading", "both");
        if (!THREADINGS.contains(threading))
        {
            throw new IllegalArgumentException("threading=" + threading + ", expected one of " + THREADINGS);
        }
        if (0 == durationNs)
        {
            return;
        }
        for (final Medium medium : Medium.values())
        {
            for (final Threading mode : Threading.values())
            {
                if ("both".equals(threading) || mode.name().replace('_', '-').equalsIgnoreCase(threading))
                {
                    final BaselineResult result = AeronPingPong.roundTrips(medium, mode, payload, warmup, durationNs);
                    out.println(Latencies.line(String.format(Locale.ROOT, "aeron ping-pong %s %s, %d B",
                        medium, mode.name().toLowerCase(Locale.ROOT).replace('_', ' '), payload), result));
                }
            }
        }
    }

    private static void streams(final Map<String, String> options, final int payload, final PrintStream out)
    {
        final long durationNs = duration(options, "stream", "3s");
        if (durationNs > 0)
        {
            for (final Medium medium : Medium.values())
            {
                final BaselineResult result = AeronStream.oneWay(medium, payload, durationNs / 3, durationNs);
                out.printf(Locale.ROOT, "%-52s rate=%,.0f msg/s%n",
                    String.format(Locale.ROOT, "aeron one-way stream %s, %d B", medium, payload),
                    result.ratePerSecond());
            }
        }
    }

    private static void cluster(final Map<String, String> options, final int payload, final PrintStream out)
    {
        final int window = Integer.parseInt(options.getOrDefault("window", "1000"));
        final double rate = Double.parseDouble(options.getOrDefault("rate", "0"));
        final String name = "aeron cluster " + AeronClusterBaseline.DEFAULT_MEMBER_COUNT + " members";
        final AeronErrors errors;
        try (AeronClusterBaseline cluster = AeronClusterBaseline.launch())
        {
            errors = cluster.errors();
            out.printf(Locale.ROOT, "%s: launched in %.0f ms, leader (member %d) after %.0f ms, " +
                "client session after %.0f ms%n", name, cluster.membersLaunchedAfterNs() / 1e6,
                cluster.leaderMemberId(), cluster.leaderElectedAfterNs() / 1e6, cluster.clientConnectedAfterNs() / 1e6);

            final long warmup = Long.parseLong(options.getOrDefault("cluster-warmup", "20000"));
            out.println(Latencies.line(String.format(Locale.ROOT, "%s, 1 outstanding, %d B", name, payload),
                cluster.closedLoop(payload, warmup, duration(options, "cluster", "10s"))));
            final long openNs = duration(options, "open", "5s");
            if (rate > 0 && openNs > 0)
            {
                out.println(Latencies.line(String.format(Locale.ROOT, "%s, open loop %.0f/s, %d B", name, rate,
                    payload), cluster.openLoop(rate, payload, openNs)));
            }
            out.println(Latencies.line(String.format(Locale.ROOT, "%s, %d outstanding, %d B", name, window, payload),
                cluster.throughput(window, payload, duration(options, "throughput", "5s"))));
        }
        if (errors.count() > 0)
        {
            System.err.printf("aeron cluster reported %d errors during the run: %s%n", errors.count(), errors.kinds());
        }
    }

    private static long duration(final Map<String, String> options, final String name, final String defaultValue)
    {
        final String value = options.getOrDefault(name, defaultValue);
        return "0".equals(value) ? 0 : SystemUtil.parseDuration(name, value);
    }

    private static Map<String, String> parse(final String[] args)
    {
        final Map<String, String> options = new HashMap<>();
        for (final String arg : args)
        {
            final int equals = arg.indexOf('=');
            final String name = equals > 0 ? arg.substring(0, equals) : arg;
            if (equals <= 0 || !OPTIONS.contains(name))
            {
                throw new IllegalArgumentException("unknown option '" + arg + "', expected name=value with name in " +
                    List.copyOf(OPTIONS));
            }
            options.put(name, arg.substring(equals + 1));
        }
        return options;
    }
}
