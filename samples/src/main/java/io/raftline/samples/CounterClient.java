package io.raftline.samples;

import io.raftline.engine.agent.EmbeddedAeron;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.ClientException;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ReadConsistency;
import io.raftline.engine.client.ResponseListener;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.File;
import java.io.FileWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Clients of the replicated counter, as a process:
 * <pre>
 * java -jar raftline-samples.jar client --members 0@127.0.0.1:20000,1@127.0.0.1:20001,2@127.0.0.1:20002 \
 *     --ops 10000 [--rate 2000] [--concurrency 4] [--history history.jsonl] [--timeout 5s] [--driver-dir-base dir]
 *     [--egress host[:port]] [--reads FRACTION] [--read-level linearizable|lease|follower|mixed]
 * </pre>
 * {@code --egress} is the address (and port, default 0: any free one) the members send their answers to; unset, the
 * {@code raftline.client.egress.channel} property or else the local address that routes to the members.
 * Without {@code --aeron-dir} the clients share one embedded media driver, in the first free slot
 * {@code raftline-client-<n>} under {@code --driver-dir-base} (default: {@code raftline.driver.dir.base}, else
 * {@code /dev/shm}); a killed client's slot is reclaimed by the next client that starts.
 * Each of {@code concurrency} clients has its own session and one {@code add 1} outstanding at a time; with
 * {@code --rate} the adds start at that total rate, otherwise as fast as answers come. Prints one summary line
 * (acknowledged, failed, unknown, final value); with {@code --history} writes one JSON object per operation per
 * line, times from one monotonic clock:
 * {@code {"client":C,"op":"add","delta":1,"invoke_ns":T0,"complete_ns":T1,"outcome":"ok|fail|unknown","value":V}}.
 * An operation's outcome is {@code unknown} when no answer came in time (it may or may not have been applied).
 * With {@code --reads} that fraction of the operations are reads ({@code get}, a query answered without a log write
 * at {@code --read-level}; {@code mixed} takes the three levels in turn), written as
 * {@code {"client":C,"op":"read","level":"lease","invoke_ns":T0,"complete_ns":T1,"outcome":"ok","value":V}}; the
 * summary line counts them apart: {@code reads=OK/FAILED/UNKNOWN}.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = "Clients adding 1 to the replicated counter; prints one summary line, optionally the history.")
public final class CounterClient implements Callable<Integer>
{
    @Option(names = "--members", required = true, paramLabel = "ID@HOST:PORT,...",
        converter = Converters.MembersValue.class,
        description = "the members' endpoints (one reachable member is enough to find the leader)")
    String members;

