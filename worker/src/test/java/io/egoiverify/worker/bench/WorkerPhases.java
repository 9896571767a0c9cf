package io.egoiverify.worker.bench;

import static org.awaitility.Awaitility.await;

import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.worker.command.CommandExecutor;
import io.egoiverify.worker.command.CommandHandler;
import io.egoiverify.worker.command.CommandWorker;
import io.egoiverify.worker.command.WorkerConfig;
import io.egoiverify.worker.command.WorkerMetrics;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.Faults;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The phases that measure {@link CommandWorker} itself: draining a backlog, and latency at a steady rate. */
final class WorkerPhases {
    /** A drained backlog: how long it took from the worker joining its group, and the rate. */
    record Throughput(double seconds, double rate) {
    }

    private final BenchLoad load;
    private final EgoiSandbox sandbox;
    private final EgoiClient client;

    WorkerPhases(BenchLoad load, EgoiSandbox sandbox, EgoiClient client) {
        this.load = load;
        this.sandbox = sandbox;
        this.client = client;
    }

    /** (1) a backlog of {@code commands} drained by one worker instance with default settings. */
    Throughput throughput(int commands) throws Exception {
        sandbox.reset(); // counters and the concurrency gauge start afresh
        sandbox.setFaults(Faults.latency(WorkerBenchmark.PROVIDER_LATENCY));
        Topics topics = load.topics("tput");
        load.produce(topics, commands, 0, null);
        try (RunningWorker worker = start(topics, "bench-tput")) {
            long t0 = System.nanoTime(); // from the moment the worker has joined its group
            ScheduledExecutorService trace = trace(t0);
            int done = load.awaitResults(topics, commands, Duration.ofMinutes(5), null, () -> false);
            double seconds = (System.nanoTime() - t0) / 1e9;
            trace.shutdownNow();
            System.out.printf(Locale.ROOT, "worker: %d results in %.2f s = %.0f commands/s, peak calls in flight %d%n",
                    done, seconds, done / seconds, sandbox.maxConcurrentCalls());
            return new Throughput(seconds, done / seconds);
        }
    }

    /** With {@code -Dbench.trace=true}: sends seen by the sandbox and results read, once a second. */
    private ScheduledExecutorService trace(long t0) {
        ScheduledExecutorService trace = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-trace");
            t.setDaemon(true);
            return t;
        });
        if (Boolean.getBoolean("bench.trace")) {
            trace.scheduleAtFixedRate(() -> System.out.printf(Locale.ROOT, "t=%.1fs sandbox sends=%d results read=%d%n",
                    (System.nanoTime() - t0) / 1e9, sandbox.outbox().size(), load.resultsSeen()), 0, 1,
                    TimeUnit.SECONDS);
        }
        return trace;
    }

    /** (2) {@code count} commands at {@code rate}/s, end to end: produced → result readable; sorted, in nanos. */
    List<Long> latency(int rate, int count) throws Exception {
        Topics topics = load.topics("lat");
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        try (RunningWorker worker = start(topics, "bench-lat")) {
            Map<String, Long> producedAt = new ConcurrentHashMap<>();
            Thread producer = new Thread(() -> load.produce(topics, count, rate, producedAt));
            producer.start();
            load.awaitResults(topics, count, Duration.ofMinutes(2), (id, now) -> {
                Long at = producedAt.get(id);
                if (at != null) {
                    latencies.add(now - at);
                }
            }, () -> false);
            producer.join();
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return sorted;
    }

    /** A started worker and its E-goi handler, as the application builds them; closing stops both. */
    private record RunningWorker(CommandWorker worker, CommandHandler handler) implements AutoCloseable {
        @Override
        public void close() {
            worker.close(Duration.ofSeconds(10));
            handler.close();
        }
    }

    private RunningWorker start(Topics topics, String id) {
        WorkerConfig config = WorkerConfig.of(load.bootstrap(), id, topics.names).withGroupId("group-" + id);
        // -Dbench.commitIntervalMs=N: the commit-interval curve (issue 13); default: the worker's default
        String interval = System.getProperty("bench.commitIntervalMs");
        if (interval != null) {
            WorkerConfig.Flow f = config.flow();
            config = config.withFlow(new WorkerConfig.Flow(f.maxInFlight(), f.maxOffsetSpan(),
                    java.time.Duration.ofMillis(Long.parseLong(interval)), f.maxRecordsPerTransaction(),
                    f.pollTimeout(), f.sessionTimeout(), f.transactionTimeout(), f.revokeGrace(), f.shutdownGrace()));
        }
        CommandHandler handler = CommandExecutor.create(client, WorkerBenchmark.PROFILES, config.retries(),
                config.breaker(), Clock.systemUTC(), WorkerMetrics.NONE);
        CommandWorker worker = new CommandWorker(config, topics, handler, Clock.systemUTC(), WorkerMetrics.NONE);
        worker.start();
        await("worker joined").atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(10)).until(worker::isJoined);
        return new RunningWorker(worker, handler);
    }
}
