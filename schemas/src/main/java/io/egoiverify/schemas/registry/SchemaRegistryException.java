package io.egoiverify.schemas.registry;

import org.apache.kafka.common.errors.SerializationException;

/** Base of the registry client's exceptions. */
public abstract class SchemaRegistryException extends SerializationException {
    protected SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
