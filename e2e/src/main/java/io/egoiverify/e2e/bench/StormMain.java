package io.egoiverify.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egoiverify.e2e.client.Inputs;
import io.egoiverify.e2e.client.OutcomeLog;
import io.egoiverify.e2e.client.SandboxClient;
import io.egoiverify.e2e.stack.LocalStack;
import io.egoiverify.e2e.stack.StackConfig;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.registry.SchemaRegistryClients;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code e2e/storm}: issue 11's E-goi storms at full size on a fresh local stack (2 lifecycle and 2 worker JVMs by
 * default): {@code not-processed} (20 % 503, 10 % 429 with Retry-After 1 s, 50-150 ms latency), {@code answer-lost}
 * (10 % 500 and 5 % no answer, both after the SMS went out, 50-150 ms) and {@code outage} (every call 503 for 10 s in
 * the middle of the load), each {@code --count} verifications at {@code --rate}/s with a user who types the right code
 * as soon as it is sent. Writes {@code storms.json} and {@code storms.md}. A benchmark, not a CI gate.
 */
public final class StormMain {
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    static final String NOT_PROCESSED = "{\"latencyMinMs\":50,\"latencyMaxMs\":150,\"errorRates\":{\"503\":0.2},"
            + "\"rateLimitRate\":0.1,\"retryAfterSeconds\":1}";
    static final String ANSWER_LOST = "{\"latencyMinMs\":50,\"latencyMaxMs\":150,\"errorRates\":{\"500\":0.1},"
            + "\"timeoutRate\":0.05}";
    static final String OUTAGE = "{\"latencyMinMs\":50,\"latencyMaxMs\":150,\"errorRates\":{\"503\":1.0}}";
    static final String NORMAL = "{\"latencyMinMs\":50,\"latencyMaxMs\":150}";
    private static final long SEND_DEADLINE_MS = 30_000;

