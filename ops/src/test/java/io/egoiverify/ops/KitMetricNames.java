package io.egoiverify.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL expressions of the kit (every rule of the Prometheus rules file, every target and variable query of the
 * dashboard) and the metric names they use: names a running instance must export, recording rules the rules file
 * defines, and the few series Prometheus makes itself.
 */
final class KitMetricNames {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();
    /** Series Prometheus itself writes for every target: never exported by the application. */
    static final Set<String> SYNTHETIC = Set.of("up");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]*)");

    private KitMetricNames() {
    }

    static JsonNode rules() throws IOException {
        return YAML.readTree(Kit.RULES.toFile());
    }

    static JsonNode dashboard() throws IOException {
        return JSON.readTree(Kit.DASHBOARD.toFile());
    }

    /** Every rule of the rules file (recording and alerting), in file order. */
    static List<JsonNode> ruleList(JsonNode rules) {
        List<JsonNode> all = new ArrayList<>();
        rules.path("groups").forEach(g -> g.path("rules").forEach(all::add));
        return all;
    }

    /** Names of the recording rules the rules file defines. */
    static Set<String> recorded() throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode r : ruleList(rules())) {
            if (r.hasNonNull("record")) {
                names.add(r.get("record").asText());
            }
        }
        return names;
    }

    /** Rule (record or alert name) → its expression. */
    static Map<String, String> ruleExpressions() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        int n = 0;
        for (JsonNode r : ruleList(rules())) {
            String name = r.hasNonNull("record") ? r.get("record").asText() : r.path("alert").asText();
            out.put(name + "#" + n++, r.path("expr").asText());
        }
        return out;
    }

    /** Panel title (with the target's refId) → expression, for every target of every panel, rows included. */
    static Map<String, String> dashboardExpressions() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode d = dashboard();
        collectPanels(d.path("panels"), out);
        for (JsonNode v : d.path("templating").path("list")) {
            if ("query".equals(v.path("type").asText())) {
                JsonNode q = v.path("query");
                String text = q.isObject() ? q.path("query").asText() : q.asText();
                Matcher m = LABEL_VALUES.matcher(text);
                // label_values(metric, label): only the first argument selects series
                out.put("variable " + v.path("name").asText(), m.find() ? m.group(1) : text);
            }
        }
        return out;
    }

    private static void collectPanels(JsonNode panels, Map<String, String> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                out.put(p.path("title").asText() + " " + t.path("refId").asText(), t.path("expr").asText());
            }
            collectPanels(p.path("panels"), out);
        }
    }

    /**
     * Every selector of the kit over a metric the application exports (not a recording rule, not synthetic), by
     * where it is ({@code rule or panel #n}).
     */
    static Map<String, PromQlNames.Selector> selectorsOnExportedNames() throws IOException {
        Set<String> skip = new TreeSet<>(recorded());
        skip.addAll(SYNTHETIC);
        Map<String, String> all = new LinkedHashMap<>(ruleExpressions());
        all.putAll(dashboardExpressions());
        Map<String, PromQlNames.Selector> out = new LinkedHashMap<>();
        all.forEach((where, expr) -> {
            int n = 0;
            for (PromQlNames.Selector sel : PromQlNames.selectors(expr)) {
                if (!skip.contains(sel.name())) {
                    out.put(where + " selector " + n++, sel);
                }
            }
        });
        return out;
    }

    /** Names the kit's expressions select that the application must export (not recorded, not synthetic). */
    static Set<String> exportedNamesUsed() throws IOException {
        Set<String> recorded = recorded();
        Set<String> used = new TreeSet<>();
        for (String expr : ruleExpressions().values()) {
            used.addAll(PromQlNames.of(expr));
        }
        for (String expr : dashboardExpressions().values()) {
            used.addAll(PromQlNames.of(expr));
        }
        used.removeAll(recorded);
        used.removeAll(SYNTHETIC);
        return used;
    }
}
