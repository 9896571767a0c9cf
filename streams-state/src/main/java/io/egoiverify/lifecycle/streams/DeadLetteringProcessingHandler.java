package io.egoiverify.lifecycle.streams;

import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record the processor refuses ({@link BadRecordException}: no key, key not its requestId, no value) or cannot
 * fold goes to the dead-letter topic and processing continues, so one bad record never blocks its partition.
 * A registry outage, or any Kafka failure (store, producer, serializer — a StreamsException raised after the production
 * handler chose to fail), fails the task instead (retried by a replacement thread). Record contents are never logged.
 */
public class DeadLetteringProcessingHandler implements ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringProcessingHandler.class);
    private String deadLetterTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        deadLetterTopic = topic == null ? null : topic.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (RegistryOutage.causedBy(exception)) {
            LOG.warn("schema registry unavailable while processing {}-{}@{}; failing the task to retry",
                    context.topic(), context.partition(), context.offset());
            return Response.fail();
        }
        if (exception instanceof KafkaException) {
            // A store, producer or serialization failure (already judged by the production handler) is not the
            // record's fault: fail so that the replacement thread processes the record again.
            return Response.fail();
        }
        LOG.warn("dead-lettering {}-{}@{}: {}: {}", context.topic(), context.partition(), context.offset(),
                exception.getClass().getSimpleName(), exception.getMessage());
        return Response.resume(DeadLetters.of(deadLetterTopic, context, exception));
    }
}
