package io.egoiverify.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.app.CliRun;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The dev command's own flags, without starting anything: what {@code dev --help} promises is what it accepts. */
class DevCommandOptionsTest {

    @Test
    void theDemoTimeoutIsADurationAsTheHelpSays() {
        DevCommand.DemoTimeoutConverter c = new DevCommand.DemoTimeoutConverter();
        assertThat(c.convert("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.convert("PT45S")).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.convert("120")).as("a bare number stays seconds").isEqualTo(Duration.ofSeconds(120));
        assertThatThrownBy(() -> c.convert("soon")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> c.convert("0s")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void aBadDemoTimeoutIsAUsageErrorBeforeAnythingStarts() {
        CliRun run = CliRun.of(Map.of(), "dev", "--demo", "--demo-timeout", "soon");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--demo-timeout").contains("soon");
        assertThat(run.out()).doesNotContain("starting the dev stack");
    }

    @Test
    void theHelpNamesEveryPromptCommand() {
        CliRun run = CliRun.of(Map.of(), "dev", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().replaceAll("\\s+", " "))
                .contains("prompt (request, submit, resend, cancel, outbox, help, quit)")
                .contains("--demo-timeout=DURATION").contains("default 90s");
    }
}
