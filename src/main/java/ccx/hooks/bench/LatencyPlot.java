package ccx.hooks.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An SVG of latency distributions: for each series, the latency (log scale) at each percentile from
 * 0 to 99.9, so that tails show as clearly as medians.
 */
final class LatencyPlot {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 420;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 40;
  private static final int BOTTOM = 60;
  private static final List<String> COLOURS = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728");
  private static final double[] PERCENTILES = {0, 10, 25, 50, 75, 90, 95, 99, 99.9};

  private LatencyPlot() {}

  static void write(Path file, Map<String, Latencies> series) {
    Map<String, Latencies> sorted = new TreeMap<>(series);
    double max = 0.01;
    double min = Double.MAX_VALUE;
    for (Latencies latencies : sorted.values()) {
      double[] ms = latencies.sortedMillis();
      if (ms.length > 0) {
        max = Math.max(max, ms[ms.length - 1]);
        min = Math.min(min, Math.max(0.01, ms[0]));
      }
    }
    double logMin = Math.log10(Math.min(min, max / 10));
    double logMax = Math.log10(max) + 0.1;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            WIDTH,
            HEIGHT));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"22\" font-size=\"15\">ccx-hook-service bench: latency by percentile</text>%n",
            LEFT));
    int plotWidth = WIDTH - LEFT - RIGHT;
    int plotHeight = HEIGHT - TOP - BOTTOM;
    for (int i = 0; i < PERCENTILES.length; i++) {
      double x = LEFT + plotWidth * i / (double) (PERCENTILES.length - 1);
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
              x,
              TOP,
              x,
              TOP + plotHeight));
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">p%s</text>%n",
              x,
              TOP + plotHeight + 18,
              trim(PERCENTILES[i])));
    }
    for (int decade = (int) Math.floor(logMin); decade <= Math.ceil(logMax); decade++) {
      if (decade < logMin || decade > logMax) {
        continue;
      }
      double y = TOP + plotHeight * (1 - (decade - logMin) / (logMax - logMin));
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
              LEFT,
              y,
              LEFT + plotWidth,
              y));
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n",
              LEFT - 6,
              y + 4,
              trim(Math.pow(10, decade))));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile (latency, log scale)</text>%n",
            LEFT + plotWidth / 2,
            HEIGHT - 22));
    int colour = 0;
    for (Map.Entry<String, Latencies> entry : sorted.entrySet()) {
      double[] ms = entry.getValue().sortedMillis();
      String stroke = COLOURS.get(colour % COLOURS.size());
      if (ms.length > 0) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < PERCENTILES.length; i++) {
          int index = (int) Math.min(ms.length - 1, Math.floor(PERCENTILES[i] / 100.0 * ms.length));
          double value = Math.max(Math.pow(10, logMin), ms[index]);
          double x = LEFT + plotWidth * i / (double) (PERCENTILES.length - 1);
          double y = TOP + plotHeight * (1 - (Math.log10(value) - logMin) / (logMax - logMin));
          points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        svg.append(
            String.format(
                Locale.ROOT,
                "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                stroke,
                points.toString().trim()));
      }
      int legendY = TOP + 14 + 16 * colour;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n",
              LEFT + 10,
              legendY - 4,
              LEFT + 30,
              legendY - 4,
              stroke));
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\">%s (%d samples)</text>%n",
              LEFT + 36,
              legendY,
              escape(entry.getKey()),
              ms.length));
      colour++;
    }
    svg.append("</svg>\n");
    try {
      Files.writeString(file, svg);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;");
  }
}
