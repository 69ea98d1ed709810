package io.raftline.perf;

import io.aeron.CncFileDescriptor;
import io.raftline.engine.agent.RaftStat;
import io.raftline.perf.baseline.AeronClusterBaseline;
import io.raftline.perf.baseline.AeronPingPong;
import io.raftline.perf.baseline.BaselineResult;
import io.raftline.samples.LoadGenerator;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Latency under load, the report's headline (issue 15): the open loop at 25%, 50% and 75% of the highest rate the
 * IPC cluster sustained, each phase's p99, p99.9 and max beside what the {@link Hiccups} meter saw for a run of the
 * same length, and the ratio; and the members' longest duty cycle in each phase (the agent's own
 * {@code max-duty-cycle-ns}, reset before the phase) against the meter's longest gap.
 * <p>
 * The meter runs before the cluster starts: the cluster's member thread spins even when idle, and beside it the
 * meter's spinners would measure their competition for the cores, not the platform.
 * <p>
 * Beside the meter, two real systems run the same open loop at the same rates after the cluster closed
 * ({@link #peers}): an Aeron IPC echo (the ping sends on the schedule, a pong on its own spinning thread echoes,
 * nothing else: the two spinners of the headline with only Aeron between them) and Aeron Cluster (the {@code cluster}
 * section's layout, its client over IPC to the leader's driver). The echo is what the host and Aeron allow an open
 * loop at that rate with no replication at all; Aeron Cluster is the peer on the same host.
 */
final class LoadHeadline
{
    /**
     * The fractions of the highest sustained rate the headline runs at.
     */
    static final double[] FRACTIONS = {0.25, 0.50, 0.75};

    /**
     * Microseconds under which a meter's figure counts as 1 us in a ratio (the meter samples every microsecond).
     */
    private static final long RATIO_FLOOR_NS = 1_000L;

    /**
     * One phase of the open loop.
     *
     * @param fraction        of the highest sustained rate.
     * @param rate            offered, commands per second.
     * @param result          of the open loop (latency from each command's due time).
     * @param maxDutyCycleNs  the longest duty cycle of any member in the phase.
     * @param slowCycles      duty cycles over 1 ms, all members, in the phase.
     */
    record Phase(double fraction, double rate, LoadGenerator.Result result, long maxDutyCycleNs, long slowCycles)
    {
    }

    /**
     * The same open loop at one phase's rate on the two peers.
     *
     * @param echo         the Aeron IPC echo, or null when it failed ({@code why} says why).
     * @param aeronCluster Aeron Cluster, or null when it failed or did not run.
     * @param why          what failed, empty when nothing did.
     */
    record Peers(BaselineResult echo, BaselineResult aeronCluster, String why)
    {
    }

    private LoadHeadline()
    {
    }

    /**
     * Run the open loop of each phase, at its rate and for as long, over an Aeron IPC echo and then on Aeron
     * Cluster. A peer that fails is reported as failed, not retried; the rest of the headline stands.
     *
     * @param phases     the cluster's phases, whose rates the peers run at.
     * @param warmupNs   of the Aeron Cluster warm-up (its members start cold) and, up to a second, of each echo.
     * @param durationNs of each phase.
     * @return one entry per phase.
     */
    static List<Peers> peers(final List<Phase> phases, final long warmupNs, final long durationNs)
    {
        final BaselineResult[] echoes = new BaselineResult[phases.size()];
        final BaselineResult[] clusters = new BaselineResult[phases.size()];
        final String[] why = new String[phases.size()];
        // The cluster that just closed left its garbage: collected now, not in the first echo's phase.
        System.gc();
        for (int i = 0; i < phases.size(); i++)
        {
            try
            {
                echoes[i] = AeronPingPong.openLoop(AeronPingPong.Medium.IPC, phases.get(i).rate(), 32,
                    Math.min(warmupNs, 1_000_000_000L), durationNs);
            }
            catch (final RuntimeException ex)
            {
                why[i] = "the Aeron IPC echo failed: " + ex.getMessage();
            }
        }
        try (AeronClusterBaseline cluster = AeronClusterBaseline.launch())
        {
            cluster.throughput(256, 32, warmupNs);
            for (int i = 0; i < phases.size(); i++)
            {
                try
                {
                    clusters[i] = cluster.openLoop(phases.get(i).rate(), 32, durationNs);
                }
                catch (final RuntimeException ex)
                {
                    why[i] = (null == why[i] ? "" : why[i] + "; ") + "Aeron Cluster failed: " + ex.getMessage();
                    break;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            for (int i = 0; i < phases.size(); i++)
            {
                why[i] = (null == why[i] ? "" : why[i] + "; ") + "Aeron Cluster failed: " + ex.getMessage();
            }
        }
        final List<Peers> peers = new ArrayList<>();
        for (int i = 0; i < phases.size(); i++)
        {
            peers.add(new Peers(echoes[i], clusters[i], null == why[i] ? "" : why[i]));
        }
        return peers;
    }

    /**
     * Run the open loop at each fraction of the highest sustained rate, each for {@code durationNs}.
     *
     * @param cluster     the IPC cluster, warmed up.
     * @param highestRate commands per second the open loop sustained.
     * @param durationNs  of each phase (the meter's run should be as long).
     * @return the phases.
     */
    static List<Phase> run(final RaftlineScenarios.IpcCluster cluster, final double highestRate, final long durationNs)
    {
        final List<Phase> phases = new ArrayList<>();
        final File cncFile = new File(cluster.aeronDirectoryName(), CncFileDescriptor.CNC_FILE);
        // Mapped read-write, as an Aeron client maps it, so that the window of max-duty-cycle-ns can be reset.
        final MappedByteBuffer cnc = IoUtil.mapExistingFile(cncFile, "cnc");
        try
        {
            final DirectBuffer meta = CncFileDescriptor.createMetaDataBuffer(cnc);
            final CountersReader counters = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(cnc, meta),
                CncFileDescriptor.createCountersValuesBuffer(cnc, meta));
            final LoadGenerator load = cluster.load();
            for (final double fraction : FRACTIONS)
            {
                final double rate = Math.floor(highestRate * fraction);
                final long slowBefore = slowCycles(counters);
                if (0 == RaftStat.resetMaxDutyCycles(counters))
                {
                    throw new IllegalStateException("no max-duty-cycle-ns counter in " + cncFile);
                }
                final LoadGenerator.Result result = load.openLoop(rate, 32, durationNs);
                phases.add(new Phase(fraction, rate, result, RaftStat.maxDutyCycleNs(counters),
                    slowCycles(counters) - slowBefore));
            }
        }
        finally
        {
            IoUtil.unmap(cnc);
        }
        return phases;
    }

    private static long slowCycles(final CountersReader counters)
    {
        final long[] sum = {0};
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (label.startsWith("raftline member=") && label.endsWith(" duty-cycles-over-1ms"))
            {
                sum[0] += counters.getCounterValue(counterId);
            }
        });
        return sum[0];
    }

    /**
     * The headline table, for the top of the report.
     *
     * @param phases      as {@link #run} measured them.
     * @param peers       as {@link #peers} measured them, one per phase.
     * @param meter       what the meter saw in a run as long as each phase.
     * @param highestRate the rate the fractions are of.
     * @param how         how the highest rate was found, for the heading.
     * @return a markdown section.
     */
    static String table(final List<Phase> phases, final List<Peers> peers, final Hiccups.Profile meter,
        final double highestRate, final String how)
    {
        final Histogram m = meter.delays();
        final StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT,
            "Latency under load: 3 members over IPC, open loop (latency from each command's due time) at 25/50/75%% " +
            "of %,.0f/s (%s), each phase beside the Hiccups meter (%d spinning threads, %.0f s, before the cluster " +
            "started) and the same open loop over an Aeron IPC echo and on Aeron Cluster (after the cluster " +
            "closed)%n%n", highestRate, how, meter.gaps().threads(), meter.gaps().seconds()));
        table.append("| load | answered in time/s | p99 | p99.9 | max | meter p99 | meter p99.9 | " +
            "meter max (longest gap) | ratio p99 / p99.9 / max | agent's longest duty cycle | " +
            "÷ meter's longest gap | cycles > 1 ms | Aeron IPC echo p99 / p99.9 / max | " +
            "Aeron Cluster p99 / p99.9 / max |\n");
        table.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        final StringBuilder failures = new StringBuilder();
        for (int i = 0; i < phases.size(); i++)
        {
            final Phase phase = phases.get(i);
            final Peers peer = peers.get(i);
            final Histogram h = phase.result().histogram();
            table.append(String.format(Locale.ROOT, "| %.0f%%: %,.0f/s | %,.0f | %s | %s | %s | %s | %s | %s | " +
                "%.1f× / %.1f× / %.1f× | %s | %.1f× | %d | %s | %s |%n", 100 * phase.fraction(), phase.rate(),
                phase.result().inTimeRatePerSecond(),
                format(h.getValueAtPercentile(99)), format(h.getValueAtPercentile(99.9)), format(h.getMaxValue()),
                format(m.getValueAtPercentile(99)), format(m.getValueAtPercentile(99.9)), format(m.getMaxValue()),
                ratio(h.getValueAtPercentile(99), m.getValueAtPercentile(99)),
                ratio(h.getValueAtPercentile(99.9), m.getValueAtPercentile(99.9)),
                ratio(h.getMaxValue(), m.getMaxValue()),
                format(phase.maxDutyCycleNs()), ratio(phase.maxDutyCycleNs(), m.getMaxValue()),
                phase.slowCycles(), percentiles(peer.echo()), percentiles(peer.aeronCluster())));
            if (!peer.why().isEmpty())
            {
                failures.append(String.format(Locale.ROOT, "%nAt %,.0f/s: %s", phase.rate(), peer.why()));
            }
        }
        table.append(failures.length() == 0 ? "" : failures.append('\n'));
        table.append(String.format(Locale.ROOT, "%nGoals (issue 15): p99 <= 1 ms at 50%%; p99.9 within 2× the " +
            "meter's; the agent's longest duty cycle <= 2× the meter's longest gap. The meter's figures are the " +
            "delays a command due at any moment would see from its stalls alone (%s); in a ratio a meter figure " +
            "under 1 us counts as 1 us. The echo is the headline's two spinning threads with nothing but Aeron IPC " +
            "between them (its pong echoes each message; the driver backs off); Aeron Cluster's client yields.%n",
            meter.gaps()));
        return table.toString();
    }

    private static String percentiles(final BaselineResult result)
    {
        if (null == result)
        {
            return "failed";
        }
        final Histogram h = result.histogram();
        return format(h.getValueAtPercentile(99)) + " / " + format(h.getValueAtPercentile(99.9)) + " / " +
            format(h.getMaxValue());
    }

    private static double ratio(final long value, final long meterValue)
    {
        return (double)value / Math.max(RATIO_FLOOR_NS, meterValue);
    }

    private static String format(final long nanos)
    {
        if (nanos >= 10_000_000L)
        {
            return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
        }
        if (nanos >= 1_000_000L)
        {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }
}
