package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PromQlNamesTest {

    @Test
    void shouldFindTheSelectedMetricsAndNothingElse() {
        assertThat(PromQlNames.of("sum by (namespace, le) (rate(egoi_calls_seconds_bucket{status=~\"a|b\"}[5m]))"))
                .containsExactly("egoi_calls_seconds_bucket");
        assertThat(PromQlNames.of("histogram_quantile(0.99, sum without(pod) (rate(x_bucket[$__rate_interval])))"))
                .containsExactly("x_bucket");
        assertThat(PromQlNames.of("a / on (namespace) group_left(role) b offset 5m and bool c > 0.5"))
                .containsExactly("a", "b", "c");
        assertThat(PromQlNames.of("max by(namespace) (egoi_verify:lag:max) > 1e3 or vector(0)"))
                .containsExactly("egoi_verify:lag:max");
        assertThat(PromQlNames.of("label_replace(up{job=~\".*egoi-verify.*\"}, \"x\", \"$1\", \"job\", \"(.*)\")"))
                .containsExactly("up");
        assertThat(PromQlNames.of("sum(rate(m_total{namespace=~\"$namespace\", pod=~\"${pod}\"}[5m])) by (type)"))
                .containsExactly("m_total");
        assertThat(PromQlNames.of("{__name__=\"x\"}")).isEmpty();
        assertThat(PromQlNames.of("deriv(a:b:c[10m]) > 0 # a comment naming not_a_metric\n")).containsExactly("a:b:c");
    }

    @Test
    void shouldReadTheLabelMatchersOfEachSelector() {
        var selectors = PromQlNames.selectors("max by (ns) (lag{application=\"egoi-verify\", "
                + "client_id=~\".+-T-[0-9]+\", role!~\"a|b\", area != \"x\"}) / on (ns) other");
        assertThat(selectors).hasSize(2);
        var lag = selectors.get(0);
        assertThat(lag.name()).isEqualTo("lag");
        assertThat(lag.matchers()).extracting(PromQlNames.Matcher::label, PromQlNames.Matcher::op)
                .containsExactly(Tuple.tuple("application", "="),
                        Tuple.tuple("client_id", "=~"),
                        Tuple.tuple("role", "!~"),
                        Tuple.tuple("area", "!="));
        assertThat(lag.matchers().get(1).matches("app-T-12")).isTrue();
        assertThat(lag.matchers().get(1).matches("app-T-12-restore")).as("anchored").isFalse();
        assertThat(lag.matchers().get(2).matches(null)).isTrue();
        assertThat(selectors.get(1).matchers()).isEmpty();
    }
}
