package io.egoiverify.lifecycle.streams;

import io.egoiverify.schemas.topics.DeadLetterFit;
import io.egoiverify.schemas.topics.DeadLetterLimit;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record the processor refuses ({@link BadRecordException}: no key, key not its requestId, no value, or a record the
 * pure step cannot fold — always raised before anything is written for it) goes to the dead-letter topic (cut to fit
 * it if need be, {@link DeadLetterFit}) and processing continues, so one bad record never blocks its partition. Every
 * other exception fails the task (retried by a replacement thread; exactly-once rolls back what the step had written
 * and forwarded): a registry outage, a Kafka failure (store, producer, serializer — a StreamsException raised after
 * the production handler chose to fail), or anything thrown once a step's side effects have begun (a store write, a
 * forwarded outcome, a metrics hook) or by a punctuation. Resuming those would commit half a step: a new state
 * without the outcomes that belong to it, or a deadline sweep cut short. Record contents are never logged.
 */
public class DeadLetteringProcessingHandler implements ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringProcessingHandler.class);
    private String deadLetterTopic;
    private DeadLetterLimit.Shared deadLetterLimit = new DeadLetterLimit.Shared(DeadLetterLimit.PRODUCER_DEFAULT);

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        deadLetterTopic = topic == null ? null : topic.toString();
        deadLetterLimit = DeadLetterLimit.fromConfig(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (RegistryOutage.causedBy(exception)) {
            LOG.warn("schema registry unavailable while processing {}-{}@{}; failing the task to retry",
                    context.topic(), context.partition(), context.offset());
            return Response.fail();
        }
        if (exception instanceof BadRecordException) {
            LOG.warn("dead-lettering {}-{}@{}: {}", context.topic(), context.partition(), context.offset(),
                    exception.getMessage());
            return Response.resume(DeadLetterFit.fitAll(DeadLetters.of(deadLetterTopic, context, exception),
                    deadLetterLimit.bytes()));
        }
        if (!(exception instanceof KafkaException)) {
            // Not the record's fault, or raised after the step began writing: a store, producer or serialization
            // failure (KafkaException: already judged by the production handler, Kafka logs it) or anything else.
            LOG.warn("failing the task at {}-{}@{} (exactly-once rolls the step back; a replacement thread retries "
                    + "it): {}: {}", context.topic(), context.partition(), context.offset(),
                    exception.getClass().getSimpleName(), exception.getMessage());
        }
        return Response.fail();
    }
}