    @Option(names = "--ops", paramLabel = "N", defaultValue = "1000",
        description = "adds to make (default: ${DEFAULT-VALUE})")
    long ops;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "0",
        description = "adds started per second in total; 0: as fast as answers come (default)")
    double rate;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "1",
        description = "clients, each with its own session and one add outstanding (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--history", paramLabel = "FILE",
        description = "write one JSON object per operation per line to this file")
    String historyFile;

    @Option(names = "--timeout", defaultValue = "5s", paramLabel = "DURATION", converter = Converters.DurationNs.class,
        description = "an add without an answer after this long is 'unknown' (default: ${DEFAULT-VALUE})")
    long timeoutNs;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = Converters.DurationNs.class,
        description = "give up when no member answers for this long (default: the larger of --timeout and 10s)")
    Long connectTimeoutNs;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "the media driver to use (default: an embedded one)")
    String aeronDir;

    @Option(names = "--driver-dir-base", paramLabel = "DIR", description = "where the embedded driver's directory goes")
    String driverDirBase;

    @Option(names = "--reads", paramLabel = "FRACTION", defaultValue = "0",
        description = "the fraction of operations that are reads (get) instead of adds (default: ${DEFAULT-VALUE})")
    double readFraction;

    @Option(names = "--read-level", paramLabel = "LEVEL", defaultValue = "linearizable",
        converter = ReadLevelValue.class,
        description = "linearizable, lease, follower or mixed (the three in turn) (default: ${DEFAULT-VALUE})")
    String readLevel;

    @Option(names = "--egress", paramLabel = "HOST[:PORT]", converter = EgressValue.class,
        description = "the address the members send answers to (default: the local address that routes to them)")
    String egress;

    /**
     * @param args see the class description.
     */
    public static void main(final String[] args)
    {
        Main.main(CounterNode.prepend("client", args));
    }

    /**
     * Run the clients and print the summary.
     *
     * @return 0, or 1 when commands failed and none was acknowledged.
     */
    public Integer call()
    {
        final Summary summary = run();
        System.out.println(summary);
        return summary.failed > 0 && summary.acknowledged == 0 ? Main.FAILED : 0;
    }

    /**
     * Parse a {@code client} command line and run it, as the process tests do in their own JVM.
     *
     * @param args the {@code client} options.
     * @return the outcome.
     */
    static Summary run(final String... args)
    {
        final CounterClient client = new CounterClient();
        new CommandLine(client).parseArgs(args);
        return client.run();
    }

    /**
     * The outcome of a run.
     */
    static final class Summary
    {
        long acknowledged;
        long failed;
        long unknown;
        long finalValue = -1;
        long readsOk;
        long readsFailed;
        long readsUnknown;

        @Override
        public String toString()
        {
            return "acknowledged=" + acknowledged + " failed=" + failed + " unknown=" + unknown + " final=" +
                finalValue + " reads=" + readsOk + "/" + readsFailed + "/" + readsUnknown;
        }
    }

    /**
     * One logical client: a session with at most one operation outstanding.
     */
    private static final class Session implements ResponseListener
    {
        final int id;
        final Writer history;
        final Summary summary;
        RaftClient client;
        long pendingCorrelationId = -1;
        long invokeNs;
        long delta;
        long lastValue = -1;
        // The level of the read outstanding, or null for an add.
        ReadConsistency readLevel;

        Session(final int id, final Writer history, final Summary summary)
        {
            this.id = id;
            this.history = history;
            this.summary = summary;
        }

        boolean isIdle()
        {
            return pendingCorrelationId < 0;
        }

        public void onResponse(final long correlationId, final int outcome, final long logIndex,
            final DirectBuffer buffer, final int offset, final int length)
        {
            if (correlationId != pendingCorrelationId)
            {
                return;
            }
            final long completeNs = System.nanoTime();
            final String result;
            long value = -1;
            final boolean isRead = null != readLevel;
            if ((OK == outcome || DUPLICATE == outcome) && length >= 8)
            {
                result = "ok";
                value = buffer.getLong(offset);
                if (isRead)
                {
                    summary.readsOk++;
                }
                else
                {
                    lastValue = value;
                    summary.acknowledged++;
                }
            }
            else if (REJECTED == outcome || ERROR == outcome)
            {
                result = "fail";
                if (isRead)
                {
                    summary.readsFailed++;
                }
                else
                {
                    summary.failed++;
                }
            }
            else
            {
                result = "unknown";
                if (isRead)
                {
                    summary.readsUnknown++;
                }
                else
                {
                    summary.unknown++;
                }
            }
            record(completeNs, result, value);
            pendingCorrelationId = -1;
        }

        void record(final long completeNs, final String outcome, final long value)
        {
            if (null == history)
            {
                return;
            }
            try
            {
                final String op = null == readLevel ? "\"op\":\"add\",\"delta\":" + delta :
                    "\"op\":\"read\",\"level\":\"" + readLevel.name().toLowerCase(Locale.ROOT) + "\"";
                history.write("{\"client\":" + id + "," + op + ",\"invoke_ns\":" +
                    invokeNs + ",\"complete_ns\":" + completeNs + ",\"outcome\":\"" + outcome + "\"" +
                    ("ok".equals(outcome) ? ",\"value\":" + value : "") + "}\n");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    Summary run()
    {
        final Summary summary = new Summary();
        EmbeddedAeron embedded = null;
        Writer history = null;
        final Session[] sessions = new Session[concurrency];
        try
        {
            if (null != historyFile)
            {
                history = new BufferedWriter(new FileWriter(historyFile), 1 << 16);
            }
            if (null == aeronDir)
            {
                // Driver and conductor on this thread: the clients poll them.
                embedded = null != driverDirBase ?
                    EmbeddedAeron.invoker(new File(driverDirBase), "raftline-client") :
                    EmbeddedAeron.invoker("raftline-client");
            }
            for (int i = 0; i < concurrency; i++)
            {
                sessions[i] = new Session(i, history, summary);
                final ClientContext context = null != embedded ? new ClientContext().aeron(embedded.aeron()) :
                    new ClientContext().aeronDirectoryName(aeronDir);
                if (null != egress)
                {
                    context.egressChannel(egress);
                }
                sessions[i].client = RaftClient.connect(context
                    .members(members)
                    .maxInflight(1)
                    .commandTimeoutNs(timeoutNs)
                    .leaderTimeoutNs(Math.min(300_000_000L, timeoutNs / 2))
                    .connectTimeoutNs(null != connectTimeoutNs ? connectTimeoutNs :
                        Math.max(timeoutNs, 10_000_000_000L))
                    .listener(sessions[i]));
            }
            drive(sessions, ops, rate, 1, readFraction, ReadLevelValue.levels(readLevel));
            drive(new Session[]{sessions[0]}, 1, 0, 0, 0, null);
            summary.finalValue = sessions[0].lastValue;
            return summary;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final ClientException ex)
        {
            throw new IllegalStateException("could not connect to the cluster " + members + ": " + ex.getMessage(),
                ex);
        }
        finally
        {
            for (final Session session : sessions)
            {
                if (null != session)
                {
                    CloseHelper.quietClose(session.client);
                }
            }
            CloseHelper.quietClose(history);
            CloseHelper.quietClose(embedded);
        }
    }

    /**
     * @param egress {@code host[:port]}, an IPv6 address in brackets.
     * @return the UDP channel of that endpoint; port 0 when none is given.
     */
    static String egressChannel(final String egress)
    {
        final int colon = egress.lastIndexOf(':');
        final boolean hasPort = colon > 0 && egress.indexOf(']') < colon && (egress.startsWith("[") ||
            egress.indexOf(':') == colon);
        final String host = hasPort ? egress.substring(0, colon) : egress;
        final String port = hasPort ? egress.substring(colon + 1) : "0";
        if (host.isEmpty() || host.startsWith(":") || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535)
        {
            throw new IllegalArgumentException("--egress must be host[:port], not '" + egress + "'");
        }
        final boolean isBareIpv6 = !host.startsWith("[") && host.indexOf(':') >= 0;
        return "aeron:udp?endpoint=" + (isBareIpv6 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * {@code --egress host[:port]} to its channel, as a usage error when malformed.
     */
    static final class EgressValue implements CommandLine.ITypeConverter<String>
    {
        public String convert(final String value)
        {
            try
            {
                return egressChannel(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(ex.getMessage());
            }
        }
    }

    /**
     * {@code --read-level} to the levels taken in turn, as a usage error when unknown.
     */
    static final class ReadLevelValue implements CommandLine.ITypeConverter<String>
    {
        public String convert(final String value)
        {
            if (null == levels(value))
            {
                throw new CommandLine.TypeConversionException(
                    "--read-level must be linearizable, lease, follower or mixed, not '" + value + "'");
            }
            return value;
        }

        static ReadConsistency[] levels(final String value)
        {
            if ("mixed".equals(value))
            {
                return ReadConsistency.values();
            }
            for (final ReadConsistency candidate : ReadConsistency.values())
            {
                if (candidate.name().equalsIgnoreCase(value))
                {
                    return new ReadConsistency[]{candidate};
                }
            }
            return null;
        }
    }

    private static void drive(final Session[] sessions, final long ops, final double rate, final long delta,
        final double readFraction, final ReadConsistency[] readLevels)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, delta);
        final UnsafeBuffer get = new UnsafeBuffer(CounterService.GET);
        // Seeded, so that a run's mix of reads and adds is the same every time.
        final SplittableRandom random = new SplittableRandom(sessions.length);
        long reads = 0;
        final double intervalNs = rate > 0 ? 1e9 / rate : 0;
        final long startNs = System.nanoTime();
        long started = 0;
        boolean isBusy = true;
        while (started < ops || isBusy)
        {
            isBusy = false;
            for (final Session session : sessions)
            {
                session.client.poll();
                if (session.isIdle() && started < ops &&
                    (0 == intervalNs || System.nanoTime() >= startNs + (long)(started * intervalNs)))
                {
                    final boolean isRead = readFraction > 0 && random.nextDouble() < readFraction;
                    final ReadConsistency level = isRead ? readLevels[(int)(reads % readLevels.length)] : null;
                    final long invokeNs = System.nanoTime();
                    final long correlationId = isRead ?
                        session.client.query(level, get, 0, get.capacity()) : session.client.offer(command, 0, 8);
                    if (correlationId > 0)
                    {
                        session.pendingCorrelationId = correlationId;
                        session.invokeNs = invokeNs;
                        session.delta = isRead ? 0 : delta;
                        session.readLevel = level;
                        reads += isRead ? 1 : 0;
                        started++;
                    }
                }
                isBusy |= !session.isIdle();
            }
            Thread.yield();
        }
    }
}
