package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment a container of a rendered workload gets, as Kubernetes builds it: {@code envFrom} ConfigMaps in
 * order, then {@code env} entries (later wins), {@code fieldRef}s resolved for one pod, {@code $(VAR)} references to
 * variables defined before expanded.
 */
final class PodEnv {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private PodEnv() {
    }

    /**
     * @param podName the pod's name (a StatefulSet's pods: {@code <name>-<ordinal>})
     */
    static Map<String, String> of(Manifests m, JsonNode container, String podName) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("configMapRef")) {
                String name = from.path("configMapRef").path("name").asText();
                m.get("ConfigMap", name).path("data").fields()
                        .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            } else {
                fail("envFrom other than a ConfigMap in " + container.path("name").asText() + ": " + from);
            }
        }
        for (JsonNode e : container.path("env")) {
            String name = e.path("name").asText();
            if (e.has("value")) {
                env.put(name, expand(e.path("value").asText(), env, name));
            } else if (e.path("valueFrom").has("fieldRef")) {
                env.put(name, field(e.path("valueFrom").path("fieldRef").path("fieldPath").asText(), m, podName));
            } else {
                fail(name + " takes its value from " + e.path("valueFrom") + ": secrets come as files (..._FILE)");
            }
        }
        return env;
    }

    /**
     * {@code env} plus the variables the kubelet adds for every Service of the namespace that has a cluster IP, unless
     * the pod sets {@code enableServiceLinks: false}: {@code <NAME>_SERVICE_HOST}, {@code <NAME>_SERVICE_PORT[_<PORT>]},
     * {@code <NAME>_PORT} and {@code <NAME>_PORT_<n>_<PROTO>[_PROTO|_PORT|_ADDR]}, the name upper-cased with {@code -}
     * as {@code _}. A variable the container defines itself wins.
     */
    static Map<String, String> withServiceLinks(Manifests m, JsonNode workload, Map<String, String> env) {
        if (!Manifests.podSpec(workload).path("enableServiceLinks").asBoolean(true)) {
            return env;
        }
        Map<String, String> links = new LinkedHashMap<>();
        String ip = "10.96.0.17";
        for (JsonNode service : m.ofKind("Service")) {
            if ("None".equals(service.path("spec").path("clusterIP").asText())) {
                continue;
            }
            String name = Manifests.nameOf(service).toUpperCase(Locale.ROOT).replace('-', '_');
            JsonNode ports = service.path("spec").path("ports");
            links.put(name + "_SERVICE_HOST", ip);
            for (int i = 0; i < ports.size(); i++) {
                JsonNode port = ports.get(i);
                String number = port.path("port").asText();
                String protocol = port.path("protocol").asText("TCP");
                String url = protocol.toLowerCase(Locale.ROOT) + "://" + ip + ":" + number;
                if (i == 0) {
                    links.put(name + "_SERVICE_PORT", number);
                    links.put(name + "_PORT", url);
                }
                if (port.hasNonNull("name")) {
                    links.put(name + "_SERVICE_PORT_" + port.path("name").asText().toUpperCase(Locale.ROOT)
                            .replace('-', '_'), number);
                }
                String prefix = name + "_PORT_" + number + "_" + protocol;
                links.put(prefix, url);
                links.put(prefix + "_PROTO", protocol.toLowerCase(Locale.ROOT));
                links.put(prefix + "_PORT", number);
                links.put(prefix + "_ADDR", ip);
            }
        }
        links.putAll(env);
        return links;
    }

    private static String field(String path, Manifests m, String podName) {
        return switch (path) {
            case "metadata.name" -> podName;
            case "metadata.namespace" -> m.namespace();
            case "status.podIP" -> "10.1.2.3";
            // Set by the cluster when the pod is bound to a node, if at all: a render has none, so empty.
            case "metadata.labels['topology.kubernetes.io/zone']" -> "";
            default -> throw new AssertionError("unexpected fieldRef " + path);
        };
    }

    private static String expand(String value, Map<String, String> defined, String name) {
        Matcher r = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (r.find()) {
            String ref = r.group(1);
            if (!defined.containsKey(ref)) {
                fail(name + " refers to $(" + ref + "), which is not defined before it (Kubernetes would leave it "
                        + "unexpanded)");
            }
            r.appendReplacement(out, Matcher.quoteReplacement(defined.get(ref)));
        }
        r.appendTail(out);
        return out.toString();
    }

    /**
     * {@code env} with every {@code ..._FILE} path moved to a temporary file holding what the pod would read there:
     * the key of the mounted Secret (or, when the Secret is not rendered, as in the base, {@code placeholder}).
     * Fails when no volume mount provides the path.
     */
    static Map<String, String> withSecretFiles(Manifests m, JsonNode workload, JsonNode container,
                                               Map<String, String> env, Path tmp, String placeholder)
            throws IOException {
        Map<String, String> out = new LinkedHashMap<>(env);
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().endsWith("_FILE")) {
                String content = secretFile(m, workload, container, e.getKey(), e.getValue(), placeholder);
                Path file = Files.createTempFile(tmp, "secret", ".txt");
                Files.writeString(file, content, StandardCharsets.UTF_8);
                out.put(e.getKey(), file.toString());
            }
        }
        return out;
    }

    /** What a pod reads at {@code path}: the item of the Secret mounted over it. */
    static String secretFile(Manifests m, JsonNode workload, JsonNode container, String variable, String path,
                             String placeholder) {
        for (JsonNode mount : container.path("volumeMounts")) {
            String dir = mount.path("mountPath").asText();
            if (!path.startsWith(dir + "/")) {
                continue;
            }
            String file = path.substring(dir.length() + 1);
            JsonNode volume = volume(workload, mount.path("name").asText());
            if (!volume.has("secret")) {
                fail(variable + "=" + path + " is on volume " + mount.path("name").asText() + ", not a Secret");
            }
            String secretName = volume.path("secret").path("secretName").asText();
            String key = file;
            for (JsonNode item : volume.path("secret").path("items")) {
                if (item.path("path").asText().equals(file)) {
                    key = item.path("key").asText();
                }
            }
            List<String> items = volume.path("secret").path("items").findValuesAsText("path");
            if (!items.isEmpty() && !items.contains(file)) {
                fail(variable + "=" + path + ": Secret volume " + mount.path("name").asText() + " projects only "
                        + items);
            }
            var secret = m.find("Secret", secretName);
            if (secret.isEmpty()) {
                return placeholder;
            }
            JsonNode data = secret.get().path("data").path(key);
            if (data.isMissingNode()) {
                fail(variable + "=" + path + ": Secret " + secretName + " has no key " + key);
            }
            return new String(Base64.getMimeDecoder().decode(data.asText()), StandardCharsets.UTF_8).strip();
        }
        fail(variable + "=" + path + " in " + container.path("name").asText() + ": no volume is mounted there");
        throw new AssertionError("unreachable");
    }

    static JsonNode volume(JsonNode workload, String name) {
        for (JsonNode v : Manifests.podSpec(workload).path("volumes")) {
            if (name.equals(v.path("name").asText())) {
                return v;
            }
        }
        for (JsonNode t : workload.path("spec").path("volumeClaimTemplates")) {
            if (name.equals(t.path("metadata").path("name").asText())) {
                return t;
            }
        }
        fail(Manifests.nameOf(workload) + " mounts volume " + name + ", which it does not define");
        throw new AssertionError("unreachable");
    }
}
