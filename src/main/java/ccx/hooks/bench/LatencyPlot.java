package ccx.hooks.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * An SVG of latency distributions: for each series, the latency (log scale) at each percentile from
 * 0 to 99.9, so that tails show as clearly as medians. Hand-written because it is one chart of
 * lines; a charting library would add megabytes to the relay's jar for it.
 */
final class LatencyPlot {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 420;
  private static final int LEFT = 70;
  private static final int TOP = 40;
  private static final int PLOT_WIDTH = WIDTH - LEFT - 20;
  private static final int PLOT_HEIGHT = HEIGHT - TOP - 60;
  private static final List<String> COLOURS = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728");
  private static final double[] PERCENTILES = {0, 10, 25, 50, 75, 90, 95, 99, 99.9};

  private final StringBuilder svg = new StringBuilder();
  private final double logMin;
  private final double logMax;

  private LatencyPlot(double minMs, double maxMs) {
    logMin = Math.log10(Math.min(minMs, maxMs / 10));
    logMax = Math.log10(maxMs) + 0.1;
  }

  /** Writes the series (latencies in nanoseconds) to {@code file}. */
  static void write(Path file, Map<String, Histogram> series) {
    Map<String, Histogram> sorted = new TreeMap<>(series);
    double max = 0.01;
    double min = Double.MAX_VALUE;
    for (Histogram h : sorted.values()) {
      if (h.getTotalCount() > 0) {
        max = Math.max(max, h.getMaxValue() / 1e6);
        min = Math.min(min, Math.max(0.01, h.getMinValue() / 1e6));
      }
    }
    LatencyPlot plot = new LatencyPlot(min, max);
    plot.axes();
    int index = 0;
    for (Map.Entry<String, Histogram> entry : sorted.entrySet()) {
      plot.series(index++, entry.getKey(), entry.getValue());
    }
    plot.add("</svg>");
    try {
      Files.writeString(file, plot.svg);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private void axes() {
    add(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">",
        WIDTH, HEIGHT);
    add("<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>");
    add(
        "<text x=\"%d\" y=\"22\" font-size=\"15\">ccx-hook-service bench: latency by percentile</text>",
        LEFT);
    for (int i = 0; i < PERCENTILES.length; i++) {
      double x = x(i);
      add(
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>",
          x, TOP, x, bottom());
      add(
          "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">p%s</text>",
          x, bottom() + 18, trim(PERCENTILES[i]));
    }
    for (int decade = (int) Math.ceil(logMin); decade <= logMax; decade++) {
      double y = y(Math.pow(10, decade));
      add(
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>",
          LEFT, y, LEFT + PLOT_WIDTH, y);
      add(
          "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>",
          LEFT - 6, y + 4, trim(Math.pow(10, decade)));
    }
    add(
        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile (latency, log scale)</text>",
        LEFT + PLOT_WIDTH / 2, HEIGHT - 22);
  }

  private void series(int index, String name, Histogram nanos) {
    String stroke = COLOURS.get(index % COLOURS.size());
    if (nanos.getTotalCount() > 0) {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < PERCENTILES.length; i++) {
        double ms =
            Math.max(Math.pow(10, logMin), nanos.getValueAtPercentile(PERCENTILES[i]) / 1e6);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(i), y(ms)));
      }
      add(
          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>",
          stroke, points.toString().trim());
    }
    int legendY = TOP + 14 + 16 * index;
    add(
        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>",
        LEFT + 10, legendY - 4, LEFT + 30, legendY - 4, stroke);
    add(
        "<text x=\"%d\" y=\"%d\">%s (%d samples)</text>",
        LEFT + 36, legendY, name.replace("&", "&amp;").replace("<", "&lt;"), nanos.getTotalCount());
  }

  private static double x(int percentileIndex) {
    return LEFT + PLOT_WIDTH * percentileIndex / (double) (PERCENTILES.length - 1);
  }

  private double y(double ms) {
    return TOP + PLOT_HEIGHT * (1 - (Math.log10(ms) - logMin) / (logMax - logMin));
  }

  private static int bottom() {
    return TOP + PLOT_HEIGHT;
  }

  private void add(String format, Object... args) {
    svg.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
