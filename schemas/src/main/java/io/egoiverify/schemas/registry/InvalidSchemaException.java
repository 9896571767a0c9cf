package io.egoiverify.schemas.registry;

/**
 * The registry rejected a schema as invalid (HTTP 422), or returned for an id something that is not an Avro schema. As
 * a deserialization error, the record that named the id is bad (dead-letter it).
 */
public class InvalidSchemaException extends SchemaRegistryException {
    public InvalidSchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
