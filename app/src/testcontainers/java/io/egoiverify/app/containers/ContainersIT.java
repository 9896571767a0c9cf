package io.egoiverify.app.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.app.AppRuntime;
import io.egoiverify.app.cli.Registries;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.config.Settings;
import io.egoiverify.app.config.SettingsLoader;
import io.egoiverify.app.dev.InputPublisher;
import io.egoiverify.app.dev.Outcome;
import io.egoiverify.app.dev.OutcomeLog;
import io.egoiverify.app.dev.OutcomeReader;
import io.egoiverify.app.ops.ShutdownSequence;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Only with {@code -Ptestcontainers} and a Docker engine (never in this project's CI): the service in {@code run}
 * configuration against a Kafka container and an Apicurio registry container, through the HTTP registry client.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ContainersIT {
    private static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.3.1");
    private static final GenericContainer<?> REGISTRY =
            new GenericContainer<>("apicurio/apicurio-registry-mem:2.4.2.Final").withExposedPorts(8080)
                    .waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forStatusCode(200));
    private static EgoiSandbox sandbox;

    @BeforeAll
    static void start() throws Exception {
        KAFKA.start();
        REGISTRY.start();
        sandbox = new EgoiSandbox().start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
        REGISTRY.stop();
        KAFKA.stop();
    }

    @Test
    void aVerificationEndToEndAgainstContainers() throws Exception {
        Settings s = SettingsLoader.load(null, Map.of(), Map.of(
                "kafka.bootstrap.servers", KAFKA.getBootstrapServers(),
                "schema.registry.url", "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8080)
                        + "/apis/ccompat/v7",
                "egoi.base-url", sandbox.baseUrl().toString(),
                "profile.default.api-key", "containers-key", "profile.default.sender-hash", "h",
                "abuse.hmac-key", "containers-it-hmac-key-of-at-least-32-bytes",
                "ops.port", "0", "kafka.state.dir", java.nio.file.Files.createTempDirectory("streams").toString()));
        AppConfig config = AppConfig.from(s, Mode.RUN);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.getBootstrapServers()))) {
            admin.createTopics(config.topics().all().values().stream().map(n -> new NewTopic(n, 2, (short) 1))
                    .toList()).all().get(60, TimeUnit.SECONDS);
        }
        AppRuntime runtime = new AppRuntime(config, Registries.create(config.serde())).start();
        OutcomeLog outcomes = new OutcomeLog();
        try (OutcomeReader reader = new OutcomeReader(config.kafka(), runtime.topics(), true, outcomes).start();
             InputPublisher publisher = new InputPublisher(config.kafka(), runtime.topics(), Clock.systemUTC())) {
            publisher.request("tc-1", "+351910000099", null, null, null, null, null, Map.of());
            assertThat(outcomes.await("tc-1", o -> o.kind() == Outcome.Kind.SENT, Duration.ofSeconds(60)))
                    .isPresent();
            publisher.submit("tc-1", sandbox.lastCode("351-910000099").orElseThrow(), null);
            assertThat(outcomes.await("tc-1", Outcome::terminal, Duration.ofSeconds(60)).map(Outcome::kind))
                    .contains(Outcome.Kind.VERIFIED);
            assertThat(List.of(outcomes.of("tc-1").size())).isNotEmpty();
        } finally {
            runtime.shutdownSequence(new ShutdownSequence(Duration.ofSeconds(30))).run();
        }
    }
}
