package io.egoiverify.schemas.registry;

/**
 * The registry could not be reached or failed (connection refused, timeout, 5xx). Not a property of the record:
 * callers retry; nothing is dead-lettered because of it.
 */
public class RegistryUnavailableException extends SchemaRegistryException {
    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
