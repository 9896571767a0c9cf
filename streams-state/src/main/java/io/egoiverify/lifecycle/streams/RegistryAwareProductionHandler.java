package io.egoiverify.lifecycle.streams;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * Kafka Streams' default production handler (fail; with the built-in dead-letter queue for the source record),
 * except that an outcome that cannot be serialized because the registry is down fails without dead-lettering the
 * source record: it is valid and is processed again after the thread is replaced.
 */
public class RegistryAwareProductionHandler extends DefaultProductionExceptionHandler {
    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        if (RegistryOutage.causedBy(exception)) {
            return Response.fail();
        }
        return super.handleSerializationError(context, record, exception, origin);
    }
}
