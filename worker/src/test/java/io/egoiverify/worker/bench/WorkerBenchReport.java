package io.egoiverify.worker.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/** The benchmark's figures and the report files it writes (a skipped or failed phase shows -1 / n/a). */
record WorkerBenchReport(Instant at, int cpus, int partitions, double httpRate, int commands, double seconds,
                         double workerRate, int latencyCommands, int latencyRate, long p50Nanos, long p95Nanos,
                         long p99Nanos, long maxNanos, int naiveDone, long naiveSeconds, double naiveRate,
                         int distinctNumbersSent, PcFigures pc) {
    /** Parallel-consumer's phase: commit mode, results, seconds, rate, peak calls in flight, error (null if none). */
    record PcFigures(String mode, int done, double seconds, double rate, int peakInFlight, String error) {
        static PcFigures skipped() {
            return new PcFigures("skipped", -1, -1, -1, -1, null);
        }

        static PcFigures failed(String mode, String error) {
            return new PcFigures(mode, -1, -1, -1, -1, error);
        }
    }

    void write(Path dir) throws Exception {
        Files.createDirectories(dir);
        String json = String.format(Locale.ROOT, "{\"at\":\"%s\",\"cpus\":%d,\"partitions\":%d,"
                + "\"providerLatencyMs\":%d,\"httpOnlyCallsPerSecond\":%.1f,\"worker\":{\"commands\":%d,\"seconds\":%.3f,\"commandsPerSecond\":%.1f},"
                + "\"latency\":{\"commands\":%d,\"ratePerSecond\":%d,\"p50Ms\":%.1f,\"p95Ms\":%.1f,\"p99Ms\":%.1f,"
                + "\"maxMs\":%.1f,\"p50OverheadMs\":%.1f},\"naive\":{\"commands\":%d,\"seconds\":%d,"
                + "\"commandsPerSecond\":%.2f},\"ratio\":%.1f,\"parallelConsumer\":{\"version\":\"0.5.3.3\","
                + "\"commitMode\":\"%s\",\"commands\":%d,\"seconds\":%.3f,\"commandsPerSecond\":%.1f,"
                + "\"peakCallsInFlight\":%d,\"error\":%s},\"ratioWorkerToParallelConsumer\":%.2f}%n", at, cpus, partitions,
                WorkerBenchmark.PROVIDER_LATENCY.toMillis(), httpRate, commands, seconds, workerRate, latencyCommands, latencyRate,
                ms(p50Nanos), ms(p95Nanos), ms(p99Nanos), ms(maxNanos), ms(p50Nanos) - WorkerBenchmark.PROVIDER_LATENCY.toMillis(),
                naiveDone, naiveSeconds, naiveRate, naiveRatio(), pc.mode(), pc.done(),
                pc.seconds(), pc.rate(), pc.peakInFlight(), pc.error() == null ? "null" : "\"" + pc.error() + "\"",
                pcRatio());
        Files.writeString(dir.resolve("worker-bench.json"), json);
        String md = String.format(Locale.ROOT, """
                # Command worker benchmark (%s)

                One worker instance, %d partitions, provider latency %d ms (E-goi sandbox), single in-process
                broker; broker, sandbox, worker and load generator share %d CPUs.

                | measure | value |
                |---|---|
                | HTTP ceiling: EgoiClient -> sandbox alone, 1000 calls in flight, no Kafka | %.0f calls/s |
                | worker: backlog of %d send commands drained | %.2f s = **%.0f commands/s** |
                | latency at %d commands/s (%d commands), produce → result readable (read_committed) | p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms |
                | overhead over the provider's %d ms at p50 | %.1f ms |
                | naive sequential consumer (poll → blocking call → produce), %d s | %d commands = **%.2f commands/s** |
                | ratio worker / naive | **%.0f×** |
                | parallel-consumer 0.5.3.3 (%s, unordered, same concurrency): same backlog drained | %s |
                | ratio worker / parallel-consumer | **%s** |
                """, at, partitions, WorkerBenchmark.PROVIDER_LATENCY.toMillis(), cpus, httpRate, commands, seconds, workerRate,
                latencyRate, latencyCommands, ms(p50Nanos), ms(p95Nanos), ms(p99Nanos), ms(maxNanos),
                WorkerBenchmark.PROVIDER_LATENCY.toMillis(), ms(p50Nanos) - WorkerBenchmark.PROVIDER_LATENCY.toMillis(), naiveSeconds, naiveDone,
                naiveRate, naiveRatio(), pc.mode(), pcCell(),
                pc.rate() > 0 && workerRate > 0 ? String.format(Locale.ROOT, "%.2f×", pcRatio()) : "n/a");
        Files.writeString(dir.resolve("worker-bench.md"), md);
        System.out.println(md);
    }

    /** -1 when a phase was skipped (see bench.phases). */
    private double naiveRatio() {
        return naiveRate > 0 && workerRate > 0 ? workerRate / naiveRate : -1;
    }

    private double pcRatio() {
        return pc.rate() > 0 && workerRate > 0 ? workerRate / pc.rate() : -1;
    }

    private String pcCell() {
        String figures = pc.done() < 0 ? "not measured"
                : String.format(Locale.ROOT, "%d results in %.2f s = **%.0f commands/s** (peak %d calls in flight)",
                pc.done(), pc.seconds(), pc.rate(), pc.peakInFlight());
        return pc.error() == null ? figures : figures + "; failed: " + pc.error();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
