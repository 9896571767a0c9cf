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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code e2e/benchmark latency|curve|failover} (issue 13): the latency figures at fixed offered rates, the
 * commit-interval curve (a fresh stack per interval) and the kill -9 fail-over under load. Each mode writes
 * {@code <mode>.json}, {@code <mode>.md} and an SVG plot to its output directory (default
 * {@code e2e/target/bench/<mode>}). Options beyond {@link BenchmarkMain.BenchOptions}:
 * {@code --intervals 10,20,50,100},
 * {@code --curve-role both|lifecycle|worker}, {@code --kill lifecycle-1|worker-1}, {@code --kill-at-seconds 15},
 * {@code --restart-after-seconds -1} (never), {@code --window-seconds 10}. Not a CI gate.
 */
public final class LatencyMain {
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private LatencyMain() {
    }

    /** What a mode does on a stack that is up, warmed up and flowing. */
    interface OnStack {
        void run(Session s) throws Exception;
    }

    /** A running stack and the clients a step needs. */
    record Session(BenchmarkMain.BenchOptions options, LocalStack stack, Inputs inputs, OutcomeLog log, Topics topics,
                   SandboxClient sandbox, AtomicLong phones) {

        StepResult step(String label, int rate) throws InterruptedException {
            return BenchmarkMain.step(options, label, rate, options.stepDuration(), inputs, log, topics, sandbox,
                    phones, stack, ResendShare.none());
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "" : args[0];
        Map<String, String> extra = new TreeMap<>();
        List<String> common = new ArrayList<>(List.of("--provider-latency-ms", "0",
                "--step-seconds", mode.equals("failover") ? "45" : "20",
                "--rates", mode.equals("failover") ? "1000" : mode.equals("curve") ? "1000,2500" : "1000,2000,2500"));
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--intervals", "--curve-role", "--kill", "--kill-at-seconds", "--restart-after-seconds",
                     "--window-seconds" -> extra.put(args[i].substring(2), args[i + 1]);
                default -> {
                    common.add(args[i]);
                    common.add(args[i + 1]);
                }
            }
        }
        BenchmarkMain.BenchOptions parsed = BenchmarkMain.BenchOptions.parse(common.toArray(String[]::new));
        boolean outGiven = Arrays.asList(args).contains("--out");
        BenchmarkMain.BenchOptions o = outGiven ? parsed : withOut(parsed, parsed.out().resolve(mode));
        Files.createDirectories(o.out());
        LatencyReport report = new LatencyReport(mode, String.join(" ", args), o, extra);
        switch (mode) {
            case "latency" -> onStack(o, o.settings(), s -> {
                for (int rate : o.rates()) {
                    report.add(s.step("rate-" + rate, rate), "");
                }
            });
            case "curve" -> {
                String role = extra.getOrDefault("curve-role", "both");
                for (String interval : extra.getOrDefault("intervals", "10,20,50,100").split(",")) {
                    Map<String, String> settings = new TreeMap<>(o.settings());
                    if (!role.equals("worker")) {
                        settings.put("kafka.commit.interval.ms", interval.trim());
                        settings.put("kafka.poll.ms", interval.trim());
                    }
                    if (!role.equals("lifecycle")) {
                        settings.put("worker.commit-interval", interval.trim() + "ms");
                    }
                    onStack(o, settings, s -> {
                        for (int rate : o.rates()) {
                            report.add(s.step("ci-" + interval.trim() + "-rate-" + rate, rate), interval.trim());
                        }
                    });
                }
            }
            case "failover" -> onStack(o, o.settings(), s -> report.failover(FailoverStep.run(s, extra, RUN)));
            default -> throw new IllegalArgumentException("expected latency, curve or failover; got " + mode);
        }
        report.write(o.out());
        System.out.println(report.markdown());
    }

    private static BenchmarkMain.BenchOptions withOut(BenchmarkMain.BenchOptions o, Path out) {
        return new BenchmarkMain.BenchOptions(o.root(), out, o.rates(), o.stepDuration(), o.providerLatencyMs(),
                o.lifecycles(), o.workers(), o.partitions(), o.expireEvery(), o.ttlSeconds(), o.naiveRate(),
                o.jvmOptions(), o.settings());
    }

    /** A fresh stack with {@code settings}, warmed up for 15 s at up to 200/s, then {@code body}; always torn down. */
    static void onStack(BenchmarkMain.BenchOptions o, Map<String, String> settings, OnStack body) throws Exception {
        Path stackDir = o.out().resolve("stack");
        BenchmarkMain.deleteTree(stackDir);
        StackConfig config = new StackConfig(stackDir, o.root().resolve("app/target/egoi-verify.jar"),
                StackConfig.findRegistryJar(o.root().resolve("test-registry/target")),
                o.root().resolve("e2e/target/stack-libs"), StackConfig.Ports.free(), o.lifecycles(), o.workers(),
                o.partitions(), o.jvmOptions(), settings, StackConfig.brokerPropertiesFromEnv());
        LocalStack stack = new LocalStack(config);
        Thread hook = new Thread(stack::down);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            long t0 = System.currentTimeMillis();
            stack.up();
            System.out.printf("stack up in %d ms (%s)%n", System.currentTimeMillis() - t0, settings);
            StackConfig.Ports ports = config.ports();
            SandboxClient sandbox = new SandboxClient(ports.sandboxUrl());
            try (SchemaRegistryClient registry = SchemaRegistryClients.fromConfig(
                    Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, ports.registryUrl()))) {
                AvroSerdeConfig serde = new AvroSerdeConfig(ports.registryUrl(), null, true, false);
                Topics topics = new Topics(TopicNames.defaults(), registry, serde);
                try (Inputs inputs = new Inputs(ports.bootstrap(), topics);
                     OutcomeLog log = new OutcomeLog(ports.bootstrap(), topics, true)) {
                    BenchmarkMain.BenchOptions withSettings = new BenchmarkMain.BenchOptions(o.root(), o.out(),
                            o.rates(), o.stepDuration(), o.providerLatencyMs(), o.lifecycles(), o.workers(),
                            o.partitions(), o.expireEvery(), o.ttlSeconds(), o.naiveRate(), o.jvmOptions(), settings);
                    Session s = new Session(withSettings, stack, inputs, log, topics, sandbox,
                            new AtomicLong(10_000_000));
                    BenchmarkMain.latency(sandbox, o.providerLatencyMs());
                    BenchmarkMain.warmUp(withSettings, inputs, log, topics, sandbox, s.phones(), stack,
                            ResendShare.none());
                    body.run(s);
                }
            }
        } finally {
            stack.down();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    /** The 1-, 5- and 15-minute load averages, as /proc/loadavg has them. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** Parsed from the report's command line, for a step that needs it. */
    static Map<String, Object> options(BenchmarkMain.BenchOptions o) {
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("rates", o.rates());
        opts.put("stepSeconds", o.stepDuration().toSeconds());
        opts.put("providerLatencyMs", o.providerLatencyMs());
        opts.put("lifecycles", o.lifecycles());
        opts.put("workers", o.workers());
        opts.put("partitions", o.partitions());
        opts.put("ttlSeconds", o.ttlSeconds());
        opts.put("expireEvery", o.expireEvery());
        opts.put("jvmOptions", o.jvmOptions());
        opts.put("settings", o.settings());
        opts.put("cores", Runtime.getRuntime().availableProcessors());
        return opts;
    }
}
