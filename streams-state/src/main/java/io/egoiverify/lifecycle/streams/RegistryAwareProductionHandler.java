package io.egoiverify.lifecycle.streams;

import io.egoiverify.schemas.topics.DeadLetterFit;
import io.egoiverify.schemas.topics.DeadLetterHeaders;
import io.egoiverify.schemas.topics.DeadLetterLimit;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' default production handler (fail; with the built-in dead-letter queue for the source record),
 * except that an outcome that cannot be serialized because the registry is down fails without dead-lettering the
 * source record: it is valid and is processed again after the thread is replaced. Its dead letters are cut to fit
 * their topic ({@link DeadLetterFit}) and stamped validly ({@link StampedContext}: building one from a context stamped
 * -1 threw, hiding the error being handled), and a dead letter the broker refuses is not dead-lettered again (one
 * refused as too large lowers the shared limit, see {@link #refusedDeadLetter}).
 */
public class RegistryAwareProductionHandler extends DefaultProductionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAwareProductionHandler.class);
    private String deadLetterTopic;
    private DeadLetterLimit.Shared deadLetterLimit = new DeadLetterLimit.Shared(DeadLetterLimit.PRODUCER_DEFAULT);

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        deadLetterTopic = topic == null ? null : topic.toString();
        deadLetterLimit = DeadLetterLimit.fromConfig(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                Exception exception) {
        if (record != null && record.topic().equals(deadLetterTopic)) {
            return refusedDeadLetter(record, exception);
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

    /**
     * The broker refused a dead letter. Too large although cut to the limit read at start-up (the topic's limit was
     * lowered since, or not yet visible then): the limit is halved and the thread fails, so that the record is
     * processed again and its dead letter cut smaller; at the floor, the dead letter is dropped and the partition goes
     * on (its source record stays where the log says, until retention). Any other refusal fails as before: another
     * copy of the same source record would be refused the same way.
     */
    private Response refusedDeadLetter(ProducerRecord<byte[], byte[]> letter, Exception exception) {
        if (!(exception instanceof RecordTooLargeException)) {
            return Response.fail();
        }
        int refusedAt = deadLetterLimit.bytes();
        if (deadLetterLimit.lower()) {
            LOG.warn("{} refused a dead letter as too large although cut to {} bytes (its max.message.bytes is lower "
                    + "than when it was read); dead letters are now cut to {} bytes and the record is processed again",
                    deadLetterTopic, refusedAt, deadLetterLimit.bytes());
            return Response.fail();
        }
        LOG.error("{} refuses a dead letter even cut to {} bytes: dropped so that the partition goes on; its source "
                + "record stays in {} partition {} at offset {} until retention (raise the topic's max.message.bytes)",
                deadLetterTopic, refusedAt, header(letter, DeadLetterHeaders.TOPIC),
                header(letter, DeadLetterHeaders.PARTITION), header(letter, DeadLetterHeaders.OFFSET));
        return Response.resume();
    }

    private static String header(ProducerRecord<byte[], byte[]> letter, String name) {
        Header h = letter.headers().lastHeader(name);
        return h == null || h.value() == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private Response fitted(Response response) {
        return switch (response.result()) {
            case FAIL -> Response.fail(DeadLetterFit.fitAll(response.deadLetterQueueRecords(),
                    deadLetterLimit.bytes()));
            case RESUME -> Response.resume(DeadLetterFit.fitAll(response.deadLetterQueueRecords(),
                    deadLetterLimit.bytes()));
            case RETRY -> response;
        };
    }
}
