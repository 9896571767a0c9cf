package io.egoiverify.app.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class QueryMetersTest {

    @Test
    void servedQueriesAreAHistogramWithTheTargetsAsBuckets() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        QueryMeters meters = new QueryMeters(registry);
        // below the local target, below the forwarded one, above both
        meters.record("local", "found", TimeUnit.MILLISECONDS.toNanos(5));
        meters.record("local", "found", TimeUnit.MILLISECONDS.toNanos(20));
        meters.record("local", "found", TimeUnit.SECONDS.toNanos(2));
        String scrape = registry.scrape();
        String series = "verification_status_queries_seconds_bucket{answer=\"found\",served=\"local\",le=\"%s\"} %s";
        assertThat(scrape).contains(String.format(series, "0.01", "1"))
                .contains(String.format(series, "0.03", "2"))
                .contains(String.format(series, "+Inf", "3"))
                .contains("verification_status_queries_seconds_count{answer=\"found\",served=\"local\"} 3");
        registry.close();
    }
}
