package io.egoiverify.schemas.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.VerificationRequested;
import io.egoiverify.schemas.registry.HttpSchemaRegistryClient;
import io.egoiverify.schemas.registry.IncompatibleSchemaException;
import io.egoiverify.schemas.registry.RegisteredSchema;
import io.egoiverify.schemas.registry.RegistryClientConfig;
import io.egoiverify.schemas.registry.SchemaNotFoundException;
import io.egoiverify.schemas.testdata.SchemaEdits;
import io.egoiverify.testing.SchemaRegistryExtension;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP client against a real registry process (Apicurio's Confluent-compatible API). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpSchemaRegistryClientIT {
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static final Schema V1 = VerificationRequested.getClassSchema();

    private HttpSchemaRegistryClient client() {
        return new HttpSchemaRegistryClient(RegistryClientConfig.of(REGISTRY.url()));
    }

    @Test
    void registersLooksUpAndFetches() {
        try (HttpSchemaRegistryClient client = client(); HttpSchemaRegistryClient fresh = client()) {
            int id = client.register("it-a-value", V1);
            assertThat(client.register("it-a-value", V1)).isEqualTo(id);
            assertThat(fresh.idOf("it-a-value", V1)).isEqualTo(id);
            assertThat(fresh.byId(id)).isEqualTo(V1);
            RegisteredSchema latest = fresh.latest("it-a-value");
            assertThat(latest.id()).isEqualTo(id);
            assertThat(latest.version()).isEqualTo(1);
            assertThat(latest.schema()).isEqualTo(V1);
        }
    }

    @Test
    void unknownIdsAndSubjectsAreSchemaNotFound() {
        try (HttpSchemaRegistryClient client = client()) {
            assertThatThrownBy(() -> client.byId(987654)).isInstanceOf(SchemaNotFoundException.class)
                    .hasMessageContaining("schema id 987654");
            assertThatThrownBy(() -> client.latest("it-none-value")).isInstanceOf(SchemaNotFoundException.class)
                    .hasMessageContaining("it-none-value");
            assertThatThrownBy(() -> client.idOf("it-none-value", V1)).isInstanceOf(SchemaNotFoundException.class);
            client.register("it-b-value", V1);
            Schema other = SchemaEdits.withOptionalField(V1, "notRegistered");
            assertThatThrownBy(() -> client.idOf("it-b-value", other)).isInstanceOf(SchemaNotFoundException.class);
        }
    }

    @Test
    void anIncompatibleSchemaIsRefusedUnderFullTransitive() throws Exception {
        RegistryAdmin.setCompatibility(REGISTRY.url(), "it-c-value", "FULL_TRANSITIVE");
        try (HttpSchemaRegistryClient client = client()) {
            int v1 = client.register("it-c-value", V1);
            int v2 = client.register("it-c-value", SchemaEdits.withOptionalField(V1, "locale"));
            assertThat(v2).isNotEqualTo(v1);
            assertThat(client.latest("it-c-value").version()).isEqualTo(2);
            Schema breaking = SchemaEdits.withoutField(V1, "phoneNumber");
            assertThatThrownBy(() -> client.register("it-c-value", breaking))
                    .isInstanceOf(IncompatibleSchemaException.class).hasMessageContaining("it-c-value");
        }
    }
}
