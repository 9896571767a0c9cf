package io.egoiverify.worker.bench;

import io.egoiverify.testing.KafkaClusterExtension;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.Faults;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Throughput and latency overhead of one CommandWorker with 100 ms provider latency, against parallel-consumer, a
 * naive sequential consumer (poll → blocking call → produce) and the HTTP ceiling, in the same run. Broker, sandbox
 * and worker share this machine's cores. Not a test: run it on purpose (see worker/README.md) and read the report it
 * writes. The phases: {@link Baselines}, {@link WorkerPhases}, {@link ParallelConsumerComparison}; the load and the
 * reading of results: {@link BenchLoad}; the report: {@link WorkerBenchReport}.
 *
 * <p>Arguments: {@code [reportDir] [commands] [partitions]} (defaults {@code worker/target/bench 30000 8});
 * {@code -Dbench.phases=http,worker,pc,latency,naive} (default all) runs only the phases named.
 */
public final class WorkerBenchmark {
    static final Duration PROVIDER_LATENCY = Duration.ofMillis(100);
    static final SenderProfiles PROFILES = SenderProfiles.of(new SenderProfile("default", "bench-key", "bench"));
    private static final int LATENCY_RATE = 1000;
    private static final int LATENCY_COMMANDS = 5000;
    private static final Duration NAIVE_WINDOW = Duration.ofSeconds(15);

    private WorkerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path reportDir = Path.of(args.length > 0 ? args[0] : "worker/target/bench");
        int commands = args.length > 1 ? Integer.parseInt(args[1]) : 30_000;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBootstrapMetadataVersion(MetadataVersion.latestProduction()).build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        KafkaClusterExtension.defaultBrokerProperties().forEach(builder::setConfigProp);
        try (KafkaClusterTestKit kafka = builder.build();
             EgoiSandbox sandbox = new EgoiSandbox().start("127.0.0.1", 0);
             EgoiClient client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, sandbox.baseUrl(Dialect.GUIDE))
                     .withMaxConnections(2048))) {
            kafka.format();
            kafka.startup();
            kafka.waitForReadyBrokers();
            sandbox.setFaults(Faults.latency(PROVIDER_LATENCY));
            run(new BenchLoad(kafka.bootstrapServers(), partitions), sandbox, client, commands, partitions)
                    .write(reportDir);
        }
        System.exit(0); // the broker kit leaves non-daemon threads behind
    }

    private static boolean phase(String name) {
        String phases = System.getProperty("bench.phases", "http,worker,pc,latency,naive");
        return List.of(phases.split(",")).contains(name);
    }

    private static WorkerBenchReport run(BenchLoad load, EgoiSandbox sandbox, EgoiClient client, int commands,
                                         int partitions) throws Exception {
        Baselines baselines = new Baselines(load, client);
        double httpRate = phase("http") ? baselines.httpOnly(Math.min(commands, 20_000), 1000) : -1;
        System.out.printf(Locale.ROOT, "http only: %.0f calls/s%n", httpRate);
        WorkerPhases worker = new WorkerPhases(load, sandbox, client);
        WorkerPhases.Throughput throughput = phase("worker") ? worker.throughput(commands)
                : new WorkerPhases.Throughput(-1, -1);
        WorkerBenchReport.PcFigures pc = phase("pc")
                ? new ParallelConsumerComparison(load, sandbox, client).run(commands)
                : WorkerBenchReport.PcFigures.skipped();
        List<Long> sorted = phase("latency") ? worker.latency(LATENCY_RATE, LATENCY_COMMANDS) : List.of();
        int naiveDone = -1;
        double naiveRate = -1;
        if (phase("naive")) {
            naiveDone = baselines.naive(NAIVE_WINDOW);
            naiveRate = naiveDone / (double) NAIVE_WINDOW.toSeconds();
            System.out.printf(Locale.ROOT, "naive: %d in %d s = %.1f commands/s%n", naiveDone,
                    NAIVE_WINDOW.toSeconds(), naiveRate);
        }
        return new WorkerBenchReport(Instant.now(), Runtime.getRuntime().availableProcessors(), partitions, httpRate,
                commands, throughput.seconds(), throughput.rate(), LATENCY_COMMANDS, LATENCY_RATE, pct(sorted, 50),
                pct(sorted, 95), pct(sorted, 99), sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1), naiveDone,
                NAIVE_WINDOW.toSeconds(), naiveRate, sandbox.sendCallsByNumber().size(), pc);
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
