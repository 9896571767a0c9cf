package io.egoiverify.e2e.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker (combined broker+controller) on loopback, run from {@code kafka_2.13} jars as its
 * own
 * process: {@code kafka.tools.StorageTool format} once, then {@code kafka.Kafka server.properties}. Its data survives
 * restarts, so the fault tests can restart it mid-load.
 */
final class KafkaBrokerProcess {
    private final StackConfig config;
    private final ManagedProcess process;
    private final Path dir;

    KafkaBrokerProcess(StackConfig config) {
        this.config = config;
        this.process = new ManagedProcess("broker", config.stackDir());
        this.dir = config.stackDir().resolve("broker");
    }

    ManagedProcess process() {
        return process;
    }

    /** Formats the storage on first use, then starts the broker process (does not wait for readiness). */
    void start() {
        try {
            Files.createDirectories(dir);
            Path properties = writeServerProperties();
            Path logback = writeLogbackConfig();
            if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
                format(properties, logback);
            }
            process.start(command(logback, "kafka.Kafka", properties.toString()), Map.of(), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void format(Path properties, Path logback) throws IOException {
        List<String> command = command(logback, "kafka.tools.StorageTool", "format", "--ignore-formatted",
                "-t", Uuid.randomUuid().toString(), "-c", properties.toString());
        Path log = config.stackDir().resolve("logs").resolve("broker-format.log");
        Files.createDirectories(log.getParent());
        Process format = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("formatting the broker storage failed; see " + log + ":\n"
                        + Files.readString(log, StandardCharsets.ISO_8859_1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting broker storage", e);
        }
    }

    private List<String> command(Path logback, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(LocalStack.javaBinary());
        command.addAll(config.jvmOptions());
        command.add("-Dlogback.configurationFile=" + logback);
        command.add("-cp");
        command.add(config.stackLibs().toAbsolutePath() + "/*");
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    private Path writeServerProperties() throws IOException {
        StackConfig.Ports ports = config.ports();
        String host = StackConfig.HOST;
        String properties = String.join("\n",
                "# Written by e2e/local-stack: single-node KRaft broker on loopback.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + host + ":" + ports.controller(),
                "listeners=PLAINTEXT://" + host + ":" + ports.broker() + ",CONTROLLER://" + host + ":"
                        + ports.controller(),
                "advertised.listeners=PLAINTEXT://" + host + ":" + ports.broker(),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=" + config.partitions(),
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=" + Math.max(config.partitions(), 3),
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=" + Math.max(config.partitions(), 3),
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // Fail-over of workers and lifecycle instances must be much faster than a TTL.
                "group.consumer.min.session.timeout.ms=1000",
                "group.min.session.timeout.ms=1000",
                "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000",
                "log.segment.bytes=16777216",
                "# LOCAL_STACK_BROKER_PROPERTIES (later lines win when the broker loads the file):",
                String.join("\n", config.brokerProperties()),
                "") ;
        Path file = dir.resolve("server.properties");
        Files.writeString(file, properties, StandardCharsets.UTF_8);
        return file;
    }

    private Path writeLogbackConfig() throws IOException {
        String xml = """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="kafka" level="INFO"/>
                  <logger name="kafka.log" level="WARN"/>
                  <logger name="org.apache.kafka" level="WARN"/>
                  <logger name="state.change.logger" level="WARN"/>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """;
        Path file = dir.resolve("logback.xml");
        Files.writeString(file, xml, StandardCharsets.UTF_8);
        return file;
    }

    Probe readiness() {
        return Probe.tcp(StackConfig.HOST, config.ports().broker())
                .and(Probe.logLine(process.logFile(), "Kafka Server started"));
    }

    static Duration startTimeout() {
        return Duration.ofSeconds(60);
    }
}
