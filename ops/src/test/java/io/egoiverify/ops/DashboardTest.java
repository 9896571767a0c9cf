package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard imports into Grafana without edits: no {@code __inputs} to map, no data-source uid of someone else's
 * Grafana, every query on the {@code datasource} variable; panels laid out on the 24-column grid without overlap;
 * every recorded series it reads is defined by the rules file. (Exported names: {@link MetricNamesIT}.)
 */
@Timeout(30)
class DashboardTest {
    private static final String DATASOURCE = "${datasource}";

    @Test
    void shouldUseADataSourceVariableAndNothingToMapOnImport() throws Exception {
        JsonNode d = KitMetricNames.dashboard();
        String text = Files.readString(Kit.DASHBOARD, StandardCharsets.UTF_8);
        assertThat(d.has("__inputs")).as("__inputs would need a mapping on import").isFalse();
        assertThat(text).doesNotContain("${DS_");
        assertThat(d.path("id").isNull()).as("id null: Grafana assigns one").isTrue();
        assertThat(d.path("uid").asText()).isEqualTo("egoi-verify");
        assertThat(d.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        JsonNode ds = variable(d, "datasource");
        assertThat(ds.path("type").asText()).isEqualTo("datasource");
        assertThat(ds.path("query").asText()).isEqualTo("prometheus");
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.has("datasource")) {
                assertThat(v.path("datasource").path("uid").asText()).as(v.path("name").asText())
                        .isEqualTo(DATASOURCE);
            }
        }
        for (JsonNode p : panels(d)) {
            String title = p.path("title").asText();
            assertThat(p.path("datasource").path("uid").asText()).as(title).isEqualTo(DATASOURCE);
            assertThat(p.path("datasource").path("type").asText()).as(title).isEqualTo("prometheus");
            assertThat(p.path("targets")).as(title).isNotEmpty();
            for (JsonNode t : p.path("targets")) {
                assertThat(t.path("datasource").path("uid").asText()).as(title).isEqualTo(DATASOURCE);
                assertThat(t.path("expr").asText()).as(title).isNotBlank();
                assertThat(t.path("refId").asText()).as(title).isNotBlank();
            }
        }
    }

    @Test
    void shouldLayPanelsOnTheGridWithoutOverlap() throws Exception {
        JsonNode d = KitMetricNames.dashboard();
        Set<Integer> ids = new HashSet<>();
        Set<String> cells = new HashSet<>();
        for (JsonNode p : d.path("panels")) {
            assertThat(ids.add(p.path("id").asInt())).as("unique panel id " + p.path("id")).isTrue();
            assertThat(p.path("type").asText()).isIn("row", "timeseries", "stat");
            JsonNode g = p.path("gridPos");
            int x = g.path("x").asInt();
            int y = g.path("y").asInt();
            int w = g.path("w").asInt();
            int h = g.path("h").asInt();
            assertThat(x + w).as(p.path("title").asText()).isBetween(1, 24);
            for (int cx = x; cx < x + w; cx++) {
                for (int cy = y; cy < y + h; cy++) {
                    assertThat(cells.add(cx + "," + cy)).as("overlap at " + cx + "," + cy).isTrue();
                }
            }
        }
    }

    @Test
    void shouldReadOnlyRecordedSeriesTheRulesDefine() throws Exception {
        Set<String> recorded = KitMetricNames.recorded();
        Set<String> used = new TreeSet<>();
        KitMetricNames.dashboardExpressions().values().forEach(e -> used.addAll(PromQlNames.of(e)));
        Set<String> recordedUsed = new TreeSet<>();
        for (String name : used) {
            if (name.contains(":")) {
                recordedUsed.add(name);
            }
        }
        assertThat(recorded).as("recording rules").containsAll(recordedUsed);
        assertThat(recordedUsed).as("the dashboard reads the recorded series").hasSizeGreaterThan(10);
    }

    private static JsonNode variable(JsonNode d, String name) {
        for (JsonNode v : d.path("templating").path("list")) {
            if (name.equals(v.path("name").asText())) {
                return v;
            }
        }
        throw new AssertionError("no variable " + name);
    }

    private static List<JsonNode> panels(JsonNode d) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : d.path("panels")) {
            if (!"row".equals(p.path("type").asText())) {
                out.add(p);
            }
            p.path("panels").forEach(out::add);
        }
        return out;
    }
}
