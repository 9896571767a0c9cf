package io.egoiverify.lifecycle.streams.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs the streams-state benchmarks and writes {@code target/bench/lifecycle-bench.{json,md}} (see README):
 * <pre>
 * mvn -B -o -pl streams-state test-compile org.codehaus.mojo:exec-maven-plugin:3.6.3:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.egoiverify.lifecycle.streams.bench.LifecycleBenchmark [-Dexec.args="1000000 100000"]
 * </pre>
 * Arguments: live verifications for the punctuation runs (default 1,000,000; 0 skips them), events per input kind
 * for the throughput run (default 100,000; three kinds; 0 skips it). {@code -Dbench.guarded=true} runs the throughput
 * with per-number limits on (every request a distinct number, so none is refused: the cost of the guard round trip);
 * with it, {@code -Dbench.guardIssuesCommands=true|false} chooses who issues the granted sends (default: the lifecycle).
 */
public final class LifecycleBenchmark {
    private LifecycleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int live = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int perKind = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("date", Instant.now().toString());
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("java", System.getProperty("java.version"));

        if (live > 0) {
            PunctuationBenchmark punctuation = new PunctuationBenchmark(live);
            try {
                // Deadlines of the due-fraction runs lie in the recent past, the "live" ones a day ahead of the real
                // clock, so that the real-time expiry-lag run that follows finds only what it arms itself.
                punctuation.dueFractions(Instant.now().minusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
                punctuation.expiryLag(live / 10, 20_000);
            } finally {
                punctuation.close();
            }
            report.put("punctuation", punctuation.results);
            System.out.println("punctuation: " + punctuation.results);
        }

        if (perKind > 0) {
            ThroughputBenchmark throughput = new ThroughputBenchmark(Boolean.getBoolean("bench.guarded"));
            throughput.run(perKind);
            report.put("throughput", throughput.results);
            System.out.println("throughput: " + throughput.results);
        }

        Path dir = Path.of(System.getProperty("bench.dir",
                Files.isDirectory(Path.of("streams-state")) ? "streams-state/target/bench" : "target/bench"));
        Files.createDirectories(dir);
        String name = Boolean.getBoolean("bench.guarded") ? "lifecycle-bench-guarded" : "lifecycle-bench";
        Files.writeString(dir.resolve(name + ".json"), json(report) + "\n");
        Files.writeString(dir.resolve(name + ".md"), "# streams-state benchmark\n\n```\n"
                + json(report) + "\n```\n");
        System.out.println("report written to " + dir.toAbsolutePath());
        System.exit(0); // exec:java would otherwise wait for lingering Kafka client threads
    }

    static String json(Object o) {
        if (o instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
                    .append(json(v)));
            return b.append('}').toString();
        } else if (o instanceof List<?> l) {
            return l.stream().map(LifecycleBenchmark::json).collect(Collectors.joining(", ", "[", "]"));
        } else if (o instanceof Number || o instanceof Boolean) {
            return o.toString();
        }
        return '"' + String.valueOf(o).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
