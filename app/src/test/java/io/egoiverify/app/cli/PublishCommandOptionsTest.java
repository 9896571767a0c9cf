package io.egoiverify.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.app.CliRun;
import io.egoiverify.events.CodeType;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/**
 * The publish command's flags, without a cluster: a misspelt {@code --code-type} was published as the schema's
 * fallback {@code UNKNOWN}, which the service then answered VerificationFailed(INVALID_REQUEST) instead of the CLI
 * saying what was wrong.
 */
class PublishCommandOptionsTest {

    @Test
    void aCodeTypeIsReadInAnyCaseAndAMisspeltOneIsRefused() {
        PublishCommand.CodeTypeConverter c = new PublishCommand.CodeTypeConverter();
        assertThat(c.convert("alphanumeric")).isEqualTo(CodeType.ALPHANUMERIC);
        assertThat(c.convert(" HEX ")).isEqualTo(CodeType.HEX);
        assertThat(c.convert("unknown")).as("asked for by name: an invalid request on purpose")
                .isEqualTo(CodeType.UNKNOWN);
        assertThatThrownBy(() -> c.convert("bogus")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("bogus");
    }

    @Test
    void aMisspeltCodeTypeIsAUsageErrorBeforeAnythingIsPublished() {
        CliRun run = CliRun.of(Map.of(), "publish", "request", "-r", "r1", "-p", "+351910000000", "--code-type",
                "numerik", "--set", "kafka.bootstrap.servers=127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--code-type").contains("numerik");
    }
}
