package io.raftline.perf;

import io.raftline.engine.agent.IdleStrategies;
import io.raftline.engine.agent.LocalCluster;
import io.raftline.engine.agent.RaftMember;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the stalls of an IPC cluster under an open loop and says whose they are, one millisecond at a time: for
 * each millisecond the client records what it sent, what was answered, the longest latency answered and the
 * leader's commit index; and the longest gap of its own loop (time it did not run). A stall is a run of
 * milliseconds in which the commit index stood still while commands were outstanding (the cluster's), or a gap of
 * the client's own loop (the client's thread did not run). While the commit index stands still the agent thread's
 * stack is sampled once a millisecond: what the members' thread was doing instead of committing.
 * <p>
 * {@code java ... io.raftline.perf.StallTimeline rate=300000 seconds=10 warmup=3 clientIdle=sleep-50us}
 * ({@code storage=file|memory}, {@code payload=32}, {@code threshold=2}: the shortest stall in ms that is listed).
 * It prints every stall, then the stalls added up by kind and the frames the agent's samples were in. Not a test:
 * a tool for the attribution in {@code perf/README.md}.
 */
public final class StallTimeline implements ResponseListener
{
    private static final int WINDOW = 4096;
    private static final int FRAMES = 12;

    private final int buckets;
    private final long[] sent;
    private final long[] answered;
    private final long[] maxLatencyNs;
    private final long[] commit;
    private final long[] clientGapNs;
    private final long[] dueNs = new long[WINDOW * 2];
    private final List<String> samples = new ArrayList<>();
    private final List<Integer> sampleBuckets = new ArrayList<>();
    private long startNs;
    private String scheduling = "";
    private boolean isSampling = true;

    private StallTimeline(final int seconds)
    {
        buckets = seconds * 1000 + 1000;
        sent = new long[buckets];
        answered = new long[buckets];
        maxLatencyNs = new long[buckets];
        commit = new long[buckets];
        clientGapNs = new long[buckets];
    }

    /**
     * {@inheritDoc}
     */
    public void onResponse(
        final long correlationId,
        final int outcome,
        final long logIndex,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final long nowNs = System.nanoTime();
        final int bucket = bucket(nowNs);
        answered[bucket]++;
        maxLatencyNs[bucket] = Math.max(maxLatencyNs[bucket], nowNs - dueNs[(int)(correlationId & (dueNs.length - 1))]);
    }

    private int bucket(final long nowNs)
    {
        return (int)Math.min(buckets - 1, Math.max(0, (nowNs - startNs) / 1_000_000L));
    }

    /**
     * @param args {@code key=value} options, see the class comment.
     */
    public static void main(final String[] args)
    {
        run(args, System.out);
    }

    /**
     * Run with the given options and print the report.
     *
     * @param args {@code key=value} options, see the class comment.
     * @param out  where the report goes.
     */
    static void run(final String[] args, final java.io.PrintStream out)
    {
        final Map<String, String> options = new HashMap<>();
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        final double rate = Double.parseDouble(options.getOrDefault("rate", "300000"));
        final int seconds = Integer.parseInt(options.getOrDefault("seconds", "10"));
        final int warmup = Integer.parseInt(options.getOrDefault("warmup", "3"));
        final int payload = Integer.parseInt(options.getOrDefault("payload", "32"));
        final int thresholdMs = Integer.parseInt(options.getOrDefault("threshold", "2"));
        final IdleStrategy idle = IdleStrategies.parse(options.getOrDefault("clientIdle", "noop"));
        final StallTimeline timeline = new StallTimeline(seconds);
        timeline.isSampling = Boolean.parseBoolean(options.getOrDefault("samples", "true"));
        try (RaftlineScenarios.IpcCluster cluster = new RaftlineScenarios.IpcCluster(
            3, options.getOrDefault("storage", "file"), "none", WINDOW))
        {
            cluster.load().throughput(256, payload, warmup * 1_000_000_000L);
            if (Boolean.parseBoolean(options.getOrDefault("pin", "false")))
            {
                ThreadPinning.pin("raftline-local-", 1);
                ThreadPinning.pinCurrent(0);
            }
            timeline.run(cluster.localCluster(), rate, payload, seconds, idle);
        }
        timeline.report(thresholdMs, out);
    }

