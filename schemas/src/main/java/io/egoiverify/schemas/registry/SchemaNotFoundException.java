package io.egoiverify.schemas.registry;

/** The registry answered, and it has no such schema id, subject or version: the record that named it is bad. */
public class SchemaNotFoundException extends SchemaRegistryException {
    public SchemaNotFoundException(String message) {
        super(message, null);
    }
}
