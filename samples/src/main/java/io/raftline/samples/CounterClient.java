package io.raftline.samples;

import io.raftline.engine.agent.EmbeddedAeron;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.ClientException;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.SystemUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedWriter;
import java.io.File;
import java.io.FileWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Set;

/**
 * Clients of the replicated counter, as a process:
 * <pre>
 * java -jar raftline-samples.jar client --members 0@127.0.0.1:20000,1@127.0.0.1:20001,2@127.0.0.1:20002 \
 *     --ops 10000 [--rate 2000] [--concurrency 4] [--history history.jsonl] [--timeout 5s] [--driver-dir-base dir]
 *     [--egress host[:port]]
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
 */
public final class CounterClient
{
    static final Set<String> OPTIONS = Set.of("members", "ops", "rate", "concurrency", "history", "aeron-dir",
        "timeout", "driver-dir-base", "egress");

    private CounterClient()
    {
    }

    /**
     * @param args see the class description.
     */
    public static void main(final String[] args)
    {
        final Summary summary = run(new Args(args, 0, OPTIONS));
        System.out.println(summary);
        if (summary.failed > 0 && summary.acknowledged == 0)
        {
            System.exit(1);
        }
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

        @Override
        public String toString()
        {
            return "acknowledged=" + acknowledged + " failed=" + failed + " unknown=" + unknown + " final=" +
                finalValue;
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
            if ((OK == outcome || DUPLICATE == outcome) && length >= 8)
            {
                result = "ok";
                value = buffer.getLong(offset);
                lastValue = value;
                summary.acknowledged++;
            }
            else if (REJECTED == outcome || ERROR == outcome)
            {
                result = "fail";
                summary.failed++;
            }
            else
            {
                result = "unknown";
                summary.unknown++;
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
                history.write("{\"client\":" + id + ",\"op\":\"add\",\"delta\":" + delta + ",\"invoke_ns\":" +
                    invokeNs + ",\"complete_ns\":" + completeNs + ",\"outcome\":\"" + outcome + "\"" +
                    ("ok".equals(outcome) ? ",\"value\":" + value : "") + "}\n");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    static Summary run(final Args args)
    {
        final String members = args.get("members");
        final long ops = args.getLong("ops", 1000);
        final double rate = args.has("rate") ? Double.parseDouble(args.get("rate")) : 0;
        final int concurrency = args.getInt("concurrency", 1);
        final long timeoutNs = SystemUtil.parseDuration("timeout", args.get("timeout", "5s"));
        final String egress = args.has("egress") ? egressChannel(args.get("egress")) : null;
        final Summary summary = new Summary();
        EmbeddedAeron embedded = null;
        Writer history = null;
        final Session[] sessions = new Session[concurrency];
        try
        {
            if (args.has("history"))
            {
                history = new BufferedWriter(new FileWriter(args.get("history")), 1 << 16);
            }
            if (!args.has("aeron-dir"))
            {
                // Driver and conductor on this thread: the clients poll them.
                embedded = args.has("driver-dir-base") ?
                    EmbeddedAeron.invoker(new File(args.get("driver-dir-base")), "raftline-client") :
                    EmbeddedAeron.invoker("raftline-client");
            }
            for (int i = 0; i < concurrency; i++)
            {
                sessions[i] = new Session(i, history, summary);
                final ClientContext context = null != embedded ? new ClientContext().aeron(embedded.aeron()) :
                    new ClientContext().aeronDirectoryName(args.get("aeron-dir"));
                if (null != egress)
                {
                    context.egressChannel(egress);
                }
                sessions[i].client = RaftClient.connect(context
                    .members(members)
                    .maxInflight(1)
                    .commandTimeoutNs(timeoutNs)
                    .leaderTimeoutNs(Math.min(300_000_000L, timeoutNs / 2))
                    .connectTimeoutNs(Math.max(timeoutNs, 10_000_000_000L))
                    .listener(sessions[i]));
            }
            drive(sessions, ops, rate, 1);
            drive(new Session[]{sessions[0]}, 1, 0, 0);
            summary.finalValue = sessions[0].lastValue;
            return summary;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final ClientException ex)
        {
            throw new IllegalArgumentException("could not connect to the cluster " + members + ": " +
                ex.getMessage(), ex);
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

    private static void drive(final Session[] sessions, final long ops, final double rate, final long delta)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        command.putLong(0, delta);
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
                    final long invokeNs = System.nanoTime();
                    final long correlationId = session.client.offer(command, 0, 8);
                    if (correlationId > 0)
                    {
                        session.pendingCorrelationId = correlationId;
                        session.invokeNs = invokeNs;
                        session.delta = delta;
                        started++;
                    }
                }
                isBusy |= !session.isIdle();
            }
            Thread.yield();
        }
    }
}
