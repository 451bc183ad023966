package com.parley.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.parley.infra.ServiceProcess;

/**
 * A service's own latency timer, read from its Prometheus page ({@code /q/metrics}): the buckets of
 * a Micrometer percentile histogram, scraped before and after a step, give the step's percentiles
 * (the upper bound of the bucket that holds them; Micrometer's buckets are about 10 % apart). This
 * is how the write scenario splits the end-to-end latency into the relay's part and the gateway's.
 */
final class ServerTimer {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    private final ServiceProcess service;
    private final Pattern bucket;
    private final String labels;

    /** @param metric the timer's Prometheus name, e.g. {@code parley_outbox_publish_latency_seconds} */
    ServerTimer(ServiceProcess service, String metric) {
        this(service, metric, "");
    }

    /** Only the series whose labels hold {@code labels}, e.g. {@code call="post"}. */
    ServerTimer(ServiceProcess service, String metric, String labels) {
        this.service = service;
        this.labels = labels;
        this.bucket = Pattern.compile("^" + Pattern.quote(metric) + "_bucket\\{([^}]*)\\} ([0-9.eE+-]+)$",
                Pattern.MULTILINE);
    }

    /** Cumulative counts by upper bound in seconds. */
    TreeMap<Double, Double> scrape() {
        TreeMap<Double, Double> counts = new TreeMap<>();
        Matcher m = bucket.matcher(metricsPage(service));
        while (m.find()) {
            Matcher le = LE.matcher(m.group(1));
            if (m.group(1).contains(labels) && le.find()) {
                double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                counts.merge(bound, Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return counts;
    }

    /**
     * A timer without a histogram (Quarkus' {@code http_server_requests_seconds}): its count and
     * sum in seconds over the series whose labels hold all of {@code labels}, to take a mean between
     * two scrapes. (Its {@code uri} label is a path template, with braces.)
     */
    static double[] countAndSum(ServiceProcess service, String metric, String... labels) {
        double[] countSum = new double[2];
        Matcher m = Pattern.compile("^" + Pattern.quote(metric) + "_(count|sum)\\{(.*)\\} ([0-9.eE+-]+)",
                Pattern.MULTILINE).matcher(metricsPage(service));
        while (m.find()) {
            String series = m.group(2);
            if (Arrays.stream(labels).allMatch(series::contains)) {
                countSum[m.group(1).equals("count") ? 0 : 1] += Double.parseDouble(m.group(3));
            }
        }
        return countSum;
    }

    /** The mean in ms between two {@link #countAndSum} scrapes ("-" when nothing was recorded). */
    static String meanMs(double[] before, double[] after) {
        double count = after[0] - before[0];
        return count <= 0 ? "-" : String.format("%.1f", (after[1] - before[1]) / count * 1000);
    }

    /** A service's Prometheus page ({@code /q/metrics}). */
    static String metricsPage(ServiceProcess service) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The percentile of what was recorded between two scrapes, in ms ("-" when nothing was). */
    static String ms(Map<Double, Double> before, TreeMap<Double, Double> after, double percentile) {
        double total = after.lastEntry() == null ? 0 : after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
        if (total <= 0) {
            return "-";
        }
        for (Map.Entry<Double, Double> e : after.entrySet()) {
            double count = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            if (count >= total * percentile / 100) {
                return e.getKey().isInfinite() ? "inf" : String.format("%.1f", e.getKey() * 1000);
            }
        }
        return "inf";
    }
}
