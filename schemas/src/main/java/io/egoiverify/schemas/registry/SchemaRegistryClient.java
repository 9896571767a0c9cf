package io.egoiverify.schemas.registry;

import org.apache.avro.Schema;

/**
 * The few Schema Registry operations the serde needs. Implementations cache: one remote call per schema per process.
 *
 * <p>Errors: {@link SchemaNotFoundException} when the registry answers that an id or subject does not exist (a bad
 * record: dead-letter it); {@link RegistryUnavailableException} when the registry cannot be reached or answers with a
 * server error (an outage: retry, never dead-letter; {@link RegistryAccessDeniedException} for 401/403 is one);
 * {@link InvalidSchemaException} when an id names something that is not an Avro schema (a bad record);
 * {@link IncompatibleSchemaException} when registration is refused by the subject's compatibility rule (a deployment
 * error). Implementations: {@link HttpSchemaRegistryClient}, {@link InMemorySchemaRegistry}; pick one from
 * configuration with {@link SchemaRegistryClients#fromConfig}.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers {@code schema} under {@code subject} (or finds it if already there) and returns its global id. */
    int register(String subject, Schema schema);

    /** Returns the id of {@code schema} under {@code subject} without registering it. */
    int idOf(String subject, Schema schema);

    /** Returns the latest version registered under {@code subject}. */
    RegisteredSchema latest(String subject);

    /** Returns the schema with global id {@code id}. */
    Schema byId(int id);

    @Override
    default void close() {
    }
}
