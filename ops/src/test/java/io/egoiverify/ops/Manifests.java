package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The objects {@code kubectl kustomize} renders from one kustomization folder, parsed. */
record Manifests(String name, List<JsonNode> objects) {

    static Manifests render(ExternalTool kubectl, String folder) throws Exception {
        Path dir = Kit.KUBERNETES.resolve(folder);
        String yaml = kubectl.run(dir, Duration.ofSeconds(60), "kustomize", ".").ok();
        // newer kustomize prints deprecation warnings (bases, patchesStrategicMerge) after the documents
        yaml = yaml.lines().filter(l -> !l.startsWith("# Warning:")).reduce("", (a, b) -> a + b + "\n");
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> it = KitMetricNames.YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode o = it.next();
                if (o != null && o.isObject()) {
                    objects.add(o);
                }
            }
        }
        if (objects.isEmpty()) {
            fail("kubectl kustomize " + folder + " rendered nothing");
        }
        return new Manifests(folder, objects);
    }

    @Override
    public String toString() {
        return name;
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).findFirst();
    }

    JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(this.name + " renders no " + kind + " " + name));
    }

    /** The object of {@code kind} whose name ends with {@code suffix} (an overlay may add a name prefix). */
    JsonNode named(String kind, String suffix) {
        List<JsonNode> found = ofKind(kind).stream()
                .filter(o -> o.path("metadata").path("name").asText().endsWith(suffix)).toList();
        if (found.size() != 1) {
            fail(name + " renders " + found.size() + " " + kind + " named *" + suffix);
        }
        return found.get(0);
    }

    /** Workloads with a pod template: StatefulSets, Deployments, Jobs, CronJobs. */
    List<JsonNode> workloads() {
        List<JsonNode> out = new ArrayList<>(ofKind("StatefulSet"));
        out.addAll(ofKind("Deployment"));
        out.addAll(ofKind("Job"));
        out.addAll(ofKind("CronJob"));
        return out;
    }

    /** The namespace the objects are rendered into ({@code default} when the kustomization sets none). */
    String namespace() {
        return objects.stream().map(o -> o.path("metadata").path("namespace").asText("")).filter(n -> !n.isEmpty())
                .findFirst().orElse("default");
    }

    static String nameOf(JsonNode o) {
        return o.path("metadata").path("name").asText();
    }

    static JsonNode podSpec(JsonNode workload) {
        JsonNode spec = workload.path("spec");
        if ("CronJob".equals(workload.path("kind").asText())) {
            spec = spec.path("jobTemplate").path("spec");
        }
        return spec.path("template").path("spec");
    }

    /** Init containers, then containers. */
    static List<JsonNode> containers(JsonNode workload) {
        List<JsonNode> out = new ArrayList<>();
        podSpec(workload).path("initContainers").forEach(out::add);
        podSpec(workload).path("containers").forEach(out::add);
        return out;
    }

    static JsonNode mainContainer(JsonNode workload) {
        return podSpec(workload).path("containers").get(0);
    }
}
