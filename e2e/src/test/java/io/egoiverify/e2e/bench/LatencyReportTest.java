package io.egoiverify.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyReportTest {

    @Test
    void eachStepSaysHowMuchOfTheMachineItsProcessesUsed() {
        BenchmarkMain.BenchOptions options = new BenchmarkMain.BenchOptions(Path.of("."), Path.of("out"),
                List.of(150), Duration.ofSeconds(20), 0, 2, 2, 6, 20, 10, 0, List.of(), Map.of());
        Map<String, ProcessSampler.Usage> usage = new LinkedHashMap<>();
        usage.put("broker", new ProcessSampler.Usage(57.5, 490, 500));
        usage.put("lifecycle-1", new ProcessSampler.Usage(35.0, 260, 270));
        usage.put("worker-1", new ProcessSampler.Usage(21.0, 190, 195));
        Percentiles p = Percentiles.of(List.of(100L, 200L, 300L));
        StepResult step = new StepResult("rate-150", 150, 3000, 20, 2850, 150, 0, 0, 0, 142.0, p, p, p, Map.of(),
                usage, 1.95, BrokerLoadSampler.BrokerLoad.notSampled());
        LatencyReport report = new LatencyReport("latency", "latency --rates 150", options, Map.of());
        report.add(step, "");
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(report.markdown())
                .doesNotContain("What the broker was asked") // no step sampled it
                .contains("| rate-150 | broker | 57.5 | 490 |")
                .contains("| rate-150 | **all** (of " + cores * 100 + " % on " + cores + " cores) | 113.5 | 940 |");
    }

    @Test
    void eachStepSaysWhatTheBrokerWasAskedInAllAndPerVerification() {
        BenchmarkMain.BenchOptions options = new BenchmarkMain.BenchOptions(Path.of("."), Path.of("out"),
                List.of(10, 150), Duration.ofSeconds(20), 0, 2, 2, 6, 20, 10, 0, List.of(), Map.of());
        Percentiles p = Percentiles.of(List.of(100L, 200L, 300L));
        Map<String, Double> requests = Map.of("Fetch", 227.6, "Produce", 70.2, "EndTxn", 65.7,
                "AddPartitionsToTxn", 117.2, "TxnOffsetCommit", 65.7, "WriteTxnMarkers", 64.4, "Heartbeat", 4.0,
                "BrokerHeartbeat", 1.0);
        StepResult measured = new StepResult("rate-10", 10, 200, 20, 190, 10, 0, 0, 0, 9.5, p, p, p, Map.of(),
                Map.of(), 1.95, new BrokerLoadSampler.BrokerLoad(requests, 4122.7, 1167.0, null));
        StepResult unmeasured = new StepResult("rate-150", 150, 3000, 20, 2850, 150, 0, 0, 0, 142.0, p, p, p,
                Map.of(), Map.of(), 1.95, BrokerLoadSampler.BrokerLoad.none("could not attach to the broker: x"));
        LatencyReport report = new LatencyReport("latency", "latency --rates 10,150", options, Map.of());
        report.add(measured, "");
        report.add(unmeasured, "");

        assertThat(report.markdown())
                // 615.8 requests/s in all, 61.6 per verification offered; heartbeats are "other"
                .contains("| rate-10 | 616 | 61.6 | 228 | 70 | 66 | 117 | 66 | 64 | 5 | 4123 | 1167 |")
                .contains("| rate-150 | n/a (could not attach to the broker: x) |");
    }

    @Test
    void aFailoverReportShowsAStallAfterTheFaultWindow() {
        // a restarted lifecycle took tasks back ~11 s after the kill: the 10 s window alone hid it
        BenchmarkMain.BenchOptions options = new BenchmarkMain.BenchOptions(Path.of("."), Path.of("out"),
                List.of(150), Duration.ofSeconds(45), 0, 2, 2, 6, 20, 10, 0, List.of(), Map.of());
        Percentiles p = Percentiles.of(List.of(100L, 200L, 300L));
        StepResult step = new StepResult("failover-lifecycle-1", 150, 6750, 45, 6400, 338, 0, 0, 0, 140.0, p, p, p,
                Map.of(), Map.of(), 1.95, BrokerLoadSampler.BrokerLoad.notSampled());
        List<FailoverStep.Second> seconds = List.of(
                new FailoverStep.Second(-1, 150, 150, 250, 8000, 8100),
                new FailoverStep.Second(0, 150, 150, 7000, 9000, 9100),
                new FailoverStep.Second(9, 150, 150, 2800, 4300, 4400),
                new FailoverStep.Second(11, 150, 150, 3200, 18374, 18463),
                new FailoverStep.Second(20, 150, 150, 200, 300, 310));
        FailoverStep.Result failover = new FailoverStep.Result(step, "lifecycle-1", 15, 0, 10, 1500, 1500,
                Percentiles.of(List.of(9000L, 4300L)), p, Percentiles.of(List.of(9000L, 4300L, 18374L, 300L)),
                seconds, "8.2 5.4 3.6", Instant.parse("2026-12-02T13:14:15.123Z").toEpochMilli(),
                List.of(new FailoverTimeline.Event(6_030, "lifecycle-2", "rejoins the group")));
        LatencyReport report = new LatencyReport("failover", "failover --rates 150", options, Map.of());
        report.add(step, "");
        report.failover(failover);

        assertThat(failover.slowestAfterWindow().second()).isEqualTo(11);
        assertThat(report.markdown())
                .contains("| slowest second of requests after the window: p99 (second) | 18374 ms (+11 s) |")
                .contains("| killed at (the stack's logs are in UTC) | 2026-12-02T13:14:15.123Z |")
                .contains("| +6,030 ms | lifecycle-2 | rejoins the group |")
                .contains("from the kill to the end of the load (a later stall shows here), p50 / p99 / max")
                .contains("| 20 | 150 | 150 | 200 | 300 | 310 |"); // the table runs to the end of the load
    }
}
