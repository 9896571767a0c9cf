package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.egoiverify.worker.command.WorkerMetrics;
import io.egoiverify.worker.egoi.EgoiResult;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What promtool does not check: each alert has a severity and a runbook section that exists, each alert is tested
 * both firing and silent, recording rules follow one naming scheme, every E-goi call result that is no answer counts
 * as an error.
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

    /**
     * Every result an E-goi call can have is either named here as an answer (or as never timed) or counted by the
     * error rule: a new failure result left out of the rule's list (as the proxy's two were at first) would not fire
     * EgoiVerifyProviderErrorRatioHigh.
     */
    @Test
    void shouldCountEveryEgoiCallResultThatIsNoAnswerAsAnError() throws Exception {
        Set<String> answers = Set.of("sent", "verified", "wrong_code", "expired", "already_verified", "cancelled",
                "senders", "unconfirmed", "pending");
        Set<String> neverTimed = Set.of("refused", "unsupported", "circuit_open");
        JsonNode rule = KitMetricNames.ruleList(KitMetricNames.rules()).stream()
                .filter(r -> "egoi_verify:egoi_call_errors:rate5m".equals(r.path("record").asText())).findFirst()
                .orElseThrow();
        Matcher listed = Pattern.compile("status=~\"([^\"]+)\"").matcher(rule.path("expr").asText());
        assertThat(listed.find()).as(rule.toString()).isTrue();
        Pattern errors = Pattern.compile(listed.group(1));
        Set<String> names = new TreeSet<>();
        for (Class<?> type : EgoiResult.class.getPermittedSubclasses()) {
            for (EgoiResult r : instancesOf(type)) {
                names.add(WorkerMetrics.nameOf(r));
            }
        }
        assertThat(names).as("every result type of EgoiResult").hasSizeGreaterThan(20).containsAll(answers)
                .containsAll(neverTimed).contains("proxy_refused", "tunnel_failed", "timeout_connect");
        for (String name : names) {
            boolean error = errors.matcher(name).matches();
            assertThat(error).as(name + " in the error rule's list").isEqualTo(!answers.contains(name)
                    && !neverTimed.contains(name));
        }
    }

    /** One instance of a result record per value of its enum component (Timeout's phases), others plain defaults. */
    private static List<EgoiResult> instancesOf(Class<?> type) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Constructor<?> canonical = type.getDeclaredConstructor(types);
        Class<?> enumType = Arrays.stream(types).filter(Class::isEnum).findFirst().orElse(null);
        Object[] enumValues = enumType == null ? new Object[] {null} : enumType.getEnumConstants();
        List<EgoiResult> out = new ArrayList<>();
        for (Object enumValue : enumValues) {
            Object[] args = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                Class<?> t = types[i];
                args[i] = t.isEnum() ? enumValue : t == int.class ? 0 : t == Optional.class ? Optional.empty()
                        : t == List.class ? List.of() : t == String.class ? "x" : null;
            }
            out.add((EgoiResult) canonical.newInstance(args));
        }
        return out;
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
