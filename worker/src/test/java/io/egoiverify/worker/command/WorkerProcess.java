package io.egoiverify.worker.command;

import static org.awaitility.Awaitility.await;

import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A command worker in a JVM of its own, for tests that kill it with SIGKILL (no shutdown hook, no commit, its open
 * transaction left for the broker to abort). Its schema registry is in memory, seeded like {@link #seeded()} so that
 * its schema ids equal those of the test JVM's seeded registry. Prints {@value #JOINED} once it has joined its group.
 *
 * <p>Arguments: bootstrap servers, E-goi sandbox base URL, topic prefix, transactional id, group id, then any
 * {@code name=value} Kafka overrides ({@link WorkerConfig#kafkaOverrides()}).
 */
final class WorkerProcess {
    static final String JOINED = "worker-process-joined";

    private WorkerProcess() {
    }

    /** A registry with the command and result schemas registered first, in this order: ids 1 and 2 in every JVM. */
    static InMemorySchemaRegistry seeded(TopicNames names) {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        registry.register(names.commands() + "-value", VerificationCommand.getClassSchema());
        registry.register(names.results() + "-value", VerificationCommandResult.getClassSchema());
        return registry;
    }

    /** Starts the worker JVM with this JVM's classpath; its output goes to {@code log}. */
    static Process start(Path log, String bootstrap, URI sandbox, String prefix, String transactionalId,
                         String groupId) throws IOException {
        return start(log, bootstrap, sandbox, prefix, transactionalId, groupId, Map.of());
    }

    /** The same, with Kafka overrides for the worker (e.g. its group protocol and static membership). */
    static Process start(Path log, String bootstrap, URI sandbox, String prefix, String transactionalId,
                         String groupId, Map<String, String> kafkaOverrides) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), WorkerProcess.class.getName(), bootstrap, sandbox.toString(),
                prefix, transactionalId, groupId));
        kafkaOverrides.forEach((k, v) -> command.add(k + "=" + v));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    public static void main(String[] args) throws InterruptedException {
        TopicNames names = TopicNames.withPrefix(args[2]);
        Topics topics = new Topics(names, seeded(names), new AvroSerdeConfig("mock://worker-process", null, true,
                false));
        EgoiClient egoi = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, URI.create(args[1]))
                .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(60)));
        Map<String, String> overrides = new HashMap<>();
        for (int i = 5; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            overrides.put(kv[0], kv[1]);
        }
        WorkerConfig config = WorkerConfig.of(args[0], args[3], names).withGroupId(args[4])
                .withKafkaOverrides(overrides);
        CommandHandler handler = CommandExecutor.create(egoi, CommandWorkerIT.PROFILES, config.retries(),
                config.breaker(), Clock.systemUTC(), WorkerMetrics.NONE);
        CommandWorker worker = new CommandWorker(config, topics, handler, Clock.systemUTC(), WorkerMetrics.NONE);
        worker.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.isJoined() || !worker.isRunning());
        System.out.println(worker.isJoined() ? JOINED : "worker-process-failed");
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }
}
