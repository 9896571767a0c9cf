package io.egoiverify.app.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egoiverify.app.query.Verifications.Kind;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.testing.KafkaClusterExtension;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Status query latency at a fixed rate (a command, not a test; see app/README.md): an in-process broker, two lifecycle
 * instances (role state, 4 partitions), {@code keys} verifications, then an open-loop client over loopback that sends
 * {@code rate} GETs a second to instance a for {@code seconds}, first for keys a holds (answered from its own state),
 * then for keys b holds (fetched by a from b: one forwarded hop). Latency runs from the instant a request was due to
 * be sent (so that a stall is not hidden by the client waiting: no coordinated omission) to its complete answer.
 *
 * <p>Arguments: {@code [rate] [seconds] [keys] [reportDir]}; defaults 1000 30 2000 target/bench.
 */
public final class StatusQueryBenchmark {
    private static final int PARTITIONS = 4;
    private static final Duration WARM_UP = Duration.ofSeconds(10);

    private StatusQueryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int keys = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Path reportDir = Path.of(args.length > 3 ? args[3] : "target/bench");
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBootstrapMetadataVersion(MetadataVersion.latestProduction()).build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        KafkaClusterExtension.defaultBrokerProperties().forEach(builder::setConfigProp);
        Map<String, Object> report = new LinkedHashMap<>();
        try (KafkaClusterTestKit kit = builder.build()) {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            String prefix = "bench.";
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kit.bootstrapServers()))) {
                admin.createTopics(TopicNames.withPrefix(prefix).all().values().stream()
                        .map(n -> new NewTopic(n, PARTITIONS, (short) 1)).toList()).all().get(60, TimeUnit.SECONDS);
            }
            Map<String, String> deployment = LifecycleInstance.deployment(kit.bootstrapServers(), prefix, Map.of());
            try (LifecycleInstance a = LifecycleInstance.start("a", deployment);
                 LifecycleInstance b = LifecycleInstance.start("b", deployment);
                 Verifications v = new Verifications(kit.bootstrapServers(), a.runtime.topics(), "bench-worker");
                 Load load = new Load()) {
                awaitReady(a, b);
                v.add("", Kind.PENDING, keys / 2).add("", Kind.SENT, keys - keys / 2);
                v.drive(() -> true, Duration.ofSeconds(120));
                Map<String, List<String>> byServed = classify(load, a, v);
                System.out.printf("%d keys: %d held by a, %d by b%n", keys, byServed.get("local").size(),
                        byServed.get("forwarded").size());
                report.put("started", Instant.now().toString());
                report.put("setup", Map.of("rate", rate, "seconds", seconds, "warmUpSeconds", WARM_UP.toSeconds(),
                        "keys", keys, "partitions", PARTITIONS, "instances", 2,
                        "jvm", System.getProperty("java.version"), "cores",
                        Runtime.getRuntime().availableProcessors(), "loadAverageBefore", loadAverage()));
                // What the JVM burns with no query at all (broker, Streams commit loops), to tell the queries' cost.
                long idleStart = System.nanoTime();
                long idleCpu = processCpuNanos();
                TimeUnit.SECONDS.sleep(5);
                load.idleCpuPerSecond = (processCpuNanos() - idleCpu) / ((System.nanoTime() - idleStart) / 1e9);
                report.put("idleProcessCpuCoresUsed", Math.round(load.idleCpuPerSecond / 1e7) / 100.0);
                for (String served : List.of("local", "forwarded")) {  // both paths warm before any is measured
                    load.run(a, byServed.get(served), rate, (int) WARM_UP.toSeconds(), served);
                }
                for (String served : List.of("local", "forwarded")) {
                    List<String> ids = byServed.get(served);
                    Map<String, Object> r = load.run(a, ids, rate, seconds, served);
                    r.put("loadAverageAfter", loadAverage());
                    report.put(served, r);
                    System.out.println(served + ": " + r);
                }
            }
        }
        write(reportDir, rate, seconds, keys, report);
    }

    private static void awaitReady(LifecycleInstance a, LifecycleInstance b) throws InterruptedException {
        long deadline = System.nanoTime() + LifecycleInstance.startTimeout().toNanos();
        while (!(a.runtime.isReady() && b.runtime.isReady())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("instances not ready");
            }
            TimeUnit.MILLISECONDS.sleep(200);   // a command, not a test: plain polling is fine here
        }
    }

    /** Which keys a answers from its own state and which it fetches from b (once every key answers 200). */
    private static Map<String, List<String>> classify(Load load, LifecycleInstance a, Verifications v)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            Map<String, List<String>> by = Map.of("local", new ArrayList<>(), "forwarded", new ArrayList<>());
            boolean all = true;
            for (String id : v.kinds.keySet()) {
                SimpleHttpResponse r = load.get(a, id);
                Header served = r.getFirstHeader(StatusEndpoint.SERVED_HEADER);
                if (r.getCode() != 200 || served == null) {
                    all = false;
                    break;
                }
                by.get(served.getValue()).add(id);
            }
            if (all) {
                return by;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not every key answers 200");
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /** The client: one pooled asynchronous HttpClient 5, connections kept alive, as a registration page's back end. */
    private static final class Load implements AutoCloseable {
        /** CPU nanoseconds per second the JVM uses when no query runs. */
        double idleCpuPerSecond;
        private final CloseableHttpAsyncClient http = HttpAsyncClients.custom()
                // Below the JDK server's cap of 200 idle connections, which it enforces by closing the surplus.
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create().setMaxConnTotal(64)
                        .setMaxConnPerRoute(64).setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setValidateAfterInactivity(TimeValue.ofSeconds(1)).build()).build())
                .evictIdleConnections(TimeValue.ofSeconds(10))
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).setTcpNoDelay(true).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(10)).build())
                .disableAutomaticRetries().build();

        Load() {
            http.start();
        }

        SimpleHttpResponse get(LifecycleInstance i, String id) throws Exception {
            return http.execute(SimpleRequestBuilder.get(URI.create(i.base() + "/verifications/" + id)).build(),
                    null).get(10, TimeUnit.SECONDS);
        }

        /** Sends {@code rate}/s for {@code seconds}, round-robin over {@code ids}; latency from each due instant. */
        Map<String, Object> run(LifecycleInstance target, List<String> ids, int rate, int seconds, String served)
                throws InterruptedException {
            int n = rate * seconds;
            long[] latency = new long[n];
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger otherServed = new AtomicInteger();
            Map<Integer, AtomicInteger> codes = new java.util.concurrent.ConcurrentHashMap<>();
            Map<String, AtomicInteger> failures = new java.util.concurrent.ConcurrentHashMap<>();
            CountDownLatch done = new CountDownLatch(n);
            long period = TimeUnit.SECONDS.toNanos(1) / rate;
            long cpuBefore = processCpuNanos();
            long gcBefore = gcMillis();
            Jitter jitter = Jitter.start();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            for (int i = 0; i < n; i++) {
                long due = start + i * period;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                int slot = i;
                String id = ids.get(i % ids.size());
                http.execute(SimpleRequestBuilder.get(URI.create(target.base() + "/verifications/" + id)).build(),
                        new FutureCallback<>() {
                            @Override
                            public void completed(SimpleHttpResponse r) {
                                latency[slot] = System.nanoTime() - due;
                                codes.computeIfAbsent(r.getCode(), c -> new AtomicInteger()).incrementAndGet();
                                Header h = r.getFirstHeader(StatusEndpoint.SERVED_HEADER);
                                if (h == null || !served.equals(h.getValue())) {
                                    otherServed.incrementAndGet();
                                } else if (r.getCode() == 200) {
                                    ok.incrementAndGet();
                                }
                                done.countDown();
                            }

                            @Override
                            public void failed(Exception e) {
                                latency[slot] = System.nanoTime() - due;
                                codes.computeIfAbsent(-1, c -> new AtomicInteger()).incrementAndGet();
                                failures.computeIfAbsent(e == null ? "cancelled" : e.getClass().getSimpleName(),
                                        c -> new AtomicInteger()).incrementAndGet();
                                done.countDown();
                            }

                            @Override
                            public void cancelled() {
                                failed(null);
                            }
                        });
            }
            long sent = System.nanoTime() - start;
            done.await(60, TimeUnit.SECONDS);
            long cpu = processCpuNanos() - cpuBefore;
            long[] stalls = jitter.stop();
            double elapsed = (System.nanoTime() - start) / 1e9;
            long[] sorted = latency.clone();
            Arrays.sort(sorted);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("requests", n);
            r.put("achievedRatePerSecond", Math.round(n / (sent / 1e9)));
            r.put("ok200", ok.get());
            r.put("answersByStatus", new java.util.TreeMap<>(codes));
            r.put("clientFailures", new java.util.TreeMap<>(failures));
            r.put("gcMillis", gcMillis() - gcBefore);
            // How late a thread that only sleeps 1 ms wakes up: what the machine alone adds to any latency here.
            r.put("wakeUpLatenessP99Ms", ms(stalls, 0.99));
            r.put("wakeUpLatenessMaxMs", ms(stalls, 1.0));
            // Share of the phase during which that thread overslept by more than 5 ms: requests due then wait too.
            long stalled = Arrays.stream(stalls).filter(l -> l > 5_000_000).sum();
            r.put("stalledTimePercent", Math.round(stalled / (elapsed * 1e9) * 1e4) / 100.0);
            r.put("servedOtherwise", otherServed.get());
            // the whole JVM: broker, both instances (Streams commits included) and the client
            r.put("processCpuCoresUsed", Math.round(cpu / elapsed / 1e7) / 100.0);
            r.put("queryCpuMsPerRequest", Math.round((cpu - idleCpuPerSecond * elapsed) / 1e3 / n) / 1000.0);
            r.put("p50Ms", ms(sorted, 0.50));
            r.put("p90Ms", ms(sorted, 0.90));
            r.put("p99Ms", ms(sorted, 0.99));
            r.put("p999Ms", ms(sorted, 0.999));
            r.put("maxMs", ms(sorted, 1.0));
            return r;
        }

        private static double ms(long[] sorted, double q) {
            int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
            return Math.round(sorted[i] / 1e4) / 100.0;
        }

        @Override
        public void close() {
            http.close(CloseMode.GRACEFUL);
        }
    }

    /** A thread that sleeps 1 ms at a time and records how late it wakes up (sorted on stop). */
    private static final class Jitter {
        private final long[] late = new long[600_000];
        private volatile boolean running = true;
        private int count;
        private Thread thread;

        static Jitter start() {
            Jitter j = new Jitter();
            j.thread = new Thread(() -> {
                while (j.running && j.count < j.late.length) {
                    long before = System.nanoTime();
                    LockSupport.parkNanos(1_000_000);
                    j.late[j.count++] = Math.max(0, System.nanoTime() - before - 1_000_000);
                }
            }, "bench-jitter");
            j.thread.setDaemon(true);
            j.thread.start();
            return j;
        }

        long[] stop() throws InterruptedException {
            running = false;
            thread.join();
            long[] sorted = Arrays.copyOf(late, Math.max(1, count));
            Arrays.sort(sorted);
            return sorted;
        }
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "n/a";
        }
    }

    private static void write(Path dir, int rate, int seconds, int keys, Map<String, Object> report)
            throws Exception {
        Files.createDirectories(dir);
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        Files.writeString(dir.resolve("status-query.json"), json + "\n", StandardCharsets.UTF_8);
        StringBuilder md = new StringBuilder("# Status query benchmark\n\n");
        md.append("Command: `mvn -B -ntp -o -pl app -am -Pstatus-bench -DskipTests -DskipITs test "
                + "-Dbench.args=\"").append(rate).append(' ').append(seconds).append(' ').append(keys)
                .append(" <dir>\"`\n\n");
        md.append("Open-loop client over loopback at ").append(rate).append(" GET/s to instance a, ")
                .append(seconds).append(" s per phase after a ").append(WARM_UP.toSeconds())
                .append(" s warm-up of each path; latency from each request's due instant to its complete answer. ")
                .append("Broker, both instances and the client share one JVM on this machine.\n\n");
        md.append("| keys | answers 200 | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | target p99 | sleeper's ")
                .append("wake-up lateness p99 ms | time stalled > 5 ms | load average after |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String served : List.of("local", "forwarded")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) report.get(served);
            md.append("| ").append(served).append(" | ").append(r.get("ok200")).append(" / ")
                    .append(r.get("requests")).append(" | ").append(r.get("p50Ms")).append(" | ")
                    .append(r.get("p90Ms")).append(" | ").append(r.get("p99Ms")).append(" | ")
                    .append(r.get("p999Ms")).append(" | ").append(r.get("maxMs")).append(" | ")
                    .append(served.equals("local") ? "≤ 10 ms" : "≤ 30 ms").append(" | ")
                    .append(r.get("wakeUpLatenessP99Ms")).append(" | ").append(r.get("stalledTimePercent"))
                    .append(" % | ").append(r.get("loadAverageAfter"))
                    .append(" |\n");
        }
        md.append("\n```json\n").append(json).append("\n```\n");
        Files.writeString(dir.resolve("status-query.md"), md.toString(), StandardCharsets.UTF_8);
        System.out.println("report: " + dir.toAbsolutePath().resolve("status-query.md"));
    }
}
