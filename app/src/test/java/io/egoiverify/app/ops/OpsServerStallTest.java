package io.egoiverify.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, item 5: during shutdown, readiness checks used to run and block on {@code LifecycleService.state()}
 * (synchronized with {@code close}), so that a few readiness probes took every thread of the operations server and
 * {@code /health/live} and {@code /metrics} stalled for the whole close step. A check that blocks on a latch stands
 * for {@code state()} waiting behind {@code close()}.
 */
@Timeout(30)
class OpsServerStallTest {

    @Test
    void livenessAndMetricsAnswerWhileReadinessProbesArriveDuringShutdown() throws Exception {
        CountDownLatch closeFinished = new CountDownLatch(1);
        AtomicInteger checksRun = new AtomicInteger();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try (OpsServer ops = new OpsServer("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            ops.addReadinessCheck(HealthCheck.of("lifecycle", () -> {
                checksRun.incrementAndGet();
                try {
                    closeFinished.await();      // what state() did while close() held the service's monitor
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return HealthCheck.Status.down("NOT_RUNNING");
            }));
            ops.start();
            ops.markStopping();             // the shutdown sequence's first step; the close step follows
            List<CompletableFuture<HttpResponse<String>>> probes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {   // an orchestrator and a load balancer probing every second or so
                probes.add(http.sendAsync(request(ops, "/health/ready"), HttpResponse.BodyHandlers.ofString()));
            }
            HttpResponse<String> live = http.send(request(ops, "/health/live"), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> metrics = http.send(request(ops, "/metrics"), HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(metrics.statusCode()).isEqualTo(200);
            for (CompletableFuture<HttpResponse<String>> probe : probes) {
                HttpResponse<String> ready = probe.get();
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("\"status\":\"DOWN\"").contains("stopping");
            }
            assertThat(checksRun).as("no readiness check runs once the process is stopping").hasValue(0);
            closeFinished.countDown();
        }
    }

    /** Each request gives up after 3 s: a stalled endpoint fails the test instead of hanging it. */
    private static HttpRequest request(OpsServer ops, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path))
                .timeout(Duration.ofSeconds(3)).build();
    }
}
