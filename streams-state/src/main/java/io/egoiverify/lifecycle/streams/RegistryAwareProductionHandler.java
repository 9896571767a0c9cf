package io.egoiverify.lifecycle.streams;

import io.egoiverify.schemas.topics.DeadLetterFit;
import io.egoiverify.schemas.topics.DeadLetterLimit;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * Kafka Streams' default production handler (fail; with the built-in dead-letter queue for the source record),
 * except that an outcome that cannot be serialized because the registry is down fails without dead-lettering the
 * source record: it is valid and is processed again after the thread is replaced. Its dead letters are cut to fit
 * their topic ({@link DeadLetterFit}) and stamped validly ({@link StampedContext}: building one from a context stamped
 * -1 threw, hiding the error being handled), and a dead letter the broker refuses is not dead-lettered again.
 */
public class RegistryAwareProductionHandler extends DefaultProductionExceptionHandler {
    private String deadLetterTopic;
    private int deadLetterMaxBytes = DeadLetterLimit.PRODUCER_DEFAULT;

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        deadLetterTopic = topic == null ? null : topic.toString();
        deadLetterMaxBytes = DeadLetterLimit.fromConfig(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                Exception exception) {
        if (record != null && record.topic().equals(deadLetterTopic)) {
            // A refused dead letter: another copy of the same source record would be refused the same way.
            return Response.fail();
        }
        return fitted(super.handleError(StampedContext.of(context), record, exception));
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        if (RegistryOutage.causedBy(exception)) {
            return Response.fail();
        }
        return fitted(super.handleSerializationError(StampedContext.of(context), record, exception, origin));
    }

    private Response fitted(Response response) {
        return switch (response.result()) {
            case FAIL -> Response.fail(DeadLetterFit.fitAll(response.deadLetterQueueRecords(), deadLetterMaxBytes));
            case RESUME -> Response.resume(DeadLetterFit.fitAll(response.deadLetterQueueRecords(),
                    deadLetterMaxBytes));
            case RETRY -> response;
        };
    }
}
