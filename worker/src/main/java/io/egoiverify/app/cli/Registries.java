package io.egoiverify.app.cli;

import io.egoiverify.app.config.ConfigException;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import java.util.Map;

/** Creates the registry client a configuration names: {@code mock://} in memory, otherwise the HTTP client. */
final class Registries {
    private Registries() {
    }

    static SchemaRegistryClient create(AvroSerdeConfig serde, Map<String, String> extra) {
        if (serde == null) {
            throw new ConfigException("missing setting schema.registry.url: expected http(s)://host:port[/path]");
        }
        if (serde.schemaRegistryUrl().startsWith("mock://")) {
            return new InMemorySchemaRegistry();
        }
        throw new ConfigException("invalid setting schema.registry.url: the HTTP registry client is not built in yet");
    }
}
