package io.egoiverify.worker.command;

import static org.awaitility.Awaitility.await;

import io.egoiverify.testing.KafkaClusterExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft broker (broker + controller) in its own JVM on loopback, started from the test classpath, so that
 * a test can freeze it with SIGSTOP (a broker that stops answering without closing a connection: a long GC pause, a
 * frozen VM) and thaw it with SIGCONT — which an in-process broker cannot do.
 */
final class BrokerProcess implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(90);

    private final Path dir;
    private final int port;
    private final Process process;
    private final Thread shutdownHook;

    private BrokerProcess(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        // a test JVM that dies must not leave a (possibly frozen) broker behind
        this.shutdownHook = new Thread(process::destroyForcibly, "stop-broker-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Formats a fresh storage directory, starts the broker and waits until it serves metadata. */
    static BrokerProcess start() {
        try {
            Path parent = Files.createDirectories(Path.of("target", "broker-processes"));
            Path dir = Files.createTempDirectory(parent, "broker-");
            int port = freePort();
            int controllerPort = freePort();
            Path properties = dir.resolve("server.properties");
            List<String> lines = new ArrayList<>(List.of(
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"),
                    "auto.create.topics.enable=false",
                    "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000"));
            KafkaClusterExtension.defaultBrokerProperties().forEach((k, v) -> lines.add(k + "=" + v));
            Files.write(properties, lines, StandardCharsets.UTF_8);
            Path formatLog = dir.resolve("format.log");
            Process format = new ProcessBuilder(java(dir, "kafka.tools.StorageTool", "format", "--ignore-formatted",
                    "-t", Uuid.randomUuid().toString(), "-c", properties.toString()))
                    .redirectErrorStream(true).redirectOutput(formatLog.toFile()).start();
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("formatting failed: " + Files.readString(formatLog));
            }
            Process broker = new ProcessBuilder(java(dir, "kafka.Kafka", properties.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("broker.log").toFile()).start();
            BrokerProcess b = new BrokerProcess(dir, port, broker);
            try (Admin admin = b.admin()) {
                await("broker process ready").atMost(READY).ignoreExceptions().until(() -> {
                    if (!broker.isAlive()) {
                        throw new IllegalStateException("broker exited: " + b.log());
                    }
                    return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
                });
            } catch (RuntimeException e) {
                b.close();
                throw e;
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> java(Path dir, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=" + logback(dir), "-cp", System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private static String logback(Path dir) {
        Path file = dir.resolve("logback.xml");
        try {
            Files.writeString(file, """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                      </appender>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** An admin client on this broker; the caller closes it. */
    Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
    }

    void createTopics(int partitions, String... names) {
        try (Admin admin = admin()) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : names) {
                topics.add(new NewTopic(name, partitions, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            await("topics " + List.of(names)).atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    admin.describeTopics(List.of(names)).allTopicNames().get(5, TimeUnit.SECONDS).values().stream()
                            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics " + List.of(names), e);
        }
    }

    /** SIGSTOP: the broker keeps its sockets open but answers nothing. */
    void freeze() {
        signal("STOP");
    }

    /** SIGCONT. */
    void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(dir.resolve("broker.log"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
