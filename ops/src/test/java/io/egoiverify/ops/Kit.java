package io.egoiverify.ops;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the operations kit's files are, from the {@code ops} module directory Maven runs the tests in. */
final class Kit {
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path ROOT = MODULE.getParent();
    static final Path RULES = MODULE.resolve("prometheus/egoi-verify.rules.yml");
    static final Path RULE_TESTS = MODULE.resolve("prometheus/egoi-verify.rules.test.yml");
    static final Path DASHBOARD = MODULE.resolve("grafana/egoi-verify.dashboard.json");
    static final Path KUBERNETES = MODULE.resolve("kubernetes");
    static final Path PROMETHEUS_RULE = KUBERNETES.resolve("monitoring/prometheusrule.yaml");
    static final Path RUNBOOK = ROOT.resolve("docs/RUNBOOK.md");

    private Kit() {
    }

    static {
        if (!Files.isRegularFile(MODULE.resolve("pom.xml")) || !Files.isDirectory(MODULE.resolve("prometheus"))) {
            throw new IllegalStateException("run the ops tests from the ops module directory (Maven does)");
        }
    }
}
