package io.egoiverify.app.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.app.CliRun;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code dev --demo} in-process, in both E-goi dialects: every scenario's outcomes are the expected ones and the exit
 * code is 0.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoIT {

    @Test
    void theDemoTourPassesAndExitsZeroSpeakingV2ByDefault() {
        CliRun run = CliRun.of(Map.of(), "dev", "--demo", "--kafka-port", "0", "--ops-port", "0",
                "--set", "dev.sandbox-port=0");
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("/api (v2)").contains("8 of 8 scenarios passed");
        assertThat(run.out().lines().filter(l -> l.endsWith(" PASS"))).hasSize(8);
    }

    @Test
    void theDemoTourPassesInTheGuideDialectToo() {
        CliRun run = CliRun.of(Map.of(), "dev", "--demo", "--dialect", "guide", "--kafka-port", "0", "--ops-port",
                "0", "--set", "dev.sandbox-port=0");
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("/api/public (guide)").contains("8 of 8 scenarios passed");
    }
}
