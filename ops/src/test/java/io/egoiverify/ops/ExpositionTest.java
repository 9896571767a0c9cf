package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading a scrape, and matching a kit selector against it, as the metric-name test does. */
@Timeout(10)
class ExpositionTest {
    private static final String LAG = "kafka_consumer_fetch_manager_records_lag_max{application=\"egoi-verify\",";
    private static final String SCRAPE = String.join("\n",
            "# HELP kafka_consumer_fetch_manager_records_lag_max x",
            "# TYPE kafka_consumer_fetch_manager_records_lag_max gauge",
            LAG + "client_id=\"lc-1-StateUpdater-1-restore-consumer\",role=\"state\"} NaN",
            LAG + "client_id=\"lc-1-StreamThread-1-consumer\",role=\"state\"} 0.0",
            "health_ready{application=\"egoi-verify\",role=\"state\"} 1.0",
            "odd{a=\"quote \\\" and backslash \\\\ and, comma\"} 1", "");

    @Test
    void shouldReadNamesAndLabels() {
        Exposition e = Exposition.parse(SCRAPE);
        assertThat(e.names()).containsExactly("health_ready", "kafka_consumer_fetch_manager_records_lag_max", "odd");
        assertThat(e.samples().get(3).labels()).containsEntry("a", "quote \" and backslash \\ and, comma");
    }

    @Test
    void shouldTellWhetherASelectorMatchesASample() throws Exception {
        Exposition lifecycleOnly = Exposition.parse(SCRAPE);
        var rules = KitMetricNames.ruleExpressions();
        String lifecycleLag = rules.entrySet().stream().filter(r -> r.getKey().startsWith(
                "egoi_verify:consumer_lag_records:max")).findFirst().orElseThrow().getValue();
        String workerLag = rules.entrySet().stream().filter(r -> r.getKey().startsWith(
                "egoi_verify:consumer_lag_records:max")).skip(1).findFirst().orElseThrow().getValue();
        Set<String> ignored = Set.of("namespace");
        assertThat(lifecycleOnly.matches(PromQlNames.selectors(lifecycleLag).get(0), ignored)).isTrue();
        assertThat(lifecycleOnly.matches(PromQlNames.selectors(workerLag).get(0), ignored))
                .as("a state instance's restore consumer is not the worker's consumer").isFalse();
        assertThat(lifecycleOnly.matches(PromQlNames.selectors("health_ready{namespace=\"p\", role=~\"$r\"}")
                .get(0), ignored)).isTrue();
        assertThat(lifecycleOnly.matches(PromQlNames.selectors("health_ready{role=\"worker\"}").get(0), ignored))
                .isFalse();
    }
}
