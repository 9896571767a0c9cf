package io.egoiverify.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.FailureReason;
import io.egoiverify.events.ResendRejectReason;
import io.egoiverify.lifecycle.streams.LifecycleMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LifecycleMetersTest {

    @Test
    void everyReasonIsExportedAtZeroBeforeItsFirstEvent() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LifecycleMeters.bind(registry);
        String scrape = registry.scrape();
        for (FailureReason r : FailureReason.values()) {
            assertThat(scrape).contains("verification_failures_total{reason=\"" + r.name().toLowerCase(Locale.ROOT) + "\"} 0.0");
        }
        for (ResendRejectReason r : ResendRejectReason.values()) {
            assertThat(scrape)
                    .contains("verification_resends_rejected_total{reason=\"" + r.name().toLowerCase(Locale.ROOT) + "\"} 0.0");
        }
        registry.close();
    }

    @Test
    void eachEventCountsForItsOwnReasonOnly() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LifecycleMetrics hook = LifecycleMeters.bind(registry);
        hook.resendRejected(ResendRejectReason.COOLDOWN);
        hook.resendRejected(ResendRejectReason.COOLDOWN);
        hook.resendRejected(ResendRejectReason.TOO_MANY_SENDS);
        hook.failed(FailureReason.RATE_LIMITED);
        assertThat(count(registry, LifecycleMeters.RESENDS_REJECTED, "cooldown")).isEqualTo(2.0);
        assertThat(count(registry, LifecycleMeters.RESENDS_REJECTED, "too_many_sends")).isEqualTo(1.0);
        assertThat(count(registry, LifecycleMeters.RESENDS_REJECTED, "rate_limited")).isZero();
        assertThat(count(registry, LifecycleMeters.FAILURES, "rate_limited")).isEqualTo(1.0);
        assertThat(count(registry, LifecycleMeters.FAILURES, "provider_unavailable")).isZero();
        registry.close();
    }

    @Test
    void eachSentIsRecordedWithTheTargetsAsBucketBounds() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LifecycleMetrics hook = LifecycleMeters.bind(registry);
        hook.sent(120);
        hook.sent(700);
        hook.sent(6_000);
        assertThat(registry.get(LifecycleMeters.SEND_LATENCY).timer().count()).isEqualTo(3);
        String scrape = registry.scrape();
        assertThat(scrape).contains("verification_send_latency_seconds_bucket{le=\"0.15\"} 1")
                .contains("verification_send_latency_seconds_bucket{le=\"1.0\"} 2")
                .contains("verification_send_latency_seconds_bucket{le=\"5.0\"} 2");
        registry.close();
    }

    @Test
    void aWorkerClockSkewIsExportedByDirectionInSeconds() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LifecycleMetrics hook = LifecycleMeters.bind(registry);
        assertThat(registry.scrape()).contains("verification_worker_clock_skew_seconds_count{direction=\"ahead\"} 0")
                .contains("verification_worker_clock_skew_seconds_count{direction=\"behind\"} 0");
        hook.workerClockSkew(Duration.ofMillis(-1500));
        hook.workerClockSkew(Duration.ofSeconds(-60));
        hook.workerClockSkew(Duration.ofMillis(250));
        var behind = registry.get(LifecycleMeters.WORKER_CLOCK_SKEW).tag("direction", "behind").summary();
        assertThat(behind.count()).isEqualTo(2);
        assertThat(behind.max()).isEqualTo(60.0);
        assertThat(behind.totalAmount()).isEqualTo(61.5);
        var ahead = registry.get(LifecycleMeters.WORKER_CLOCK_SKEW).tag("direction", "ahead").summary();
        assertThat(ahead.count()).isEqualTo(1);
        assertThat(ahead.max()).isEqualTo(0.25);
        assertThat(registry.scrape()).contains("verification_worker_clock_skew_seconds_max{direction=\"behind\"} 60.0");
        registry.close();
    }

    private static double count(PrometheusMeterRegistry registry, String name, String reason) {
        return registry.get(name).tag("reason", reason).counter().count();
    }
}
