package io.egoiverify.schemas.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/** A schema as the registry knows it: global id, subject version and the schema itself. */
public record RegisteredSchema(int id, int version, Schema schema) {
    public RegisteredSchema {
        Objects.requireNonNull(schema, "schema");
    }
}
