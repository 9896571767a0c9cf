package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What promtool does not check: each alert has a severity and a runbook section that exists, each alert is tested
 * both firing and silent, recording rules follow one naming scheme.
 */
@Timeout(30)
class RulesContentTest {

    @Test
    void shouldGiveEveryAlertASeverityAndARunbookSectionThatExists() throws Exception {
        Set<String> anchors = runbookAnchors();
        Set<String> alerts = new TreeSet<>();
        for (JsonNode r : KitMetricNames.ruleList(KitMetricNames.rules())) {
            if (!r.hasNonNull("alert")) {
                continue;
            }
            String name = r.get("alert").asText();
            alerts.add(name);
            assertThat(name).startsWith("EgoiVerify");
            assertThat(r.path("labels").path("severity").asText()).as(name).isIn("critical", "warning");
            assertThat(r.path("annotations").path("summary").asText()).as(name).isNotBlank();
            assertThat(r.path("annotations").path("description").asText()).as(name).isNotBlank();
            String runbook = r.path("annotations").path("runbook_url").asText();
            assertThat(runbook).as(name).isEqualTo("docs/RUNBOOK.md#" + name.toLowerCase(Locale.ROOT));
            assertThat(anchors).as("sections of docs/RUNBOOK.md").contains(runbook.substring(runbook.indexOf('#') + 1));
        }
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(9);
    }

    @Test
    void shouldTestEveryAlertFiringAndSilent() throws Exception {
        JsonNode tests = KitMetricNames.YAML.readTree(Kit.RULE_TESTS.toFile());
        Set<String> fired = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (JsonNode t : tests.path("tests")) {
            for (JsonNode a : t.path("alert_rule_test")) {
                (a.path("exp_alerts").isEmpty() ? silent : fired).add(a.path("alertname").asText());
            }
        }
        Set<String> alerts = new TreeSet<>();
        KitMetricNames.ruleList(KitMetricNames.rules()).stream().filter(r -> r.hasNonNull("alert"))
                .forEach(r -> alerts.add(r.get("alert").asText()));
        assertThat(fired).as("alerts a test makes fire").isEqualTo(alerts);
        assertThat(silent).as("alerts a test expects silent").isEqualTo(alerts);
    }

    @Test
    void shouldNameRecordingRulesLevelMetricOperations() throws Exception {
        for (String name : KitMetricNames.recorded()) {
            assertThat(name).matches("egoi_verify:[a-z0-9_]+:[a-z0-9_]+");
        }
    }

    /** GitHub's anchors of the runbook's headings: lower case, punctuation dropped, spaces as hyphens. */
    static Set<String> runbookAnchors() throws Exception {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : Files.readAllLines(Kit.RUNBOOK, StandardCharsets.UTF_8)) {
            if (line.startsWith("#")) {
                String title = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
                anchors.add(title.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }
}
