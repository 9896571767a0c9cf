package io.egoiverify.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.app.cli.SettingsCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** docker/CONFIGURATION.md carries the generated table of every setting; this keeps the two from drifting apart. */
@Timeout(30)
class ConfigurationDocTest {

    @Test
    void theDocumentedTableIsTheGeneratedOne() throws Exception {
        Path doc = Path.of("..", "docker", "CONFIGURATION.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        assertThat(text).as("regenerate with: java -jar app/target/egoi-verify.jar settings --markdown")
                .contains(SettingsCommand.table());
    }

    @Test
    void theReadmeCarriesTheGeneratedTableToo() throws Exception {
        String text = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        assertThat(text).as("copy the table of: java -jar app/target/egoi-verify.jar settings --markdown")
                .contains(SettingsCommand.table());
    }

    @Test
    void everyFixedSettingHasADefaultThatValidates() {
        // the defaults alone (plus the dev mode's profile) must form a valid configuration
        Settings s = SettingsLoader.load(null, java.util.Map.of(), java.util.Map.of(
                "profile.default.api-key", "k", "profile.default.sender-id", "1",
                "abuse.hmac-key", "an-hmac-key-of-at-least-32-bytes-0123456789",
                "kafka.bootstrap.servers", "127.0.0.1:9092", "schema.registry.url", "http://127.0.0.1:8081"));
        AppConfig config = AppConfig.from(s, Mode.RUN);
        assertThat(config.worker()).isNotNull();
        assertThat(config.lifecycle().abuse().enabled()).isTrue();
    }
}
