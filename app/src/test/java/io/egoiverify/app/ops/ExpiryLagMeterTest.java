package io.egoiverify.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.lifecycle.streams.LifecycleMetrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ExpiryLagMeterTest {

    @Test
    void lagsAreRecordedAsAPrometheusHistogramInSeconds() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LifecycleMetrics hook = ExpiryLagMeter.bind(registry);
        hook.expired(150);
        hook.expired(700);
        Timer timer = registry.get(ExpiryLagMeter.NAME).timer();
        assertThat(timer.count()).isEqualTo(2);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(850.0);
        assertThat(timer.max(TimeUnit.MILLISECONDS)).isEqualTo(700.0);
        String scrape = registry.scrape();
        assertThat(scrape).contains("verification_expiry_lag_seconds_bucket{")
                .containsPattern("(?m)^verification_expiry_lag_seconds_count(\\{[^}]*\\})? 2")
                .containsPattern("(?m)^verification_expiry_lag_seconds_sum(\\{[^}]*\\})? 0\\.85");
        registry.close();
    }
}
