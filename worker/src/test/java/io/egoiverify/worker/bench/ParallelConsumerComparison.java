package io.egoiverify.worker.bench;

import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.worker.command.WorkerConfig;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.Faults;
import java.time.Duration;
import java.util.Locale;

/**
 * (1b) the worker's backlog drained by parallel-consumer 0.5.3.3 ({@link ParallelConsumerPhase}) with the worker's
 * concurrency, timed like the worker from partition assignment. {@code -Dbench.pc.commitMode} picks PC's commit mode
 * (default {@code PERIODIC_TRANSACTIONAL_PRODUCER}, the like-for-like one).
 */
final class ParallelConsumerComparison {
    private final BenchLoad load;
    private final EgoiSandbox sandbox;
    private final EgoiClient client;

    ParallelConsumerComparison(BenchLoad load, EgoiSandbox sandbox, EgoiClient client) {
        this.load = load;
        this.sandbox = sandbox;
        this.client = client;
    }

    WorkerBenchReport.PcFigures run(int commands) throws Exception {
        String modeName = System.getProperty("bench.pc.commitMode", "PERIODIC_TRANSACTIONAL_PRODUCER");
        CommitMode mode = CommitMode.valueOf(modeName);
        sandbox.reset();
        sandbox.setFaults(Faults.latency(WorkerBenchmark.PROVIDER_LATENCY));
        Topics t = load.topics("pc");
        load.produce(t, commands, 0, null);
        ParallelConsumerPhase pc;
        try {
            pc = new ParallelConsumerPhase(load.bootstrap(), t, client,
                    WorkerBenchmark.PROFILES.find("default").orElseThrow(),
                    WorkerConfig.of(load.bootstrap(), "x", t.names).flow().maxInFlight(), mode, "bench-pc");
        } catch (RuntimeException | LinkageError e) {
            e.printStackTrace();
            return WorkerBenchReport.PcFigures.failed(modeName, "construction: " + describe(e));
        }
        try {
            if (!pc.awaitAssigned(Duration.ofSeconds(60))) {
                Throwable cause = pc.failureCause();
                if (cause != null) {
                    cause.printStackTrace();
                }
                return WorkerBenchReport.PcFigures.failed(modeName, "no assignment within 60 s"
                        + (cause != null ? ": " + describe(cause) : ""));
            }
            long t0 = System.nanoTime();
            int done = load.awaitResults(t, commands, Duration.ofMinutes(5), null, pc::failed);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int peak = sandbox.maxConcurrentCalls();
            Throwable cause = pc.failed() ? pc.failureCause() : null;
            if (cause != null) {
                cause.printStackTrace();
            }
            System.out.printf(Locale.ROOT, "parallel-consumer (%s): %d results in %.2f s = %.0f commands/s, peak calls"
                    + " in flight %d%s%n", modeName, done, seconds, done / seconds, peak,
                    cause != null ? ", failed: " + describe(cause) : "");
            return new WorkerBenchReport.PcFigures(modeName, done, seconds, done / seconds, peak,
                    cause != null ? describe(cause) : null);
        } finally {
            try {
                pc.close();
            } catch (RuntimeException e) {
                System.out.println("parallel-consumer close: " + describe(e));
            }
        }
    }

    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            b.append(b.length() > 0 ? " <- " : "").append(c.getClass().getName()).append(": ").append(c.getMessage());
        }
        return b.toString().replace('"', '\'').replace('\n', ' ');
    }
}
