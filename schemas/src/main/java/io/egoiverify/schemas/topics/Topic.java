package io.egoiverify.schemas.topics;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/** A typed topic descriptor: name, key serde and value serde. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
    }
}
