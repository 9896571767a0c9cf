package io.egoiverify.schemas.registry;

/**
 * The registry refused to register a schema because it breaks the subject's compatibility rule (HTTP 409). A
 * deployment error, not an outage and not a bad record: retrying does not help; fix the schema or the subject's rule.
 */
public class IncompatibleSchemaException extends SchemaRegistryException {
    public IncompatibleSchemaException(String message) {
        super(message, null);
    }
}
