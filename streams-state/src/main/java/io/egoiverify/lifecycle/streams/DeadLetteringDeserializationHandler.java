package io.egoiverify.lifecycle.streams;

import io.egoiverify.schemas.topics.DeadLetterFit;
import io.egoiverify.schemas.topics.DeadLetterLimit;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' log-and-continue handler with its built-in dead-letter queue (KIP-1034: the raw key and value go to
 * {@code errors.dead.letter.queue.topic.name} with {@code __streams.errors.*} headers naming topic, partition,
 * offset, exception and message), except for a registry outage: that is not the record's fault, so the task fails
 * and the stream thread is replaced, retrying the same record. A dead letter too large for its topic is cut to fit
 * ({@link DeadLetterFit}), and one of a record stamped -1 gets the wall clock ({@link StampedContext}): refused, either
 * would fail the task on the same record for ever.
 */
public class DeadLetteringDeserializationHandler extends LogAndContinueExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringDeserializationHandler.class);
    private DeadLetterLimit.Shared deadLetterLimit = new DeadLetterLimit.Shared(DeadLetterLimit.PRODUCER_DEFAULT);

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        deadLetterLimit = DeadLetterLimit.fromConfig(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        if (RegistryOutage.causedBy(exception)) {
            LOG.warn("schema registry unavailable while reading {}-{}@{}; failing the task to retry: {}",
                    record.topic(), record.partition(), record.offset(), exception.getMessage());
            return Response.fail();
        }
        Response response = super.handleError(StampedContext.of(context), record, exception);
        return Response.resume(DeadLetterFit.fitAll(response.deadLetterQueueRecords(), deadLetterLimit.bytes()));
    }
}
