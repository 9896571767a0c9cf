package io.egoiverify.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The reports of {@link LatencyMain}: JSON, Markdown with each of issue 13's targets met or missed, and an SVG. */
final class LatencyReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final long SEND_TARGET_MS = 150;
    static final long CHECK_TARGET_MS = 100;
    static final long FAILOVER_TARGET_MS = 8_000;
    /** The broker APIs the report names; the rest (heartbeats, metadata, ...) are summed as "other". */
    private static final List<String> BROKER_APIS = List.of("Fetch", "Produce", "EndTxn", "AddPartitionsToTxn",
            "TxnOffsetCommit", "WriteTxnMarkers");

    /** A step with the commit interval it ran at ("" for the defaults) and the load average when it ended. */
    record Row(StepResult step, String commitIntervalMs, String loadAverage) {
    }

    private final String mode;
    private final String command;
    private final BenchmarkMain.BenchOptions options;
    private final Map<String, String> extra;
    private final List<Row> rows = new ArrayList<>();
    private final List<FailoverStep.Result> failovers = new ArrayList<>();

    LatencyReport(String mode, String command, BenchmarkMain.BenchOptions options, Map<String, String> extra) {
        this.mode = mode;
        this.command = command;
        this.options = options;
        this.extra = extra;
    }

    void add(StepResult step, String commitIntervalMs) {
        rows.add(new Row(step, commitIntervalMs, LatencyMain.loadAverage()));
    }

    void failover(FailoverStep.Result result) {
        failovers.add(result);
        rows.add(new Row(result.step(), "", result.loadAverageAtKill()));
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("generatedAt", Instant.now().toString());
        json.put("command", "e2e/benchmark " + command);
        json.put("options", LatencyMain.options(options));
        json.put("extra", extra);
        json.put("steps", rows);
        List<Map<String, Object>> f = new ArrayList<>();
        for (FailoverStep.Result r : failovers) {
            Map<String, Object> m = FailoverStep.summary(r);
            m.put("perSecond", r.perSecond());
            f.add(m);
        }
        json.put("failover", f);
        JSON.writeValue(dir.resolve(mode + ".json").toFile(), json);
        Files.writeString(dir.resolve(mode + ".md"), markdown(), StandardCharsets.UTF_8);
        String svg = failovers.isEmpty()
                ? LatencyPlot.svg(rows.stream().map(Row::step).toList(), SEND_TARGET_MS)
                : failoverSvg(failovers.get(0));
        Files.writeString(dir.resolve(mode + ".svg"), svg, StandardCharsets.UTF_8);
    }

    String markdown() {
        StringBuilder md = new StringBuilder("# egoi-verify latency benchmark: " + mode + "\n\n");
        md.append(String.format("Command: `e2e/benchmark %s`; %d lifecycle and %d worker instances, %d partitions, "
                        + "provider latency %d ms (sandbox), per-number limits on, TTL %d s with 1 in %d flows left "
                        + "to expire, steps of %d s, settings %s, everything on this machine (%d cores). Load "
                        + "average (1/5/15 min) at the end of each step in the table.%n%n",
                command, options.lifecycles(), options.workers(), options.partitions(), options.providerLatencyMs(),
                options.ttlSeconds(), options.expireEvery(), options.stepDuration().toSeconds(), options.settings(),
                Runtime.getRuntime().availableProcessors()));
        md.append("![plot](").append(mode).append(".svg)\n\n");
        if (!failovers.isEmpty()) {
            failoverMarkdown(md);
        }
        if (mode.equals("latency")) {
            targets(md);
        }
        md.append("## Steps (request→sent and submit→verified: client-observed minus the E-goi call)\n\n"
                + "| step | commit interval ms | offered/s | flows/s | sustained | verified | expired | failed | open "
                + "| request→sent p50/p90/p99/max | submit→verified p50/p90/p99/max | expiry lag p50/p99 | load avg |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            StepResult s = row.step();
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %s | %d | %d | %d | %d | %s | %s | %s | "
                            + "%s |%n", s.label(),
                    row.commitIntervalMs().isEmpty() ? "default" : row.commitIntervalMs(),
                    s.offeredPerSecond(), s.flowsPerSecond(), s.sustained(options.answeredFraction()) ? "yes" : "no",
                    s.verified(), s.expired(), s.failed(), s.open(), full(s.requestToSentMinusProvider()),
                    full(s.submitToVerifiedMinusProvider()), s.expiryLag(), row.loadAverage()));
        }
        md.append("\n## Per hop (p50 / p99 ms)\n\n| step | hop | p50 | p99 |\n|---|---|---|---|\n");
        for (Row row : rows) {
            row.step().hops().forEach((k, v) -> md.append(String.format("| %s | %s | %d | %d |%n",
                    row.step().label(), k, v.p50(), v.p99())));
        }
        md.append("\n## CPU (% of one core) and RSS per process while the load is offered\n\n"
                + "| step | process | CPU % | RSS MB |\n|---|---|---|---|\n");
        int cores = Runtime.getRuntime().availableProcessors();
        for (Row row : rows) {
            row.step().processes().forEach((k, v) -> md.append(v.cpuPercentOfOneCore() < 0
                    ? String.format("| %s | %s | – (gone: killed) | – |%n", row.step().label(), k)
                    : String.format(Locale.ROOT, "| %s | %s | %.1f | %d |%n", row.step().label(), k,
                            v.cpuPercentOfOneCore(), v.rssMb())));
            // The sum shows how close the machine was to its limit: near it, latency swings widely between runs.
            double cpu = row.step().processes().values().stream()
                    .mapToDouble(ProcessSampler.Usage::cpuPercentOfOneCore).filter(c -> c >= 0).sum();
            long rss = row.step().processes().values().stream().filter(u -> u.cpuPercentOfOneCore() >= 0)
                    .mapToLong(ProcessSampler.Usage::rssMb).sum();
            md.append(String.format(Locale.ROOT, "| %s | **all** (of %d %% on %d cores) | %.1f | %d |%n",
                    row.step().label(), cores * 100, cores, cpu, rss));
        }
        brokerLoad(md);
        return md.toString();
    }

    /** Requests per second by API from the broker's meters, and per verification offered (the fixed cost shows). */
    private void brokerLoad(StringBuilder md) {
        if (rows.stream().noneMatch(row -> row.step().broker() != null && row.step().broker().sampled())) {
            return; // the fail-over step does not sample the broker
        }
        md.append("\n## What the broker was asked while the load is offered (its own meters)\n\n"
                + "Transactions are EndTxn requests; partition reads count each partition of each fetch once; records "
                + "in include the offsets and transaction logs.\n\n"
                + "| step | requests/s | per verification | Fetch | Produce | EndTxn | AddPartitionsToTxn "
                + "| TxnOffsetCommit | WriteTxnMarkers | other | partition reads/s | records in/s |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            StepResult s = row.step();
            BrokerLoadSampler.BrokerLoad b = s.broker();
            if (b == null || b.unavailable() != null) {
                md.append(String.format("| %s | n/a (%s) |||||||||||%n", s.label(),
                        b == null ? BrokerLoadSampler.BrokerLoad.NOT_SAMPLED : b.unavailable()));
                continue;
            }
            double total = b.totalRequestsPerSecond();
            double named = 0;
            for (String api : BROKER_APIS) {
                named += b.perSecond(api);
            }
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f |", s.label(), total,
                    s.offeredPerSecond() == 0 ? 0 : total / s.offeredPerSecond()));
            for (String api : BROKER_APIS) {
                md.append(String.format(Locale.ROOT, " %.0f |", b.perSecond(api)));
            }
            md.append(String.format(Locale.ROOT, " %.0f | %.0f | %.0f |%n", total - named,
                    b.partitionReadsPerSecond(), b.messagesInPerSecond()));
        }
    }

    private void targets(StringBuilder md) {
        md.append("## Issue 13's targets\n\n| target | measured | met |\n|---|---|---|\n");
        for (Row row : rows) {
            StepResult s = row.step();
            if (s.offeredPerSecond() == 1000) {
                long send = s.requestToSentMinusProvider().p99();
                long check = s.submitToVerifiedMinusProvider().p99();
                md.append(String.format("| p99 request→sent − provider ≤ %d ms at 1,000/s | %d ms | %s |%n",
                        SEND_TARGET_MS, send, met(send >= 0 && send <= SEND_TARGET_MS)));
                md.append(String.format("| p99 submit→verified − provider ≤ %d ms at 1,000/s | %d ms | %s |%n",
                        CHECK_TARGET_MS, check, met(check >= 0 && check <= CHECK_TARGET_MS)));
            }
            if (s.offeredPerSecond() >= 2500) {
                md.append(String.format(Locale.ROOT, "| no falling behind at %,d/s (nothing open or failed after the "
                                + "drain, steady state ≥ 85 %% of the answered rate) | %.1f flows/s, open %d, "
                                + "failed %d | %s |%n", s.offeredPerSecond(), s.flowsPerSecond(), s.open(), s.failed(),
                        met(s.sustained(options.answeredFraction()))));
            }
            long lag = s.expiryLag().p99();
            md.append(String.format("| expiry lag p99 ≤ 1.5 s at %,d/s | %d ms | %s |%n", s.offeredPerSecond(), lag,
                    met(lag >= 0 && lag <= 1500)));
        }
        md.append('\n');
    }

    private void failoverMarkdown(StringBuilder md) {
        for (FailoverStep.Result f : failovers) {
            StepResult s = f.step();
            md.append(String.format(Locale.ROOT, "## kill -9 of %s at second %d of the load (%d/s)%s%n%n",
                    f.killed(), f.killedAtSecond(), s.offeredPerSecond(), f.restartAfterSeconds() < 0
                            ? ", not restarted" : ", started again " + f.restartAfterSeconds() + " s later"));
            md.append("| figure | value |\n|---|---|\n");
            md.append(String.format("| request→sent − provider p99 over the fault window (requests produced in the %d s"
                            + " from the kill; target ≤ 8 s) | **%d ms** (%s) |%n", f.windowSeconds(), f.window().p99(),
                    met(f.window().p99() >= 0 && f.window().p99() <= FAILOVER_TARGET_MS)));
            md.append(String.format("| … p50 / p90 / max | %d / %d / %d ms |%n", f.window().p50(), f.window().p90(),
                    f.window().max()));
            md.append(String.format("| requested in the window / sent | %d / %d |%n", f.requestedInWindow(),
                    f.sentInWindow()));
            md.append(String.format("| request→sent − provider in the 5 s before the kill, p50 / p99 | %d / %d ms |%n",
                    f.beforeKill().p50(), f.beforeKill().p99()));
            md.append(String.format("| … from the kill to the end of the load (a later stall shows here), p50 / p99"
                    + " / max | %d / %d / %d ms |%n", f.afterKill().p50(), f.afterKill().p99(), f.afterKill().max()));
            FailoverStep.Second slowest = f.slowestAfterWindow();
            if (slowest != null) {
                md.append(String.format("| slowest second of requests after the window: p99 (second) | %d ms (+%d s)"
                        + " |%n", slowest.p99(), slowest.second()));
            }
            md.append(String.format("| whole step: verified / expired / failed / open (lost) | %d / %d / %d / %d |%n",
                    s.verified(), s.expired(), s.failed(), s.open()));
            md.append(String.format("| load average at the kill | %s |%n", f.loadAverageAtKill()));
            md.append(String.format("| killed at (the stack's logs are in UTC) | %s |%n%n",
                    Instant.ofEpochMilli(f.killedAtEpochMs())));
            md.append("Per second of request time relative to the kill, to the end of the load (request→sent −"
                    + " provider, ms):\n\n"
                    + "| second | requested | sent | p50 | p99 | max |\n|---|---|---|---|---|---|\n");
            for (FailoverStep.Second sec : f.perSecond()) {
                if (sec.second() >= -3) {
                    md.append(String.format("| %d | %d | %d | %d | %d | %d |%n", sec.second(), sec.requested(),
                            sec.sent(), sec.p50(), sec.p99(), sec.max()));
                }
            }
            md.append('\n');
            timelineMarkdown(md, f);
        }
    }

    private static void timelineMarkdown(StringBuilder md, FailoverStep.Result f) {
        md.append("Timeline from the stack's logs (the group and Kafka Streams lines only with their INFO logging on:"
                + " `LOCAL_STACK_JVM_OPTS=\"-Xms64m -Xmx384m -XX:+UseSerialGC"
                + " -Dlogback.configurationFile=$PWD/e2e/logback-failover.xml\"` from the repository root,"
                + " e2e/README.md):\n\n");
        if (f.timeline().isEmpty()) {
            md.append("Nothing found: no open transaction aborted, no group or Kafka Streams lines logged.\n\n");
            return;
        }
        md.append("| after the kill | process | event |\n|---|---|---|\n");
        for (FailoverTimeline.Event e : f.timeline()) {
            md.append(String.format(Locale.ROOT, "| +%,d ms | %s | %s |%n", e.afterKillMs(), e.process(), e.what()));
        }
        md.append('\n');
    }

    /** p99 (dark) and max (light) request→sent per second of request time, the kill at 0, the 8 s target line. */
    private static String failoverSvg(FailoverStep.Result f) {
        int width = 900;
        int bottom = 300;
        int left = 60;
        List<FailoverStep.Second> secs = f.perSecond();
        long max = FAILOVER_TARGET_MS;
        for (FailoverStep.Second s : secs) {
            max = Math.max(max, s.max());
        }
        double scale = (bottom - 30) / (double) max;
        int step = Math.max(3, (width - left - 20) / Math.max(1, secs.size()));
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"340\" font-family=\"sans-serif\" "
                        + "font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", width));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"13\">kill -9 %s: request→sent − "
                        + "provider per second of request time (p99 dark, max light; ms); kill at 0</text>%n", left,
                f.killed()));
        int target = (int) (bottom - FAILOVER_TARGET_MS * scale);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"red\"/>%n"
                + "<text x=\"5\" y=\"%d\" fill=\"red\">8 s</text>%n", left, target, width - 10, target, target + 4));
        for (int i = 0; i < secs.size(); i++) {
            FailoverStep.Second s = secs.get(i);
            int x = left + 10 + i * step;
            bar(svg, x, s.max(), step - 1, scale, bottom, "#c6dbef");
            bar(svg, x, s.p99(), step - 1, scale, bottom, "#08519c");
            if (s.second() % 5 == 0) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%d</text>%n", x, bottom + 16,
                        s.second()));
            }
        }
        return svg.append("</svg>\n").toString();
    }

    private static void bar(StringBuilder svg, int x, long value, int width, double scale, int bottom, String color) {
        if (value < 0) {
            return;
        }
        int h = (int) Math.max(1, value * scale);
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                + "<title>%d ms</title></rect>%n", x, bottom - h, width, h, color, value));
    }

    private static String full(Percentiles p) {
        return p.count() == 0 ? "n/a" : p.p50() + " / " + p.p90() + " / " + p.p99() + " / " + p.max();
    }

    private static String met(boolean met) {
        return met ? "met" : "missed";
    }
}
