package io.egoiverify.lifecycle.streams;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' log-and-continue handler with its built-in dead-letter queue (KIP-1034: the raw key and value go to
 * {@code errors.dead.letter.queue.topic.name} with {@code __streams.errors.*} headers naming topic, partition,
 * offset, exception and message), except for a registry outage: that is not the record's fault, so the task fails
 * and the stream thread is replaced, retrying the same record.
 */
public class DeadLetteringDeserializationHandler extends LogAndContinueExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringDeserializationHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        if (RegistryOutage.causedBy(exception)) {
            LOG.warn("schema registry unavailable while reading {}-{}@{}; failing the task to retry: {}",
                    record.topic(), record.partition(), record.offset(), exception.getMessage());
            return Response.fail();
        }
        return super.handleError(context, record, exception);
    }
}
