package io.egoiverify.e2e.bench;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * {@code e2e/benchmark}: starts its own local stack (free ports, state under the output directory), sets the sandbox's
 * provider latency, then runs load steps of increasing rate until one is not sustained, a step at half the highest
 * sustained rate (the latency figures the targets speak of), and the naive baseline on the same broker and sandbox.
 * Writes {@code benchmark.json} and {@code benchmark.md} to the output directory. Not a CI gate.
 */
public final class BenchmarkMain {
    /** Distinguishes this run's requestIds. */
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(args);
        ResendShare resends = ResendShare.parse(args);
        // A fresh stack each run: a previous run's records would be read back as this run's outcomes.
        Path stackDir = o.out().resolve("stack");
        deleteTree(stackDir);
        StackConfig config = new StackConfig(stackDir, o.root().resolve("app/target/egoi-verify.jar"),
                StackConfig.findRegistryJar(o.root().resolve("test-registry/target")),
                o.root().resolve("e2e/target/stack-libs"), StackConfig.Ports.free(), o.lifecycles(), o.workers(),
                o.partitions(), o.jvmOptions(), resends.settings(o.settings()), StackConfig.brokerPropertiesFromEnv());
        LocalStack stack = new LocalStack(config);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::down));
        long t0 = System.currentTimeMillis();
        stack.up();
        System.out.printf("stack up in %d ms%n", System.currentTimeMillis() - t0);
        StackConfig.Ports ports = config.ports();
        SandboxClient sandbox = new SandboxClient(ports.sandboxUrl());
        AtomicLong phones = new AtomicLong(10_000_000);
        List<StepResult> steps = new ArrayList<>();
        StepResult half;
        StepResult naive;
        try (SchemaRegistryClient registry = SchemaRegistryClients.fromConfig(
                Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, ports.registryUrl()))) {
            AvroSerdeConfig serde = new AvroSerdeConfig(ports.registryUrl(), null, true, false);
            Topics topics = new Topics(TopicNames.defaults(), registry, serde);
            try (Inputs inputs = new Inputs(ports.bootstrap(), topics);
                 OutcomeLog log = new OutcomeLog(ports.bootstrap(), topics, true)) {
                latency(sandbox, o.providerLatencyMs());
                warmUp(o, inputs, log, topics, sandbox, phones, stack, resends);
                int best = 0;
                for (int rate : o.rates()) {
                    StepResult r = step(o, "rate-" + rate, rate, o.stepDuration(), inputs, log, topics, sandbox,
                            phones, stack, resends);
                    steps.add(r);
                    if (!r.sustained(o.answeredFraction())) {
                        break;
                    }
                    best = rate;
                }
                int halfRate = Math.max(1, (best == 0 ? o.rates().get(0) : best) / 2);
                half = step(o, "half-max-" + halfRate, halfRate, o.stepDuration(), inputs, log, topics, sandbox,
                        phones, stack, resends);
            }
            stack.scale(0, 0);
            naive = naiveBaseline(o, ports, registry, serde, sandbox, phones, stack);
        } finally {
            stack.down();
        }
        BenchReport report = new BenchReport(o, steps, half, naive);
        report.write(o.out());
        resends.write(o.out());
        System.out.println(report.markdown());
        System.out.println(resends.summary());
    }

    /** Warm-up: rate (or the first rate if lower), least and most 15 s rounds, settled p99 (ms). */
    static final int WARM_UP_RATE = 100;
    static final int WARM_UP_MIN_ROUNDS = 4;
    static final int WARM_UP_ROUNDS = 8;
    static final long WARM_P99_MILLIS = 2_000;

    /**
     * Warms a fresh stack up before the first measured step. A fresh stack needs a while before it keeps up (JIT,
     * rebalances, standby placement): on this machine the first warm-up's requests waited 20-30 s even at 75/s, and
     * request->sent kept falling for about a minute (p50 27 s, 4.5 s, 1.1 s, 1.2 s, 0.5 s in five 15 s rounds, then
     * 0.24 s measured). So at least {@link #WARM_UP_MIN_ROUNDS} rounds, and more (at most {@link #WARM_UP_ROUNDS})
     * until one ends with nothing failed or open and request->sent p99 within {@link #WARM_P99_MILLIS}; otherwise the
     * first measured step would inherit the start-up backlog and a cold JIT.
     */
    static void warmUp(BenchOptions o, Inputs inputs, OutcomeLog log, Topics topics, SandboxClient sandbox,
                       AtomicLong phones, LocalStack stack, ResendShare resends) throws InterruptedException {
        for (int round = 1; round <= WARM_UP_ROUNDS; round++) {
            StepResult w = step(o, "warmup-" + round, Math.min(WARM_UP_RATE, o.rates().get(0)),
                    Duration.ofSeconds(15), inputs, log, topics, sandbox, phones, stack, resends);
            if (round >= WARM_UP_MIN_ROUNDS && w.failed() == 0 && w.open() == 0
                    && w.requestToSentMinusProvider().p99() <= WARM_P99_MILLIS) {
                return;
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static void latency(SandboxClient sandbox, int ms) {
        sandbox.faults("{\"latencyMinMs\":" + ms + ",\"latencyMaxMs\":" + ms + "}");
    }

    static StepResult step(BenchOptions o, String label, int rate, Duration duration, Inputs inputs,
                                   OutcomeLog log, Topics topics, SandboxClient sandbox, AtomicLong phones,
                                   LocalStack stack, ResendShare resends) throws InterruptedException {
        sandbox.reset();
        latency(sandbox, o.providerLatencyMs());
        Map<String, Long> pids = ProcessSampler.stackPids(stack);
        ProcessSampler sampler = new ProcessSampler(pids);
        try (BrokerLoadSampler brokerSampler = BrokerLoadSampler.attach(pids.get("broker"))) {
            sampler.start();
            brokerSampler.start();
            System.out.printf("step %s: %d/s for %ds%n", label, rate, duration.toSeconds());
            LoadStep step = new LoadStep(label, RUN + "-" + label, rate, duration, o.expireEvery(), o.ttlSeconds(),
                    inputs, log, topics, sandbox, phones::getAndIncrement, resends);
            // CPU, memory and broker load while the load is offered (the drain that follows is mostly idle waiting
            // for expiries).
            Map<String, ProcessSampler.Usage> usage = new LinkedHashMap<>();
            AtomicReference<BrokerLoadSampler.BrokerLoad> broker = new AtomicReference<>();
            StepResult r = step.run(Duration.ofSeconds(o.ttlSeconds() + 20L), () -> {
                usage.putAll(sampler.stop());
                broker.set(brokerSampler.stop());
            });
            int calls = sandbox.sendCallsByNumber().values().stream().mapToInt(Integer::intValue).sum()
                    + sandbox.validateCallsByProviderRequestId().values().stream().mapToInt(Integer::intValue).sum();
            int ended = r.verified() + r.expired();
            StepResult full = r.with(usage, broker.get() == null ? BrokerLoadSampler.BrokerLoad.notSampled()
                    : broker.get(), ended == 0 ? 0 : Math.round(calls * 100.0 / ended) / 100.0);
            System.out.printf("  %s%n", BenchReport.line(full));
            return full;
        }
    }

    private static StepResult naiveBaseline(BenchOptions o, StackConfig.Ports ports, SchemaRegistryClient registry,
                                            AvroSerdeConfig serde, SandboxClient sandbox, AtomicLong phones,
                                            LocalStack stack) throws Exception {
        TopicNames names = TopicNames.withPrefix("naive.");
        try (Admin admin = stack.admin()) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : List.of(names.requested(), names.codeSubmitted(), names.sent(), names.verified(),
                    names.codeRejected(), names.expired(), names.cancelled(), names.failed(), names.deadLetter())) {
                topics.add(new NewTopic(name, o.partitions(), (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
        Topics topics = new Topics(names, registry, serde);
        try (NaiveBaseline naive = new NaiveBaseline(ports.bootstrap(), topics, ports.sandboxUrl() + "/api/public",
                o.workers());
             Inputs inputs = new Inputs(ports.bootstrap(), topics);
             OutcomeLog log = new OutcomeLog(ports.bootstrap(), topics)) {
            return step(withoutExpiry(o), "naive", o.naiveRate(), o.stepDuration(), inputs, log, topics, sandbox,
                    phones, stack, ResendShare.none());
        }
    }

    /** The naive design never expires anything: leave no flow unanswered. */
    private static BenchOptions withoutExpiry(BenchOptions o) {
        return o.withExpireEvery(0);
    }

    /** Command-line options; see e2e/README.md. */
    record BenchOptions(Path root, Path out, List<Integer> rates, Duration stepDuration, int providerLatencyMs,
                        int lifecycles, int workers, int partitions, int expireEvery, int ttlSeconds, int naiveRate,
                        List<String> jvmOptions, Map<String, String> settings) {

        double answeredFraction() {
            return expireEvery <= 0 ? 1.0 : 1.0 - 1.0 / expireEvery;
        }

        BenchOptions withExpireEvery(int every) {
            return new BenchOptions(root, out, rates, stepDuration, providerLatencyMs, lifecycles, workers,
                    partitions, every, ttlSeconds, naiveRate, jvmOptions, settings);
        }

        static BenchOptions parse(String[] args) {
            Map<String, String> a = new TreeMap<>();
            Map<String, String> settings = new TreeMap<>();
            settings.put("lifecycle.min-ttl", "10s");
            for (int i = 0; i < args.length; i++) {
                String key = args[i];
                if (!key.startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --option value, got " + key);
                }
                String value = args[++i];
                if (key.equals("--set")) {
                    int eq = value.indexOf('=');
                    settings.put(value.substring(0, eq), value.substring(eq + 1));
                } else {
                    a.put(key.substring(2), value);
                }
            }
            Path root = Path.of(a.getOrDefault("root", ".")).toAbsolutePath().normalize();
            String jvm = System.getenv().getOrDefault("LOCAL_STACK_JVM_OPTS", "-Xms64m -Xmx384m -XX:+UseSerialGC");
            return new BenchOptions(root, Path.of(a.getOrDefault("out", root.resolve("e2e/target/bench").toString()))
                    .toAbsolutePath(),
                    Arrays.stream(a.getOrDefault("rates", "50,100,200,400,800").split(",")).map(String::trim)
                            .map(Integer::parseInt).toList(),
                    Duration.ofSeconds(Long.parseLong(a.getOrDefault("step-seconds", "20"))),
                    Integer.parseInt(a.getOrDefault("provider-latency-ms", "100")),
                    Integer.parseInt(a.getOrDefault("lifecycles", "2")),
                    Integer.parseInt(a.getOrDefault("workers", "2")),
                    Integer.parseInt(a.getOrDefault("partitions", "6")),
                    Integer.parseInt(a.getOrDefault("expire-every", "20")),
                    Integer.parseInt(a.getOrDefault("ttl-seconds", "10")),
                    Integer.parseInt(a.getOrDefault("naive-rate", "20")),
                    List.of(jvm.trim().split("\\s+")), settings);
        }
    }
}