    private StormMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new TreeMap<>();
        Map<String, String> settings = new TreeMap<>();
        settings.put("lifecycle.send-deadline", (SEND_DEADLINE_MS / 1000) + "s");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--set")) {
                int eq = args[i + 1].indexOf('=');
                settings.put(args[i + 1].substring(0, eq), args[i + 1].substring(eq + 1));
            } else {
                a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
            }
        }
        Path root = Path.of(a.getOrDefault("root", ".")).toAbsolutePath().normalize();
        Path out = Path.of(a.getOrDefault("out", root.resolve("e2e/target/storm").toString())).toAbsolutePath();
        List<String> scenarios = Arrays.asList(a.getOrDefault("scenarios", "not-processed,answer-lost,outage")
                .split(","));
        int count = Integer.parseInt(a.getOrDefault("count", "3000"));
        int rate = Integer.parseInt(a.getOrDefault("rate", "300"));
        int ttl = Integer.parseInt(a.getOrDefault("ttl-seconds", "60"));
        int outageSeconds = Integer.parseInt(a.getOrDefault("outage-seconds", "10"));
        String jvm = System.getenv().getOrDefault("LOCAL_STACK_JVM_OPTS", "-Xms64m -Xmx384m -XX:+UseSerialGC");
        Path stackDir = out.resolve("stack");
        deleteTree(stackDir);
        StackConfig config = new StackConfig(stackDir, root.resolve("app/target/egoi-verify.jar"),
                StackConfig.findRegistryJar(root.resolve("test-registry/target")),
                root.resolve("e2e/target/stack-libs"),
                StackConfig.Ports.free(), Integer.parseInt(a.getOrDefault("lifecycles", "2")),
                Integer.parseInt(a.getOrDefault("workers", "2")), Integer.parseInt(a.getOrDefault("partitions", "6")),
                List.of(jvm.trim().split("\\s+")), settings, StackConfig.brokerPropertiesFromEnv());
        LocalStack stack = new LocalStack(config);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::down));
        long t0 = System.currentTimeMillis();
        stack.up();
        System.out.printf("stack up in %d ms%n", System.currentTimeMillis() - t0);
        StackConfig.Ports ports = config.ports();
        SandboxClient sandbox = new SandboxClient(ports.sandboxUrl());
        AtomicLong phones = new AtomicLong(20_000_000);
        List<StormResult> results = new ArrayList<>();
        Instant started = Instant.now();
        try (SchemaRegistryClient registry = SchemaRegistryClients.fromConfig(
                Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, ports.registryUrl()))) {
            Topics topics = new Topics(TopicNames.defaults(), registry,
                    new AvroSerdeConfig(ports.registryUrl(), null, true, false));
            try (Inputs inputs = new Inputs(ports.bootstrap(), topics);
                 OutcomeLog log = new OutcomeLog(ports.bootstrap(), topics, true)) {
                sandbox.faults(NORMAL);
                // JIT and caches warm at a moderate rate first: a cold stack would meet the first storm with a backlog
                int warmup = Integer.parseInt(a.getOrDefault("warmup-seconds", "30"));
                new LoadStep("warmup", RUN + "-warmup", Math.min(150, rate), Duration.ofSeconds(warmup), 0, ttl, inputs,
                        log, topics, sandbox, phones::getAndIncrement).run(Duration.ofSeconds(60), () -> { });
                for (String scenario : scenarios) {
                    results.add(storm(scenario, count, rate, ttl, outageSeconds, inputs, log, topics, sandbox, phones,
                            config));
                }
            }
        } finally {
            stack.down();
        }
        write(out, results, count, rate, config, started);
    }

    private static StormResult storm(String scenario, int count, int rate, int ttl, int outageSeconds, Inputs inputs,
                                     OutcomeLog log, Topics topics, SandboxClient sandbox, AtomicLong phones,
                                     StackConfig config) throws InterruptedException {
        sandbox.reset();
        String faults = switch (scenario) {
            case "not-processed" -> NOT_PROCESSED;
            case "answer-lost" -> ANSWER_LOST;
            case "outage" -> NORMAL;
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        };
        sandbox.faults(faults);
        Map<String, Double> before = workerMetrics(config);
        long[] outage = scenario.equals("outage") ? new long[2] : null;
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        Duration loadDuration = Duration.ofMillis(count * 1000L / rate);
        if (outage != null) {
            // the outage starts a third into the load, so that requests arrive before, during and after it
            long at = loadDuration.toMillis() / 3;
            timer.schedule(() -> {
                outage[0] = System.currentTimeMillis();
                sandbox.faults(OUTAGE);
            }, at, TimeUnit.MILLISECONDS);
            timer.schedule(() -> {
                sandbox.faults(NORMAL);
                outage[1] = System.currentTimeMillis();
            }, at + outageSeconds * 1000L, TimeUnit.MILLISECONDS);
        }
        System.out.printf("storm %s: %d verifications at %d/s, faults %s%n", scenario, count, rate,
                outage == null ? faults : OUTAGE + " for " + outageSeconds + " s");
        long t0 = System.currentTimeMillis();
        LoadStep step = new LoadStep(scenario, RUN + "-" + scenario, rate, loadDuration, 0, ttl, inputs, log, topics,
                sandbox, phones::getAndIncrement);
        StepResult r = step.run(Duration.ofSeconds(SEND_DEADLINE_MS / 1000 + ttl + 30), () -> { });
        timer.shutdownNow();
        sandbox.faults(NORMAL);
        Map<String, Double> after = workerMetrics(config);
        after.replaceAll((k, v) -> v - before.getOrDefault(k, 0.0));
        after.values().removeIf(v -> v == 0.0);
        StormResult result = StormResult.of(scenario, outage == null ? faults : OUTAGE + " for " + outageSeconds
                + " s", step, r, log, topics, sandbox, outage, SEND_DEADLINE_MS, after,
                (System.currentTimeMillis() - t0) / 1000.0);
        System.out.printf("  %s: verified %d of %d (%.2f %%), failed %d %s, SMS for failed %d, duplicate SMS %d%n",
                scenario, result.verified(), result.requested(), result.verifiedPercent(), result.failed(),
                result.failures(), result.smsForFailed(), result.duplicateSms());
        return result;
    }

    /** Sums of a few counters over every worker's /metrics (Prometheus text). */
    static Map<String, Double> workerMetrics(StackConfig config) {
        Map<String, Double> sums = new TreeMap<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 1; i <= config.workers(); i++) {
            URI uri = URI.create("http://" + StackConfig.HOST + ":" + (config.ports().workerBase() + i) + "/metrics");
            try {
                String text = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                for (String line : text.split("\n")) {
                    if (line.startsWith("resilience4j_circuitbreaker_not_permitted_calls_total")
                            || line.startsWith("resilience4j_circuitbreaker_state{") && line.contains("state=\"open\"")
                            || line.startsWith("egoi_retries_total") || line.startsWith("egoi_cancels_total")) {
                        int space = line.lastIndexOf(' ');
                        String key = line.substring(0, space).replaceAll(",?(application|instance|role)=\"[^\"]*\"",
                                "");
                        sums.merge(key, Double.parseDouble(line.substring(space + 1)), Double::sum);
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.out.println("  (metrics of worker " + i + " not read: " + e + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return sums;
    }

    private static void write(Path out, List<StormResult> results, int count, int rate, StackConfig config,
                              Instant started) throws IOException {
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(out.resolve("storms.json").toFile(), Map.of("started", started.toString(), "count", count,
                "rate", rate, "lifecycles", config.lifecycles(), "workers", config.workers(), "partitions",
                config.partitions(), "storms", results));
        StringBuilder md = new StringBuilder("# E-goi storms on the local stack\n\n");
        md.append(String.format("Started %s; %d verifications at %d/s per storm; %d lifecycle + %d worker JVMs, %d "
                        + "partitions, broker, registry and sandbox on one machine; send deadline %d s.%n%n", started,
                count, rate, config.lifecycles(), config.workers(), config.partitions(), SEND_DEADLINE_MS / 1000));
        md.append("| storm | faults | verified | failed (cause) | SMS for a failed one | duplicate SMS | E-goi calls "
                + "(send/validate/status) | request→sent p50/p99 ms | target | met? |\n|---|---|---|---|---|---|---|"
                + "---|---|---|\n");
        for (StormResult r : results) {
            String target;
            boolean met;
            switch (r.scenario()) {
                case "not-processed" -> {
                    target = "≥ 99 % verified, 0 SMS for a failed one, 0 duplicate SMS";
                    met = r.verifiedPercent() >= 99.0 && r.smsForFailed() == 0 && r.duplicateSms() == 0;
                }
                case "answer-lost" -> {
                    target = "0 duplicate SMS; every failure counted with its cause";
                    met = r.duplicateSms() == 0
                            && r.failures().values().stream().mapToInt(Integer::intValue).sum() == r.failed();
                }
                default -> {
                    target = "no failure whose send deadline lies beyond the outage";
                    met = r.failedPastTheOutage() != null && r.failedPastTheOutage() == 0;
                }
            }
            md.append(String.format("| %s | `%s` | %d of %d (%.2f %%) | %d %s | %d | %d | %d/%d/%d | %d/%d | %s "
                            + "| %s |%n",
                    r.scenario(), r.faults(), r.verified(), r.requested(), r.verifiedPercent(), r.failed(),
                    r.failures().isEmpty() ? "" : r.failures(), r.smsForFailed(), r.duplicateSms(), r.sendCalls(),
                    r.validateCalls(), r.statusCalls(), r.requestToSent().p50(), r.requestToSent().p99(), target,
                    met ? "**met**" : "**missed**"));
        }
        md.append("\nPer hop, p50/p99 ms (from the internal command and result records and the outcomes):\n\n");
        for (StormResult r : results) {
            md.append("- ").append(r.scenario()).append(": ");
            r.hops().forEach((hop, p) -> md.append(hop).append(' ').append(p.p50()).append('/').append(p.p99())
                    .append("; "));
            md.append('\n');
        }
        md.append("\nWorker metrics over each storm (sums over the workers): \n\n");
        for (StormResult r : results) {
            md.append("- ").append(r.scenario()).append(": ").append(r.workerMetrics()).append('\n');
        }
        Files.writeString(out.resolve("storms.md"), md.toString());
        System.out.println(md);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
