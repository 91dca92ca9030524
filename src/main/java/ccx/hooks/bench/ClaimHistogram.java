package ccx.hooks.bench;

import ccx.hooks.core.RelayException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relays' {@code ccx_hook_claim_seconds} histogram as scraped from {@code /metrics}: cumulative
 * counts by upper bound in seconds. Buckets subtract (a phase is after minus before) and add (two
 * relays), which percentiles do not; percentiles are read at the end, as Prometheus's {@code
 * histogram_quantile} does.
 */
record ClaimHistogram(NavigableMap<Double, Double> cumulative) {
  static final String METRIC = "ccx_hook_claim_seconds";
  private static final Pattern BUCKET =
      Pattern.compile(
          "^" + METRIC + "_bucket\\{(?:.*,)?le=\"([^\"]+)\".*\\}\\s+(\\S+)", Pattern.MULTILINE);

  ClaimHistogram {
    cumulative = Collections.unmodifiableNavigableMap(new TreeMap<>(cumulative));
  }

  static ClaimHistogram parse(String prometheusText) {
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    Matcher m = BUCKET.matcher(prometheusText);
    while (m.find()) {
      double bound =
          m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
      buckets.merge(bound, Double.parseDouble(m.group(2)), Double::sum);
    }
    if (buckets.isEmpty()) {
      throw new RelayException(
          "the relay's /metrics has no " + METRIC + " histogram: is it an older build?");
    }
    return new ClaimHistogram(buckets);
  }

  /** The buckets of all relays together. */
  static ClaimHistogram sum(List<ClaimHistogram> histograms) {
    NavigableMap<Double, Double> total = new TreeMap<>();
    histograms.forEach(h -> h.cumulative.forEach((le, n) -> total.merge(le, n, Double::sum)));
    return new ClaimHistogram(total);
  }

  /** What was counted since {@code earlier}, a scrape of the same relays. */
  ClaimHistogram since(ClaimHistogram earlier) {
    NavigableMap<Double, Double> difference = new TreeMap<>(cumulative);
    earlier.cumulative.forEach((le, n) -> difference.merge(le, -n, Double::sum));
    return new ClaimHistogram(difference);
  }

  long count() {
    return Math.round(cumulative.getOrDefault(Double.POSITIVE_INFINITY, 0.0));
  }

  /**
   * The p-th percentile (0 to 100) in milliseconds, interpolated linearly inside its bucket; a rank
   * in the last, unbounded bucket reads as the highest finite bound.
   */
  double percentileMillis(double p) {
    if (count() == 0) {
      throw new RelayException("the relays counted no claims in " + METRIC);
    }
    double rank = p / 100 * count();
    double lowerBound = 0;
    double below = 0;
    for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
      if (bucket.getValue() >= rank) {
        if (bucket.getKey().isInfinite()) {
          return lowerBound * 1000;
        }
        double inBucket = bucket.getValue() - below;
        double share = inBucket == 0 ? 1 : (rank - below) / inBucket;
        return (lowerBound + (bucket.getKey() - lowerBound) * share) * 1000;
      }
      lowerBound = bucket.getKey();
      below = bucket.getValue();
    }
    return lowerBound * 1000;
  }
}
