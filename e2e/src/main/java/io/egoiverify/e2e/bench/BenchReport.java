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
import java.util.Map;

/** The benchmark's JSON and Markdown reports, each target stated as met or missed with the measured value. */
final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final BenchmarkMain.BenchOptions options;
    private final List<StepResult> steps;
    private final StepResult half;
    private final StepResult naive;

    BenchReport(BenchmarkMain.BenchOptions options, List<StepResult> steps, StepResult half, StepResult naive) {
        this.options = options;
        this.steps = steps;
        this.half = half;
        this.naive = naive;
    }

    private double maxSustainedFlows() {
        return steps.stream().filter(s -> s.sustained(options.answeredFraction()))
                .mapToDouble(StepResult::flowsPerSecond).max().orElse(0);
    }

    private long expiryP99() {
        return steps.stream().filter(s -> s.sustained(options.answeredFraction()))
                .mapToLong(s -> s.expiryLag().p99()).max().orElse(half.expiryLag().p99());
    }

    Map<String, Object> targets() {
        Map<String, Object> t = new LinkedHashMap<>();
        double flows = maxSustainedFlows();
        t.put("fullFlowsPerSecondSustained", Map.of("measured", flows, "stretchGoal", 1000,
                "met", flows >= 1000));
        long p99 = half.requestToSentMinusProvider().p99();
        t.put("p99RequestToSentAtHalfMaxMinusProviderMs", Map.of("measured", p99, "target", 300,
                "met", p99 >= 0 && p99 <= 300, "atRate", half.offeredPerSecond()));
        long lag = Math.max(expiryP99(), half.expiryLag().p99());
        t.put("expiryLagP99Ms", Map.of("measured", lag, "target", 1500, "met", lag >= 0 && lag <= 1500,
                "punctuationInterval", options.settings().getOrDefault("lifecycle.punctuation-interval",
                        "250ms (default)")));
        double ratio = naive.flowsPerSecond() <= 0 ? 0 : Math.round(flows / naive.flowsPerSecond() * 10) / 10.0;
        t.put("naiveBaseline", Map.of("flowsPerSecond", naive.flowsPerSecond(), "ratio", ratio));
        return t;
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("generatedAt", Instant.now().toString());
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("rates", options.rates());
        opts.put("stepSeconds", options.stepDuration().toSeconds());
        opts.put("providerLatencyMs", options.providerLatencyMs());
        opts.put("lifecycles", options.lifecycles());
        opts.put("workers", options.workers());
        opts.put("partitions", options.partitions());
        opts.put("ttlSeconds", options.ttlSeconds());
        opts.put("expireEvery", options.expireEvery());
        opts.put("naiveRate", options.naiveRate());
        opts.put("jvmOptions", options.jvmOptions());
        opts.put("settings", options.settings());
        opts.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("options", opts);
        json.put("targets", targets());
        json.put("steps", steps);
        json.put("halfMaxStep", half);
        json.put("naiveStep", naive);
        JSON.writeValue(dir.resolve("benchmark.json").toFile(), json);
        Files.writeString(dir.resolve("benchmark.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("latency.svg"), LatencyPlot.svg(concat()), StandardCharsets.UTF_8);
    }

    static String line(StepResult s) {
        return String.format("%s: offered %d/s, %d requested, %.1f flows/s, verified %d, expired %d, failed %d, "
                        + "open %d; request->sent-provider p50/p99 %s; submit->verified-provider %s; expiry lag %s; "
                        + "E-goi calls/verification %.2f",
                s.label(), s.offeredPerSecond(), s.requested(), s.flowsPerSecond(), s.verified(), s.expired(),
                s.failed(), s.open(), s.requestToSentMinusProvider(), s.submitToVerifiedMinusProvider(),
                s.expiryLag(), s.egoiCallsPerVerification());
    }

    String markdown() {
        StringBuilder md = new StringBuilder("# egoi-verify benchmark\n\n");
        md.append(String.format("Command: `e2e/benchmark %s`; %d lifecycle and %d worker instances, %d partitions, "
                        + "provider latency %d ms (sandbox), TTL %d s with 1 in %d flows left to expire, "
                        + "steps of %d s, "
                        + "everything on this machine (%d cores).%n%n",
                String.join(" ", "--rates", options.rates().toString().replaceAll("[\\[\\] ]", "")),
                options.lifecycles(), options.workers(), options.partitions(), options.providerLatencyMs(),
                options.ttlSeconds(), options.expireEvery(), options.stepDuration().toSeconds(),
                Runtime.getRuntime().availableProcessors()));
        md.append("![latency per step](latency.svg)\n\n");
        md.append("## Targets\n\n| target | measured | met |\n|---|---|---|\n");
        Map<String, Object> t = targets();
        @SuppressWarnings("unchecked") Map<String, Object> flows = (Map<String, Object>) t.get(
                "fullFlowsPerSecondSustained");
        @SuppressWarnings("unchecked") Map<String, Object> p99 = (Map<String, Object>) t.get(
                "p99RequestToSentAtHalfMaxMinusProviderMs");
        @SuppressWarnings("unchecked") Map<String, Object> lag = (Map<String, Object>) t.get("expiryLagP99Ms");
        @SuppressWarnings("unchecked") Map<String, Object> naiveT = (Map<String, Object>) t.get("naiveBaseline");
        boolean ceilingReached = !steps.isEmpty() && !steps.get(steps.size() - 1).sustained(options.answeredFraction());
        md.append(String.format("| full flows/s sustained (stretch goal 1,000/s) | %s%s | %s |%n",
                flows.get("measured"),
                ceilingReached ? "" : " (every step was sustained: the ceiling is higher; add higher --rates)",
                yes(flows.get("met"))));
        md.append(String.format(
                "| p99 request→sent minus provider latency at half max (%s/s) ≤ 300 ms | %s ms | %s |%n",
                p99.get("atRate"), p99.get("measured"), yes(p99.get("met"))));
        md.append(String.format("| expiry lag p99 ≤ 1.5 s (punctuation interval %s) | %s ms | %s |%n",
                lag.get("punctuationInterval"), lag.get("measured"), yes(lag.get("met"))));
        md.append(String.format("| naive baseline (synchronous consume→call→produce, %d threads) | %s flows/s; ratio "
                + "%s× | |%n%n", options.workers(), naiveT.get("flowsPerSecond"), naiveT.get("ratio")));
        md.append("## Steps\n\n| step | offered/s | flows/s | verified | expired | failed | open | "
                + "request→sent−provider "
                + "p50/p99 | submit→verified−provider p50/p99 | expiry lag p50/p99 | E-goi calls/verification |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (StepResult s : concat()) {
            md.append(String.format("| %s | %d | %.1f | %d | %d | %d | %d | %s | %s | %s | %.2f |%n", s.label(),
                    s.offeredPerSecond(), s.flowsPerSecond(), s.verified(), s.expired(), s.failed(), s.open(),
                    s.requestToSentMinusProvider(), s.submitToVerifiedMinusProvider(), s.expiryLag(),
                    s.egoiCallsPerVerification()));
        }
        md.append("\n## Per hop at half max (p50 / p99 ms)\n\n| hop | p50 | p99 |\n|---|---|---|\n");
        half.hops().forEach((k, v) -> md.append(String.format("| %s | %d | %d |%n", k, v.p50(), v.p99())));
        md.append("\n## CPU (% of one core) and RSS per process, at half max\n\n| process | CPU % | RSS MB "
                + "| peak RSS MB |\n"
                + "|---|---|---|---|\n");
        half.processes().forEach((k, v) -> md.append(String.format("| %s | %.1f | %d | %d |%n", k,
                v.cpuPercentOfOneCore(), v.rssMb(), v.peakRssMb())));
        return md.toString();
    }

    private List<StepResult> concat() {
        List<StepResult> all = new ArrayList<>(steps);
        all.add(half);
        all.add(naive);
        return all;
    }

    private static String yes(Object met) {
        return Boolean.TRUE.equals(met) ? "met" : "missed";
    }
}
