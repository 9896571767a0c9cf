package io.egoiverify.schemas.registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

/** Builds the registry client that {@code schema.registry.url} names. */
public final class SchemaRegistryClients {
    public static final String MOCK_SCHEME = "mock://";

    /*
     * The one deliberate piece of shared mutable state: like Confluent's MockSchemaRegistry, serializers and
     * deserializers instantiated by Kafka from class names (each with its own configure call) must see the same
     * in-memory registry when they name the same mock:// scope. Tests drop their scope when done.
     */
    private static final Map<String, InMemorySchemaRegistry> MOCK_SCOPES = new ConcurrentHashMap<>();

    private SchemaRegistryClients() {
    }

    /**
     * {@code mock://<scope>} gives the in-memory registry of that scope (the same instance for the same scope);
     * anything else an {@link HttpSchemaRegistryClient} configured from {@code config} (see
     * {@link RegistryClientConfig}). The caller owns and closes the returned client.
     */
    public static SchemaRegistryClient fromConfig(Map<String, ?> config) {
        Object url = config.get(RegistryClientConfig.SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(RegistryClientConfig.SCHEMA_REGISTRY_URL + " is required (use mock://<scope>"
                    + " for an in-memory registry)");
        }
        String value = url.toString().trim();
        if (value.startsWith(MOCK_SCHEME)) {
            return mock(value.substring(MOCK_SCHEME.length()));
        }
        return new HttpSchemaRegistryClient(RegistryClientConfig.from(config));
    }

    /** The in-memory registry of {@code scope}, created on first use. */
    public static SchemaRegistryClient mock(String scope) {
        return new UncloseableRegistry(MOCK_SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry()));
    }

    /** Forgets the in-memory registry of {@code scope}. */
    public static void dropMockScope(String scope) {
        MOCK_SCOPES.remove(scope);
    }

    /** A shared mock scope outlives each serde that closes its client. */
    private record UncloseableRegistry(SchemaRegistryClient delegate) implements SchemaRegistryClient {
        @Override
        public int register(String subject, Schema schema) {
            return delegate.register(subject, schema);
        }

        @Override
        public int idOf(String subject, Schema schema) {
            return delegate.idOf(subject, schema);
        }

        @Override
        public RegisteredSchema latest(String subject) {
            return delegate.latest(subject);
        }

        @Override
        public Schema byId(int id) {
            return delegate.byId(id);
        }

        @Override
        public void close() {
            // shared by every serde of the scope
        }
    }
}
