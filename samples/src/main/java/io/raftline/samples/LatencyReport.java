package io.raftline.samples;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Percentile reports of latency histograms (recorded in nanoseconds): a one-line summary, an HdrHistogram
 * {@code .hgrm} file and a percentile-distribution plot as PNG, several histograms on one plot for comparison.
 */
public final class LatencyReport
{
    private final Map<String, Histogram> series = new LinkedHashMap<>();

    /**
     * @return a histogram for latencies from 1 ns to 60 s at 3 significant digits.
     */
    public static Histogram newHistogram()
    {
        return new Histogram(60_000_000_000L, 3);
    }

    /**
     * Add a histogram to the report.
     *
     * @param name      of the series, e.g. "raftline 3 members IPC".
     * @param histogram of latencies in nanoseconds.
     * @return this for a fluent API.
     */
    public LatencyReport add(final String name, final Histogram histogram)
    {
        series.put(name, histogram);
        return this;
    }

    /**
     * @param histogram of latencies in nanoseconds.
     * @return "p50=… p90=… p99=… p99.9=… p99.99=… max=…" in microseconds.
     */
    public static String summary(final Histogram histogram)
    {
        return String.format("p50=%.1fus p90=%.1fus p99=%.1fus p99.9=%.1fus p99.99=%.1fus max=%.1fus (n=%d)",
            micros(histogram, 50), micros(histogram, 90), micros(histogram, 99), micros(histogram, 99.9),
            micros(histogram, 99.99), histogram.getMaxValue() / 1e3, histogram.getTotalCount());
    }

    /**
     * @param histogram  of latencies in nanoseconds.
     * @param percentile to read.
     * @return the value at the percentile in microseconds.
     */
    public static double micros(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    /**
     * Print one summary line per series.
     *
     * @param out to print to.
     */
    public void print(final PrintStream out)
    {
        for (final Map.Entry<String, Histogram> entry : series.entrySet())
        {
            out.printf("  %-40s %s%n", entry.getKey(), summary(entry.getValue()));
        }
    }

    /**
     * Write each series as an .hgrm file (values in microseconds) and all of them on one PNG plot.
     *
     * @param directory to write into.
     * @param name      base name of the files.
     * @param title     of the plot.
     * @return the PNG file.
     */
    public File write(final File directory, final String name, final String title)
    {
        if (!directory.isDirectory() && !directory.mkdirs())
        {
            throw new UncheckedIOException(new IOException("cannot create directory " + directory));
        }
        for (final Map.Entry<String, Histogram> entry : series.entrySet())
        {
            final File hgrm = new File(directory, name + "-" + fileName(entry.getKey()) + ".hgrm");
            try (PrintStream out = new PrintStream(new FileOutputStream(hgrm), false, "US-ASCII"))
            {
                entry.getValue().outputPercentileDistribution(out, 1000.0);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        final File png = new File(directory, name + ".png");
        plot(title, png);
        return png;
    }

    private void plot(final String title, final File png)
    {
        System.setProperty("java.awt.headless", "true");
        final XYChart chart = new XYChartBuilder()
            .width(1000)
            .height(600)
            .title(title)
            .xAxisTitle("1 / (1 - percentile): 10 = p90, 100 = p99, 1000 = p99.9, 1E4 = p99.99")
            .yAxisTitle("latency (us)")
            .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(3);
        for (final Map.Entry<String, Histogram> entry : series.entrySet())
        {
            final List<Double> xs = new ArrayList<>();
            final List<Double> ys = new ArrayList<>();
            for (final HistogramIterationValue value : entry.getValue().percentiles(5))
            {
                final double percentile = value.getPercentileLevelIteratedTo();
                if (percentile >= 100.0)
                {
                    break;
                }
                // x = 1 / (1 - p): 10 = p90, 100 = p99, 1000 = p99.9 ...
                xs.add(1.0 / (1.0 - percentile / 100.0));
                ys.add(Math.max(0.01, value.getValueIteratedTo() / 1e3));
            }
            if (!xs.isEmpty())
            {
                chart.addSeries(entry.getKey(), xs, ys).setMarker(SeriesMarkers.NONE);
            }
        }
        try
        {
            BitmapEncoder.saveBitmap(chart, png.getPath(), BitmapEncoder.BitmapFormat.PNG);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String fileName(final String seriesName)
    {
        return seriesName.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
