package io.egoiverify.lifecycle.streams.bench;

import com.sun.management.OperatingSystemMXBean;
import io.egoiverify.lifecycle.streams.BoundedRocksDbMemory;
import io.egoiverify.lifecycle.streams.LifecycleOptions;
import io.egoiverify.lifecycle.streams.LifecycleService;
import io.egoiverify.lifecycle.streams.StatusQuery;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One lifecycle instance of the memory benchmark, in its own JVM so that its RSS is its own (the broker, the
 * producer and the echo worker live in the coordinator, {@link MemoryBenchmark}). It talks to the coordinator over
 * stdin/stdout: every line it writes for the coordinator starts with {@value #PREFIX} and is one JSON object.
 *
 * <p>Arguments: bootstrap servers, state directory, RocksDB budget in MiB (0 = RocksDB's per-store defaults), a
 * comma-separated list of request ids whose status query is probed until each answers (found or not found), and
 * optionally a RocksDB variant ({@link RocksDbBenchSetter}).
 * Commands on stdin: {@code sample}, {@code gc} (full GC first, so that heap used is the live heap), {@code close}.
 */
public final class MemoryBenchInstance {
    static final String PREFIX = "BENCH ";
    /** The RocksDB figures of Kafka Streams' state metrics (recording level INFO) that tell memory and size. */
    private static final List<String> ROCKS = List.of("block-cache-capacity", "block-cache-usage",
            "block-cache-pinned-usage", "size-all-mem-tables", "cur-size-all-mem-tables", "estimate-table-readers-mem",
            "total-sst-files-size", "live-sst-files-size", "estimate-num-keys", "num-immutable-mem-table");
    /** Kafka Streams' RocksDB property metrics (INFO) traced during the restore. */
    private static final List<String> TRACED = List.of("num-immutable-mem-table", "mem-table-flush-pending",
            "num-running-flushes", "num-running-compactions", "estimate-pending-compaction-bytes",
            "size-all-mem-tables");
    private static final List<String> TRACE_COLUMNS = List.of("ms", "restored", "cpuMs", "immutableMemtables",
            "immutableMemtablesMaxStore", "storesWith2Immutable", "flushPending", "runningFlushes",
            "runningCompactions", "pendingCompactionBytes", "memtableBytes", "sstFiles", "sstFilesMaxStore",
            "sstBytes", "flushes", "compactions", "statStallMs", "dbStatsStallMsSum", "storesWriteStopped");
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");

    private MemoryBenchInstance() {
    }

    public static void main(String[] args) throws Exception {
        long startedMs = System.currentTimeMillis();
        String bootstrap = args[0];
        Path stateDir = Path.of(args[1]);
        String variant = args.length > 4 ? args[4] : "";
        int rocksDbMb = Integer.parseInt(RocksDbBenchSetter.parse(variant).getOrDefault("mb", args[2]));
        List<String> probes = Arrays.asList(args[3].split(","));
        Files.createDirectories(stateDir);
        LifecycleService service = new LifecycleService(LifecycleOptions.of(MemoryBenchConfig.topics(),
                MemoryBenchConfig.lifecycle()));
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:1");
        // The same budget setting the application adds for lifecycle.rocksdb-memory-mb > 0 (AppRuntime); the setter is
        // the bench's, which applies BoundedRocksDbMemory as is unless the variant changes its split, and counts.
        if (rocksDbMb > 0) {
            props.put(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, rocksDbMb * 1024L * 1024L);
        }
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, RocksDbBenchSetter.class.getName());
        props.put(RocksDbBenchSetter.VARIANT_CONFIG, variant + ",mb=" + rocksDbMb);
        emit(Map.of("event", "jvmStarted", "atMs", startedMs, "pid", ProcessHandle.current().pid(),
                "variant", variant));
        service.start(props);
        long streamsStarted = System.currentTimeMillis();
        emit(Map.of("event", "streamsStarted", "atMs", streamsStarted, "cpuMs", cpuMs()));
        Thread watcher = new Thread(() -> watch(service, probes), "bench-watcher");
        watcher.setDaemon(true);
        watcher.start();
        Thread tracer = new Thread(() -> trace(service, stateDir, streamsStarted), "bench-tracer");
        tracer.setDaemon(true);
        tracer.start();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String command = line.trim();
            if (command.equals("sample")) {
                emit(sample(service, "sample"));
            } else if (command.equals("gc")) {
                System.gc();
                Thread.sleep(500); // the measurement's method: a pause between two full GCs, no condition to await
                System.gc();
                emit(sample(service, "gcSample"));
            } else if (command.equals("close")) {
                break;
            }
        }
        long closing = System.currentTimeMillis();
        boolean closed = service.close(Duration.ofSeconds(60));
        emit(Map.of("event", "closed", "inTime", closed, "closeMs", System.currentTimeMillis() - closing));
        System.exit(0); // lingering Kafka client threads would otherwise keep the JVM up
    }

    /** Reports each state change, then the moment every probed request id answers (found or not found). */
    private static void watch(LifecycleService service, List<String> probes) {
        StatusQuery query = new StatusQuery(service, "localhost", 1);
        KafkaStreams.State last = null;
        Long firstAnswer = null;
        boolean allAnswered = false;
        try {
            while (true) {
                KafkaStreams.State now = service.state();
                if (now != last) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("event", "state");
                    e.put("state", now.name());
                    e.put("atMs", System.currentTimeMillis());
                    e.put("restoreConsumed", restoreConsumed(service.kafkaStreams()));
                    e.put("cpuMs", cpuMs());
                    emit(e);
                    last = now;
                }
                if (!allAnswered) {
                    int answered = 0;
                    int found = 0;
                    for (String id : probes) {
                        StatusQuery.Answer a = query.lookup(id);
                        if (a instanceof StatusQuery.Found) {
                            found++;
                        }
                        if (a instanceof StatusQuery.Found || a instanceof StatusQuery.NotFound) {
                            answered++;
                        }
                    }
                    long at = System.currentTimeMillis();
                    if (answered > 0 && firstAnswer == null) {
                        firstAnswer = at;
                        emit(Map.of("event", "firstAnswer", "atMs", at, "found", found));
                    }
                    if (answered == probes.size()) {
                        allAnswered = true;
                        emit(Map.of("event", "allAnswered", "atMs", at, "found", found, "probes", probes.size(),
                                "restoreConsumed", restoreConsumed(service.kafkaStreams()), "cpuMs", cpuMs()));
                    }
                }
                // the sampling pace of the probes: the benchmark records when each answer first came (to 50 ms),
                // so it polls rather than waits for a condition
                Thread.sleep(allAnswered ? 200 : 50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Once a second until RUNNING: what RocksDB is doing during the restore (Kafka Streams' RocksDB property metrics,
     * summed or maxed over the stores, the SST files in the state directory and the instruments' counters); then one
     * {@code restoreTrace} event with the rows and the counters at RUNNING.
     */
    private static void trace(LifecycleService service, Path stateDir, long streamsStarted) {
        List<Object> rows = new ArrayList<>();
        try {
            while (service.state() != KafkaStreams.State.RUNNING) {
                rows.add(traceRow(service.kafkaStreams(), stateDir, streamsStarted));
                Thread.sleep(1000); // the trace's pace, not a wait for a condition
            }
            rows.add(traceRow(service.kafkaStreams(), stateDir, streamsStarted));
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("event", "restoreTrace");
            e.put("atMs", System.currentTimeMillis());
            e.put("settings", new TreeMap<>(RocksDbBenchSetter.INSTRUMENTS.settings));
            Map<String, Object> counters = RocksDbBenchSetter.INSTRUMENTS.snapshot();
            long[] stalls = RocksDbBenchSetter.INSTRUMENTS.dbStalls();
            counters.put("dbStatsCumulativeStallMsSum", stalls[0]);
            counters.put("dbStatsStores", stalls[2]);
            e.put("counters", counters);
            e.put("columns", TRACE_COLUMNS);
            e.put("rows", rows);
            emit(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            emit(Map.of("event", "restoreTraceError", "error", String.valueOf(e)));
        }
    }

    private static List<Object> traceRow(KafkaStreams streams, Path stateDir, long streamsStarted) throws Exception {
        Map<String, double[]> agg = new TreeMap<>(); // name -> {sum, max, stores at >= 2}
        if (streams != null) {
            for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
                MetricName n = e.getKey();
                if (n.group().equals("stream-state-metrics") && TRACED.contains(n.name())
                        && e.getValue().metricValue() instanceof Number v) {
                    double x = v.doubleValue();
                    double[] a = agg.computeIfAbsent(n.name(), k -> new double[3]);
                    a[0] += x;
                    a[1] = Math.max(a[1], x);
                    a[2] += x >= 2 ? 1 : 0;
                }
            }
        }
        long files = 0;
        long bytes = 0;
        Map<Path, Long> perStore = new HashMap<>();
        if (Files.isDirectory(stateDir)) {
            try (Stream<Path> paths = Files.walk(stateDir)) {
                for (Path p : paths.filter(p -> p.toString().endsWith(".sst")).toList()) {
                    files++;
                    perStore.merge(p.getParent(), 1L, Long::sum);
                    try {
                        bytes += Files.size(p);
                    } catch (IOException gone) {
                        // deleted by a compaction meanwhile
                    }
                }
            } catch (UncheckedIOException gone) {
                // a file or directory went away during the walk: the row has what was seen
            }
        }
        Map<String, Object> c = RocksDbBenchSetter.INSTRUMENTS.snapshot();
        long[] stalls = RocksDbBenchSetter.INSTRUMENTS.dbStalls();
        double[] none = new double[3];
        return List.of(System.currentTimeMillis() - streamsStarted, (long) restoreConsumed(streams), cpuMs(),
                (long) agg.getOrDefault("num-immutable-mem-table", none)[0],
                (long) agg.getOrDefault("num-immutable-mem-table", none)[1],
                (long) agg.getOrDefault("num-immutable-mem-table", none)[2],
                (long) agg.getOrDefault("mem-table-flush-pending", none)[0],
                (long) agg.getOrDefault("num-running-flushes", none)[0],
                (long) agg.getOrDefault("num-running-compactions", none)[0],
                (long) agg.getOrDefault("estimate-pending-compaction-bytes", none)[0],
                (long) agg.getOrDefault("size-all-mem-tables", none)[0], files,
                perStore.values().stream().mapToLong(Long::longValue).max().orElse(0), bytes,
                c.get("flushes"), c.get("compactions"), c.getOrDefault("statStallMs", -1L), stalls[0], stalls[1]);
    }

    /** Records the restore consumer has read since this JVM started: the changelog records restored. */
    private static double restoreConsumed(KafkaStreams streams) {
        if (streams == null) {
            return 0;
        }
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName n = e.getKey();
            String client = n.tags().getOrDefault("client-id", "");
            if (n.name().equals("records-consumed-total") && client.endsWith("restore-consumer")
                    && !n.tags().containsKey("topic") && e.getValue().metricValue() instanceof Number v) {
                sum += v.doubleValue();
            }
        }
        return sum;
    }

    private static Map<String, Object> sample(LifecycleService service, String event) throws Exception {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("event", event);
        s.put("atMs", System.currentTimeMillis());
        s.put("state", service.state().name());
        s.put("cpuMs", cpuMs());
        s.putAll(procStatus());
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        s.put("heapUsedBytes", heap.getUsed());
        s.put("heapCommittedBytes", heap.getCommitted());
        s.put("nonHeapUsedBytes", ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed());
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            direct += pool.getMemoryUsed();
        }
        s.put("bufferPoolsBytes", direct);
        s.putAll(nmtTotal());
        s.put("restoreConsumed", restoreConsumed(service.kafkaStreams()));
        s.put("rocksdb", rocksDb(service.kafkaStreams()));
        s.put("rocksdbCounters", RocksDbBenchSetter.INSTRUMENTS.snapshot());
        return s;
    }

    /** CPU time of this process so far (all threads): unlike wall time, hardly changed by other load. */
    private static long cpuMs() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
    }

    /** VmRSS, RssAnon, RssFile and VmHWM of this process, in KiB. */
    private static Map<String, Object> procStatus() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            for (String key : List.of("VmRSS", "RssAnon", "RssFile", "VmHWM")) {
                if (line.startsWith(key + ":")) {
                    m.put(key + "Kb", Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        }
        return m;
    }

    /** Native Memory Tracking's total (the JVM's own memory: heap, metaspace, threads, code); none without NMT. */
    private static Map<String, Object> nmtTotal() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher m = NMT_TOTAL.matcher(String.valueOf(out));
            if (m.find()) {
                return Map.of("nmtReservedKb", Long.parseLong(m.group(1)), "nmtCommittedKb",
                        Long.parseLong(m.group(2)));
            }
        } catch (Exception e) {
            // NMT off or the command unavailable: the sample simply has no NMT figure
        }
        return Map.of();
    }

    /**
     * Each RocksDB figure summed over the stores, and its largest single-store value (with one shared cache every
     * store reports the same cache, so the sum counts it once per store and the max is the cache), and the number of
     * stores reporting; estimate-num-keys also per store name.
     */
    private static Map<String, Object> rocksDb(KafkaStreams streams) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (streams == null) {
            return out;
        }
        Map<String, double[]> agg = new TreeMap<>(); // name -> {sum, max, count}
        Map<String, Double> keysByStore = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName n = e.getKey();
            if (!n.group().equals("stream-state-metrics") || !ROCKS.contains(n.name())
                    || !(e.getValue().metricValue() instanceof Number v)) {
                continue;
            }
            double x = v.doubleValue();
            double[] a = agg.computeIfAbsent(n.name(), k -> new double[3]);
            a[0] += x;
            a[1] = Math.max(a[1], x);
            a[2]++;
            if (n.name().equals("estimate-num-keys")) {
                keysByStore.merge(n.tags().getOrDefault("rocksdb-state-id", "?"), x, Double::sum);
            }
        }
        agg.forEach((k, a) -> out.put(k, Map.of("sum", (long) a[0], "max", (long) a[1], "stores", (long) a[2])));
        out.put("keysByStore", keysByStore);
        return out;
    }

    static void emit(Map<String, ?> event) {
        String line = PREFIX + LifecycleBenchmark.json(event);
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
