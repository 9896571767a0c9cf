package io.egoiverify.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The samples of a Prometheus text exposition: name and labels of each (values are not needed here). */
record Exposition(List<Sample> samples) {

    record Sample(String name, Map<String, String> labels) {
    }

    static Exposition parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                samples.add(sample(line));
            }
        }
        return new Exposition(samples);
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    /**
     * Whether some sample of the selector's metric satisfies its label matchers, leaving out matchers on
     * {@code ignoredLabels} and matchers on Grafana variables ({@code $x}).
     */
    boolean matches(PromQlNames.Selector sel, Set<String> ignoredLabels) {
        List<PromQlNames.Matcher> own = sel.matchers().stream()
                .filter(m -> !ignoredLabels.contains(m.label()) && !m.value().contains("$")).toList();
        return samples.stream().filter(s -> s.name().equals(sel.name()))
                .anyMatch(s -> own.stream().allMatch(m -> m.matches(s.labels().get(m.label()))));
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq).strip();
                i = eq + 2; // past ="
                StringBuilder value = new StringBuilder();
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i);
                    if (c == '\\') {
                        char next = line.charAt(++i);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                    i++;
                }
                labels.put(label, value.toString());
                i++; // past the closing quote
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
        }
        return new Sample(name, labels);
    }
}
