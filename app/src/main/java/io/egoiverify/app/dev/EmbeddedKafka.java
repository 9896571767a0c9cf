package io.egoiverify.app.dev;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one) inside this JVM, on loopback, with a temporary log
 * directory deleted on close. For the dev mode only: it is the product's broker, not a test artifact, so it is started
 * from {@code kafka_2.13} directly ({@code StorageTool.execute}, never its {@code main}, which exits the JVM).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private final Path dir;
    private final int port;
    private final KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Path dir, int port, KafkaRaftServer server) {
        this.dir = dir;
        this.port = port;
        this.server = server;
    }

    /** Starts the broker on {@code 127.0.0.1:port} (0 = any free port) and waits until it answers. */
    public static EmbeddedKafka start(int port, Duration timeout) {
        Path dir;
        try {
            dir = Files.createTempDirectory("egoi-verify-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the dev broker", e);
        }
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Properties props = properties(dir.resolve("logs"), brokerPort, controllerPort);
        try {
            Path file = dir.resolve("server.properties");
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                props.store(w, "egoi-verify dev broker");
            }
            format(file);
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
            EmbeddedKafka kafka = new EmbeddedKafka(dir, brokerPort, server);
            // the controller activates the fresh cluster on its own thread, before the broker first answers
            KafkaNoise.quiet(KafkaNoise.FRESH_CLUSTER, () -> {
                server.startup();
                kafka.awaitReady(timeout);
            });
            KafkaNoise.quiet(KafkaNoise.AUTO_TOPIC_CREATION, () -> kafka.createCoordinatorTopics(timeout));
            LOG.info("dev Kafka broker on 127.0.0.1:{}", brokerPort);
            return kafka;
        } catch (IOException e) {
            delete(dir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            delete(dir);
            throw e;
        }
    }

    private static Properties properties(Path logs, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logs.toString());
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.flush.interval.messages", "1000000");
        return p;
    }

    private static void format(Path config) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        String clusterId = Uuid.randomUuid().toString();
        int rc;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", config.toString()}, out);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting the dev broker's storage failed: "
                    + buffer.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(1, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new IllegalStateException("the dev broker did not answer within " + timeout, e);
                    }
                }
            }
        }
    }

    /**
     * Makes the broker create its offsets and transaction logs now, before any component starts. The broker creates
     * them when a client first asks for a coordinator; a second request before the topic shows in its metadata (a
     * client's retry, or another client: the lifecycle's and the worker's consumers and producers all start at once)
     * starts the creation again and logs "Auto topic creation failed ... TOPIC_ALREADY_EXISTS".
     */
    private void createCoordinatorTopics(Duration timeout) {
        Map<String, Object> common = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(common)) {
            admin.listConsumerGroupOffsets("egoi-verify-dev-warm-up").all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the dev broker did not create its offsets log", e);
        }
        Map<String, Object> producer = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "egoi-verify-dev-warm-up",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        try (KafkaProducer<byte[], byte[]> warmUp = new KafkaProducer<>(producer, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            warmUp.initTransactions();
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** A free loopback port (a small race with other processes is acceptable for a dev tool). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            KafkaNoise.quiet(KafkaNoise.BROKER_SHUTDOWN, () -> {
                server.shutdown();
                server.awaitShutdown();
            });
        } catch (RuntimeException e) {
            LOG.warn("dev broker shutdown: {}", e.toString());
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        EmbeddedKafkaFiles.delete(dir);
    }
}
