package io.egoiverify.lifecycle.streams.bench;

import io.egoiverify.events.VerificationExpired;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.Status;
import io.egoiverify.lifecycle.VerificationState;
import io.egoiverify.lifecycle.streams.BenchAccess;
import io.egoiverify.lifecycle.streams.LifecycleTopology;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Punctuation cost and expiry lag of the real processor over RocksDB stores holding {@code live} verifications,
 * driven through Kafka Streams' MockProcessorContext (no broker: this isolates the punctuation path).
 */
final class PunctuationBenchmark {
    private static final String PREFIX = "bench-";
    private final int live;
    private final LifecycleConfig config = LifecycleConfig.defaults();
    private final MockProcessorContext<String, Object> context;
    private final KeyValueStore<String, VerificationState> verifications;
    private final KeyValueStore<Bytes, byte[]> deadlines;
    private final Processor<String, Object, String, Object> processor;
    final Map<String, Object> results = new LinkedHashMap<>();

    PunctuationBenchmark(int live) throws Exception {
        this.live = live;
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        java.io.File stateDir = Files.createTempDirectory("lifecycle-bench").toFile();
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        context = new MockProcessorContext<>(props, new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir);
        verifications = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(
                LifecycleTopology.VERIFICATIONS_STORE), Serdes.String(), BenchAccess.stateSerde())
                .withLoggingDisabled().build();
        deadlines = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LifecycleTopology.DEADLINES_STORE),
                Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
        verifications.init(context.getStateStoreContext(), verifications);
        deadlines.init(context.getStateStoreContext(), deadlines);
        context.addStateStore(verifications);
        context.addStateStore(deadlines);
        processor = BenchAccess.processor(config);
        processor.init(context);
    }

    private void put(int i, Instant wakeAt) {
        String id = PREFIX + i;
        VerificationState s = VerificationState.builder(id, Status.SENT, wakeAt).metadata(Map.of("user", "u" + i))
                .senderProfile("default").phoneMasked("+351*******00").codeSize(6).ttlSeconds(60).maxAttempts(5)
                .providerRequestId("egoi-" + i).expiresAt(wakeAt).build();
        verifications.put(id, s);
        deadlines.put(BenchAccess.deadlineKey(wakeAt, id), BenchAccess.noValue());
    }

    /**
     * Entries 0..1% fall due at {@code t1}, the next 10% at {@code t2}, the rest a day later; then three scans.
     */
    void dueFractions(Instant base) {
        long start = System.nanoTime();
        int onePercent = live / 100;
        int tenPercent = live / 10;
        Instant t1 = base.plusSeconds(10);
        Instant t2 = base.plusSeconds(20);
        for (int i = 0; i < live; i++) {
            Instant wake = i < onePercent ? t1.minusMillis(i % 1000)
                    : i < onePercent + tenPercent ? t2.minusMillis(i % 1000) : base.plusSeconds(86_400 + i % 3600);
            put(i, wake);
        }
        results.put("live", live);
        results.put("populateSeconds", (System.nanoTime() - start) / 1e9);
        results.put("due0", scan(base.toEpochMilli(), 200));
        results.put("due1pct", drain(t1.toEpochMilli(), onePercent));
        results.put("due10pct", drain(t2.toEpochMilli(), tenPercent));
        results.put("due0AfterDrains", scan(t2.toEpochMilli() + 1, 200));
    }

    /** {@code repeats} punctuations with nothing due. */
    private Map<String, Object> scan(long at, int repeats) {
        List<Long> nanos = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            long s = System.nanoTime();
            int handled = BenchAccess.punctuate(processor, at);
            nanos.add(System.nanoTime() - s);
            if (handled != 0) {
                throw new IllegalStateException("expected nothing due, handled " + handled);
            }
        }
        return Map.of("entriesDue", 0, "punctuations", repeats, "meanMicros", mean(nanos) / 1e3,
                "p99Micros", pct(nanos, 0.99) / 1e3);
    }

    /** Punctuates at {@code at} until {@code expected} entries are handled (the cap splits the work). */
    private Map<String, Object> drain(long at, int expected) {
        List<Long> nanos = new ArrayList<>();
        int handled = 0;
        while (handled < expected) {
            long s = System.nanoTime();
            int n = BenchAccess.punctuate(processor, at);
            nanos.add(System.nanoTime() - s);
            context.resetForwards();
            if (n == 0) {
                throw new IllegalStateException("drained only " + handled + " of " + expected);
            }
            handled += n;
        }
        long total = nanos.stream().mapToLong(Long::longValue).sum();
        return Map.of("entriesDue", expected, "punctuations", nanos.size(), "cap", config.maxDuePerPunctuation(),
                "totalMillis", total / 1e6, "meanMillisPerPunctuation", mean(nanos) / 1e6,
                "maxMillisPerPunctuation", pct(nanos, 1.0) / 1e6, "microsPerDueEntry", total / 1e3 / expected);
    }

    /**
     * Real wall clock: {@code count} live entries are re-armed to fall due uniformly over {@code windowMillis}; the
     * punctuator runs every punctuationInterval; lag = end of the punctuation that forwarded VerificationExpired
     * minus the deadline.
     */
    void expiryLag(int count, long windowMillis) throws InterruptedException {
        long interval = config.punctuationInterval().toMillis();
        long begin = System.currentTimeMillis() + 2_000;
        Map<String, Long> deadlineOf = new java.util.HashMap<>();
        int first = live - count; // far-future entries; re-arm them (old index entries are stale and self-heal)
        for (int i = first; i < live; i++) {
            long d = begin + (long) (i - first) * windowMillis / count;
            put(i, Instant.ofEpochMilli(d));
            deadlineOf.put(PREFIX + i, d);
        }
        List<Long> lags = new ArrayList<>();
        List<Long> punctuationNanos = new ArrayList<>();
        long end = begin + windowMillis + 2_000;
        // The punctuator's own cadence, on a fixed-rate scheduler (as Kafka Streams runs a wall-clock punctuator),
        // until the window has passed; the lists are only touched by its one thread until it has terminated.
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        ScheduledFuture<?> ticks = clock.scheduleAtFixedRate(() -> {
            long ts = System.currentTimeMillis();
            context.setCurrentSystemTimeMs(ts);
            long s = System.nanoTime();
            BenchAccess.punctuate(processor, ts);
            punctuationNanos.add(System.nanoTime() - s);
            long published = System.currentTimeMillis();
            for (var f : context.forwarded()) {
                if (f.record().value() instanceof VerificationExpired e) {
                    Long d = deadlineOf.get(e.getRequestId());
                    if (d != null) {
                        lags.add(published - d);
                    }
                }
            }
            context.resetForwards();
        }, 0, interval, TimeUnit.MILLISECONDS);
        clock.schedule(() -> ticks.cancel(false), end - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
        try {
            ticks.get();
        } catch (CancellationException | ExecutionException expectedAtTheEnd) {
            // cancelled when the window has passed (an ExecutionException would be a failed punctuation)
            if (expectedAtTheEnd instanceof ExecutionException failed) {
                throw new IllegalStateException("punctuation failed", failed.getCause());
            }
        }
        clock.shutdown();
        if (!clock.awaitTermination(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the punctuation clock did not stop");
        }
        results.put("expiryLag", Map.of("live", live, "expiring", count, "windowSeconds", windowMillis / 1000,
                "expiredSeen", lags.size(), "punctuationIntervalMillis", interval,
                "p50Millis", pct(lags, 0.50), "p99Millis", pct(lags, 0.99), "maxMillis", pct(lags, 1.0),
                "meanPunctuationMillis", mean(punctuationNanos) / 1e6));
    }

    void close() {
        processor.close();
        verifications.close();
        deadlines.close();
    }

    static double mean(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).average().orElse(0);
    }

    static long pct(List<Long> values, double q) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int idx = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(q * sorted.size()) - 1));
        return sorted.get(idx);
    }
}
