package io.egoiverify.app.cli;

import io.egoiverify.app.config.ConfigException;
import io.egoiverify.schemas.registry.RegistryTlsException;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.registry.SchemaRegistryClients;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.KafkaException;

/**
 * Creates the registry client a configuration names ({@code mock://} in memory, otherwise HTTP, with its
 * {@code schema.registry.ssl.*}), Confluent names. Every command that talks to the registry gets its client here.
 */
public final class Registries {
    private Registries() {
    }

    public static SchemaRegistryClient create(AvroSerdeConfig serde) {
        if (serde == null) {
            throw ConfigException.missing("schema.registry.url", "expected http(s)://host:port[/path]");
        }
        Map<String, Object> props = new HashMap<>();
        props.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, serde.schemaRegistryUrl());
        if (serde.basicAuthUserInfo() != null) {
            props.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO, serde.basicAuthUserInfo());
        }
        props.putAll(serde.registryTls().toProperties());
        try {
            return SchemaRegistryClients.fromConfig(props);
        } catch (RegistryTlsException e) { // its message names the setting, never a password
            throw new ConfigException("invalid setting " + e.getMessage());
        } catch (KafkaException e) { // Kafka's ConfigException, from the serde-style configuration
            throw new ConfigException("invalid registry settings (schema.registry.url, basic.auth.user.info): "
                    + e.getMessage());
        }
    }
}
