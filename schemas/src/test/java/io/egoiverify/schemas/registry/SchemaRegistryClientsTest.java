package io.egoiverify.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.CodeSubmitted;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchemaRegistryClientsTest {

    @Test
    void mockUrlsShareOneRegistryPerScope() {
        try {
            SchemaRegistryClient a = SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", "mock://scope-a"));
            SchemaRegistryClient sameScope = SchemaRegistryClients.fromConfig(
                    Map.of("schema.registry.url", "mock://scope-a"));
            SchemaRegistryClient other = SchemaRegistryClients.fromConfig(
                    Map.of("schema.registry.url", "mock://scope-b"));
            int id = a.register("t-value", CodeSubmitted.getClassSchema());
            a.close(); // closing one serde's client does not drop the scope
            assertThat(sameScope.byId(id)).isEqualTo(CodeSubmitted.getClassSchema());
            assertThatThrownBy(() -> other.byId(id)).isInstanceOf(SchemaNotFoundException.class);
        } finally {
            SchemaRegistryClients.dropMockScope("scope-a");
            SchemaRegistryClients.dropMockScope("scope-b");
        }
    }

    @Test
    void httpUrlsGiveTheHttpClientAndMissingUrlsAreRejected() {
        try (SchemaRegistryClient client = SchemaRegistryClients.fromConfig(
                Map.of("schema.registry.url", "http://127.0.0.1:1/apis/ccompat/v7"))) {
            assertThat(client).isInstanceOf(HttpSchemaRegistryClient.class);
        }
        assertThatThrownBy(() -> SchemaRegistryClients.fromConfig(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url");
    }
}
