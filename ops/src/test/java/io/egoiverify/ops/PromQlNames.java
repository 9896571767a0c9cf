package io.egoiverify.ops;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The vector selectors of a PromQL expression (metric name and label matchers), found by a small tokenizer rather
 * than a second hand-written list: identifiers outside label matchers ({@code {...}}), ranges ({@code [...]}) and
 * strings that are not functions (followed by {@code (}), keywords, aggregation operators, or the label lists of
 * {@code by}, {@code without}, {@code on}, {@code ignoring}, {@code group_left} and {@code group_right}. Grafana
 * variables ({@code $x}, {@code ${x}}) are skipped. Enough for the expressions of this kit; {@code promtool check
 * rules} checks their syntax.
 */
final class PromQlNames {
    private static final Pattern MATCHER = Pattern.compile(
            "\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,?");

    /** A label matcher: {@code label op "value"}; regular expressions are anchored, as in Prometheus. */
    record Matcher(String label, String op, String value) {
        boolean matches(String actual) {
            String v = actual == null ? "" : actual;
            return switch (op) {
                case "=" -> v.equals(value);
                case "!=" -> !v.equals(value);
                case "=~" -> v.matches(value);
                case "!~" -> !v.matches(value);
                default -> throw new IllegalStateException(op);
            };
        }
    }

    /** A vector selector: a metric name and its label matchers. */
    record Selector(String name, List<Matcher> matchers) {
    }

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan",
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
            "quantile", "limitk", "limit_ratio", "atan2", "start", "end");
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");

    private final String s;
    private int i;

    private PromQlNames(String expr) {
        this.s = expr;
    }

    /** The metric names the expression selects. */
    static Set<String> of(String expr) {
        Set<String> names = new LinkedHashSet<>();
        selectors(expr).forEach(sel -> names.add(sel.name()));
        return names;
    }

    static List<Selector> selectors(String expr) {
        return new PromQlNames(expr).scan();
    }

    private List<Selector> scan() {
        List<Selector> names = new ArrayList<>();
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                skipString(c);
            } else if (c == '{') {
                skipTo('}');
            } else if (c == '[') {
                skipTo(']');
            } else if (c == '#') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '$') {
                skipVariable();
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.'
                        || s.charAt(i) == '_')) {
                    i++; // a number or a duration (5m, 1e3, 0x1f)
                }
            } else if (identifierStart(c)) {
                String word = identifier();
                if (LABEL_LISTS.contains(word)) {
                    skipLabelList();
                } else if (!KEYWORDS.contains(word) && nextNonSpace() != '(') {
                    names.add(new Selector(word, nextNonSpace() == '{' ? matchers() : List.of()));
                }
            } else {
                i++;
            }
        }
        return names;
    }

    /** Parses the {@code {...}} that follows a metric name. */
    private List<Matcher> matchers() {
        while (s.charAt(i) != '{') {
            i++;
        }
        int start = i + 1;
        skipTo('}');
        String body = s.substring(start, i - 1);
        List<Matcher> out = new ArrayList<>();
        java.util.regex.Matcher m = MATCHER.matcher(body);
        int at = 0;
        while (at < body.length() && m.find(at) && m.start() == at) {
            String value = m.group(3).replace("\\\"", "\"").replace("\\\\", "\\");
            out.add(new Matcher(m.group(1), m.group(2), value));
            at = m.end();
        }
        if (!body.substring(at).isBlank()) {
            throw new IllegalArgumentException("cannot read label matchers {" + body + "}");
        }
        return out;
    }

    private static boolean identifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == ':';
    }

    private String identifier() {
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'
                || s.charAt(i) == ':')) {
            i++;
        }
        return s.substring(start, i);
    }

    private char nextNonSpace() {
        int j = i;
        while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
            j++;
        }
        return j < s.length() ? s.charAt(j) : '\0';
    }

    /** After by/without/on/ignoring/group_left/group_right: skips {@code (label, ...)} if it follows. */
    private void skipLabelList() {
        if (nextNonSpace() == '(') {
            skipTo(')');
        }
    }

    /** Skips to just past the next {@code close}, stepping over strings on the way. */
    private void skipTo(char close) {
        i++;
        while (i < s.length() && s.charAt(i) != close) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                skipString(c);
            } else {
                i++;
            }
        }
        i++;
    }

    private void skipString(char quote) {
        i++;
        while (i < s.length() && s.charAt(i) != quote) {
            i += s.charAt(i) == '\\' && quote != '`' ? 2 : 1;
        }
        i++;
    }

    private void skipVariable() {
        i++;
        if (i < s.length() && s.charAt(i) == '{') {
            skipTo('}');
        } else {
            identifier();
        }
    }
}
