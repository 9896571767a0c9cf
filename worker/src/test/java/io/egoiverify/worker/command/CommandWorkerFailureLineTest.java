package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

/** The line that says why a worker ended on its own: the exception, its root cause when another, no line breaks. */
class CommandWorkerFailureLineTest {

    @Test
    void anExceptionWithoutCauseIsItsClassAndMessage() {
        assertThat(CommandWorker.oneLine(new SaslAuthenticationException("Authentication failed during "
                + "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512")))
                .isEqualTo("org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed during "
                        + "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
    }

    @Test
    void aWrappedExceptionNamesItsRootCauseOnOneLine() {
        KafkaException wrapped = new KafkaException("Failed to construct kafka consumer",
                new KafkaException("outer", new IllegalArgumentException("line one\nline two")));
        assertThat(CommandWorker.oneLine(wrapped)).isEqualTo("org.apache.kafka.common.KafkaException: Failed to "
                + "construct kafka consumer (cause: java.lang.IllegalArgumentException: line one line two)");
    }
}
