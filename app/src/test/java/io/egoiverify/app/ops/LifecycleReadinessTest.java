package io.egoiverify.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Readiness of the lifecycle and worker components, driven by a fake state and a test clock. */
@Timeout(20)
class LifecycleReadinessTest {
    private static final Duration GRACE = Duration.ofSeconds(30);
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final GracefulCheck lifecycle = new GracefulCheck(HealthCheck.of("lifecycle",
            () -> ComponentReadiness.streams(state.get())), GRACE, clock);

    @Test
    void notReadyBeforeFirstRunningEvenPastTheGrace() {
        assertThat(lifecycle.check().up()).isFalse();
        state.set(State.REBALANCING);                  // the first rebalance after start
        assertThat(lifecycle.check().up()).isFalse();
        now = now.plus(GRACE).plusSeconds(60);
        assertThat(lifecycle.check().up()).as("REBALANCING before any RUNNING is never ready").isFalse();
        state.set(State.RUNNING);
        assertThat(lifecycle.check().up()).isTrue();
    }

    @Test
    void rebalancingDipWithinGraceKeepsReadyLongerDipDoesNot() {
        state.set(State.RUNNING);
        assertThat(lifecycle.check().up()).isTrue();
        state.set(State.REBALANCING);
        assertThat(lifecycle.check().up()).isTrue();
        now = now.plus(GRACE);
        assertThat(lifecycle.check().up()).as("a dip of exactly the grace is tolerated").isTrue();
        now = now.plusSeconds(1);
        assertThat(lifecycle.check().up()).as("past the grace").isFalse();
        state.set(State.RUNNING);
        assertThat(lifecycle.check().up()).isTrue();
    }

    @Test
    void errorAndShutdownStatesAreNotReadyAtOnce() {
        for (State bad : new State[] {State.PENDING_ERROR, State.ERROR, State.PENDING_SHUTDOWN, State.NOT_RUNNING}) {
            state.set(State.RUNNING);
            assertThat(lifecycle.check().up()).isTrue();
            state.set(bad);
            assertThat(lifecycle.check().up()).as(bad.name()).isFalse();
            assertThat(lifecycle.check().detail()).contains(bad.name());
        }
    }

    @Test
    void workerIsReadyOnceJoinedAndToleratesARejoinOnly() {
        AtomicBoolean joined = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        GracefulCheck worker = new GracefulCheck(HealthCheck.of("worker",
                () -> ComponentReadiness.worker(joined.get(), running.get(), "g")), GRACE, clock);
        assertThat(worker.check().up()).as("joining for the first time").isFalse();
        joined.set(true);                               // an empty assignment counts as joined
        assertThat(worker.check().up()).isTrue();
        joined.set(false);
        now = now.plusSeconds(5);
        assertThat(worker.check().up()).as("rejoining within the grace").isTrue();
        running.set(false);
        assertThat(worker.check().up()).as("stopped").isFalse();
    }

    @Test
    void healthReadyAnswers503UntilStreamsHasBeenRunning() throws Exception {
        AtomicBoolean started = new AtomicBoolean();
        try (OpsServer ops = new OpsServer("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            ops.addReadinessCheck(HealthCheck.of("startup", () -> started.get()
                    ? HealthCheck.Status.up("components started") : HealthCheck.Status.down("starting components")));
            ops.start();
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + ops.port() + "/health/ready");
            assertThat(status(http, ready)).as("components still starting").isEqualTo(503);

            ops.addReadinessCheck(lifecycle);
            started.set(true);
            state.set(State.REBALANCING);
            assertThat(status(http, ready)).as("started, but Streams never RUNNING").isEqualTo(503);
            state.set(State.RUNNING);
            assertThat(status(http, ready)).isEqualTo(200);
            state.set(State.REBALANCING);
            assertThat(status(http, ready)).as("a rebalance within the grace").isEqualTo(200);
            state.set(State.ERROR);
            HttpResponse<String> down = http.send(HttpRequest.newBuilder(ready).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"lifecycle\":{\"status\":\"DOWN\",\"detail\":\"ERROR\"");
        }
    }

    private static int status(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