    private void run(
        final LocalCluster cluster, final double rate, final int payload, final int seconds, final IdleStrategy idle)
    {
        final RaftMember leader = cluster.member(cluster.leaderId());
        final Thread agentThread = cluster.agentThread();
        final RaftClient client = RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .maxInflight(WINDOW)
            .listener(this));
        try
        {
            while (client.leaderId() < 0)
            {
                client.poll();
            }
            final String agentTask = ThreadPinning.task("raftline-local-");
            final String clientTask = ThreadPinning.currentTask();
            final long[] agentBefore = ThreadPinning.schedule(agentTask);
            final long[] clientBefore = ThreadPinning.schedule(clientTask);
            final UnsafeBuffer command = new UnsafeBuffer(new byte[Math.max(8, payload)]);
            command.putLong(0, 1);
            final double intervalNs = 1e9 / rate;
            startNs = System.nanoTime();
            final long endNs = startNs + seconds * 1_000_000_000L;
            long count = 0;
            long lastLoopNs = startNs;
            int lastBucket = -1;
            long nowNs;
            while ((nowNs = System.nanoTime()) < endNs)
            {
                final int bucket = bucket(nowNs);
                clientGapNs[bucket] = Math.max(clientGapNs[bucket], nowNs - lastLoopNs);
                lastLoopNs = nowNs;
                if (bucket != lastBucket)
                {
                    commit[bucket] = leader.commitIndex();
                    if (isSampling && bucket >= 3 && commit[bucket] == commit[bucket - 1] &&
                        commit[bucket - 1] == commit[bucket - 2] && client.inflight() > 0)
                    {
                        samples.add(frames(agentThread.getStackTrace()));
                        sampleBuckets.add(bucket);
                    }
                    lastBucket = bucket;
                }
                int work = 0;
                long nextDueNs;
                while (nowNs >= (nextDueNs = startNs + (long)(count * intervalNs)))
                {
                    final long correlationId = client.offer(command, 0, command.capacity());
                    if (correlationId <= 0)
                    {
                        break;
                    }
                    dueNs[(int)(correlationId & (dueNs.length - 1))] = nextDueNs;
                    count++;
                    sent[bucket]++;
                    work++;
                }
                idle.idle(work + client.poll());
            }
            scheduling = ThreadPinning.describe("agent", agentBefore, ThreadPinning.schedule(agentTask)) + "\n" +
                ThreadPinning.describe("client", clientBefore, ThreadPinning.schedule(clientTask));
            final long drainNs = System.nanoTime() + 10_000_000_000L;
            while (client.inflight() > 0 && System.nanoTime() < drainNs)
            {
                client.poll();
            }
        }
        finally
        {
            CloseHelper.quietClose(client);
        }
    }

    private static String frames(final StackTraceElement[] stack)
    {
        final StringBuilder frames = new StringBuilder();
        int shown = 0;
        for (final StackTraceElement frame : stack)
        {
            final String name = frame.getClassName();
            if (name.startsWith("org.agrona.concurrent.") || name.startsWith("java.lang.Thread") ||
                name.endsWith("LocalCluster$ConductorAgent"))
            {
                continue;
            }
            frames.append(0 == shown ? "" : " < ").append(frame.getClassName()
                .substring(frame.getClassName().lastIndexOf('.') + 1)).append('.').append(frame.getMethodName());
            if (++shown == FRAMES)
            {
                break;
            }
        }
        return frames.toString();
    }

    private void report(final int thresholdMs, final java.io.PrintStream out)
    {
        final int last = buckets - 1000;
        long clusterStalls = 0;
        long clusterMs = 0;
        long clientStalls = 0;
        long clientMs = 0;
        int sampleIndex = 0;
        final Map<String, Integer> frameCounts = new HashMap<>();
        final long[] sentBy = new long[last + 1];
        final long[] answeredBy = new long[last + 1];
        for (int k = 0; k <= last; k++)
        {
            sentBy[k] = (0 == k ? 0 : sentBy[k - 1]) + sent[k];
            answeredBy[k] = (0 == k ? 0 : answeredBy[k - 1]) + answered[k];
        }
        int i = 1;
        while (i < last)
        {
            if (clientGapNs[i] >= thresholdMs * 1_000_000L)
            {
                clientStalls++;
                clientMs += clientGapNs[i] / 1_000_000L;
                out.printf(Locale.ROOT, "%6d ms  client: its loop did not run for %.1f ms%n", i, clientGapNs[i] / 1e6);
            }
            int end = i;
            while (end < last && commit[end + 1] == commit[i] && commit[i] > 0)
            {
                end++;
            }
            final int length = end - i + 1;
            // Commands outstanding: sent up to the stall's end, against answered before its start.
            if (length >= thresholdMs && sentBy[end] > answeredBy[i - 1])
            {
                clusterStalls++;
                clusterMs += length;
                long worstNs = 0;
                for (int k = end; k < Math.min(last, end + length + 2); k++)
                {
                    worstNs = Math.max(worstNs, maxLatencyNs[k]);
                }
                out.printf(Locale.ROOT, "%6d ms  cluster: commit index %d stood still for %d ms (worst latency " +
                    "after it %.1f ms)%n", i, commit[i], length, worstNs / 1e6);
                while (sampleIndex < sampleBuckets.size() && sampleBuckets.get(sampleIndex) <= end + 1)
                {
                    if (sampleBuckets.get(sampleIndex) >= i)
                    {
                        final String frame = samples.get(sampleIndex);
                        out.println("            agent: " + frame);
                        frameCounts.merge(frame, 1, Integer::sum);
                    }
                    sampleIndex++;
                }
                i = end + 1;
            }
            else
            {
                i++;
            }
        }
        out.printf(Locale.ROOT, "stalls of %d ms or more in %d s: the cluster's (commit still) %d, %d ms in all; " +
            "the client's (its loop did not run) %d, %d ms in all%n", thresholdMs, last / 1000, clusterStalls,
            clusterMs, clientStalls, clientMs);
        out.println(scheduling);
        frameCounts.entrySet().stream()
            .sorted((a, b) -> b.getValue() - a.getValue())
            .limit(20)
            .forEach((e) -> out.printf(Locale.ROOT, "%5d samples  %s%n", e.getValue(), e.getKey()));
    }
}
