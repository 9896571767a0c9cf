package io.egoiverify.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SchemaRegistryProcessIT {

    @Test
    void startsOnLoopbackServesTheConfluentApiAndStopsByPid() throws Exception {
        SchemaRegistryProcess registry = SchemaRegistryProcess.start();
        long pid = registry.pid();
        try {
            assertThat(registry.ccompatUrl()).startsWith("http://127.0.0.1:").endsWith("/apis/ccompat/v7");
            HttpResponse<String> subjects = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(registry.ccompatUrl() + "/subjects")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(subjects.statusCode()).isEqualTo(200);
            assertThat(subjects.body()).isEqualTo("[]");
        } finally {
            registry.close();
        }
        assertThat(registry.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
}
