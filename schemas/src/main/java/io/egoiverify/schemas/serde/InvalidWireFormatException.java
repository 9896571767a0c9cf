package io.egoiverify.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/** The bytes are not a Confluent-framed Avro record (not Avro, wrong magic byte, truncated): a bad record. */
public class InvalidWireFormatException extends SerializationException {
    public InvalidWireFormatException(String topic, String problem) {
        this(topic, problem, null);
    }

    public InvalidWireFormatException(String topic, String problem, Throwable cause) {
        super("cannot read record from topic " + topic + ": " + problem, cause);
    }
}
