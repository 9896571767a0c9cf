package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The PrometheusRule of the Kubernetes kit carries exactly the groups of the rules file (kustomize cannot read a file
 * outside its folder, so it is a generated copy). {@code -Degoi.ops.write=true} rewrites it.
 */
@Timeout(30)
class PrometheusRuleSyncTest {
    static final String HEADER = """
            # GENERATED from ops/prometheus/egoi-verify.rules.yml: edit that file, then regenerate this one with
            #   mvn -B -ntp -pl ops -am test -Dtest=PrometheusRuleSyncTest -Dsurefire.failIfNoSpecifiedTests=false \\
            #     -Degoi.ops.write=true
            # (PrometheusRuleSyncTest fails when the two differ.)
            apiVersion: monitoring.coreos.com/v1
            kind: PrometheusRule
            metadata:
              name: egoi-verify
              labels:
                app.kubernetes.io/name: egoi-verify
            spec:
            """;

    /** The rules file's {@code groups:} section, indented under {@code spec:}. */
    static String expected() throws Exception {
        String rules = Files.readString(Kit.RULES, StandardCharsets.UTF_8);
        String groups = rules.substring(rules.indexOf("\ngroups:") + 1);
        return HEADER + groups.lines().map(l -> l.isEmpty() ? l : "  " + l)
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void shouldCarryTheGroupsOfTheRulesFile() throws Exception {
        String expected = expected();
        if (Boolean.getBoolean("egoi.ops.write")) {
            Files.writeString(Kit.PROMETHEUS_RULE, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(Kit.PROMETHEUS_RULE, StandardCharsets.UTF_8))
                .as("regenerate: see the header of " + Kit.PROMETHEUS_RULE).isEqualTo(expected);
        assertThat(KitMetricNames.YAML.readTree(Kit.PROMETHEUS_RULE.toFile()).path("spec").path("groups"))
                .isEqualTo(KitMetricNames.rules().path("groups"));
    }
}
