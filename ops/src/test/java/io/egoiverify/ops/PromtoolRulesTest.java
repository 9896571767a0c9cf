package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code promtool check rules} and {@code promtool test rules} over the kit's rules (Debian's {@code prometheus}
 * package brings promtool; {@code .ci/run} installs it when it is missing).
 */
@Timeout(120)
class PromtoolRulesTest {
    private static ExternalTool promtool;

    @BeforeAll
    static void tool() throws Exception {
        promtool = ExternalTool.require("promtool", "apt-get install prometheus");
        System.out.println("using " + promtool.version("--version"));
    }

    @Test
    void shouldPassPromtoolsCheck() throws Exception {
        String out = promtool.run(Kit.RULES.getParent(), Duration.ofSeconds(60), "check", "rules",
                Kit.RULES.getFileName().toString()).ok();
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void shouldFireEachAlertOnASyntheticSeriesAndStaySilentOnAHealthyOne() throws Exception {
        String out = promtool.run(Kit.RULES.getParent(), Duration.ofSeconds(90), "test", "rules",
                Kit.RULE_TESTS.getFileName().toString()).ok();
        assertThat(out).contains("SUCCESS");
    }
}
