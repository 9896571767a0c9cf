package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.schemas.registry.RegistryUnavailableException;
import io.egoiverify.schemas.registry.SchemaNotFoundException;
import io.egoiverify.schemas.topics.DeadLetterHeaders;
import io.egoiverify.schemas.topics.DeadLetterLimit;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the handlers answer: dead-letter bad records with origin headers; fail (retry) on a registry outage. */
@Timeout(30)
class DeadLetteringHandlersTest {
    private static final Map<String, Object> CONFIG =
            Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "verification.dlq");
    private static final byte[] KEY = "r1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = {0, 0, 0, 0, 42, 7};

    private static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            public String topic() { return "verification.requested"; }
            public int partition() { return 2; }
            public long offset() { return 17; }
            public Headers headers() { return new RecordHeaders(); }
            public String processorNodeId() { return "lifecycle"; }
            public TaskId taskId() { return new TaskId(0, 2); }
            public long timestamp() { return 1000L; }
            public byte[] sourceRawKey() { return KEY; }
            public byte[] sourceRawValue() { return VALUE; }
        };
    }

    /** The context Kafka Streams gives for a record stamped -1 (a producer that set no timestamp). */
    private static ErrorHandlerContext unstamped() {
        return stamped(-1L);
    }

    private static ErrorHandlerContext stamped(long timestamp) {
        ErrorHandlerContext c = context();
        return new ErrorHandlerContext() {
            public String topic() { return c.topic(); }
            public int partition() { return c.partition(); }
            public long offset() { return c.offset(); }
            public Headers headers() { return c.headers(); }
            public String processorNodeId() { return c.processorNodeId(); }
            public TaskId taskId() { return c.taskId(); }
            public long timestamp() { return timestamp; }
            public byte[] sourceRawKey() { return c.sourceRawKey(); }
            public byte[] sourceRawValue() { return c.sourceRawValue(); }
        };
    }

    private static ConsumerRecord<byte[], byte[]> raw() {
        return new ConsumerRecord<>("verification.requested", 2, 17, KEY, VALUE);
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void unknownSchemaIdIsDeadLetteredWithItsOrigin() {
        DeadLetteringDeserializationHandler handler = new DeadLetteringDeserializationHandler();
        handler.configure(CONFIG);
        var response = handler.handleError(context(), raw(), new SchemaNotFoundException("schema id 42 not found"));
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo("verification.dlq");
            assertThat(r.key()).isEqualTo(KEY);
            assertThat(r.value()).isEqualTo(VALUE);
            assertThat(header(r, "__streams.errors.topic")).isEqualTo("verification.requested");
            assertThat(header(r, "__streams.errors.partition")).isEqualTo("2");
            assertThat(header(r, "__streams.errors.offset")).isEqualTo("17");
            assertThat(header(r, "__streams.errors.exception")).isEqualTo(SchemaNotFoundException.class.getName());
            assertThat(header(r, "__streams.errors.message")).contains("schema id 42");
        });
    }

    @Test
    void registryOutageOnReadFailsWithoutDeadLettering() {
        DeadLetteringDeserializationHandler handler = new DeadLetteringDeserializationHandler();
        handler.configure(CONFIG);
        var response = handler.handleError(context(), raw(), new SerializationException("wrapped",
                new RegistryUnavailableException("connection refused", null)));
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    /**
     * An unreadable record stamped -1: the deserialization handler gets its raw timestamp (the timestamp extractor runs
     * after deserialization), and Kafka's dead-letter record refused it (ProducerRecord: "Invalid timestamp: -1"). The
     * handler threw, Kafka Streams failed the task ("Fatal user code error in deserialization error callback") and
     * the replacement thread read the same record again, for ever. The dead letter gets the wall clock instead.
     */
    @Test
    void anUnreadableRecordWithoutATimestampIsDeadLettered() {
        DeadLetteringDeserializationHandler handler = new DeadLetteringDeserializationHandler();
        handler.configure(CONFIG);
        long before = System.currentTimeMillis();
        var response = handler.handleError(unstamped(), new ConsumerRecord<>("verification.requested", 2, 17, -1L,
                        TimestampType.CREATE_TIME, KEY.length, VALUE.length, KEY, VALUE, new RecordHeaders(),
                        Optional.empty()),
                new SchemaNotFoundException("schema id 42 not found"));
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(r -> {
            assertThat(r.timestamp()).isBetween(before, System.currentTimeMillis());
            assertThat(r.value()).isEqualTo(VALUE);
            assertThat(header(r, "__streams.errors.offset")).isEqualTo("17");
        });
        DeadLetteringProcessingHandler processing = new DeadLetteringProcessingHandler();
        processing.configure(CONFIG);
        var refused = processing.handleError(unstamped(), new Record<>("x", "y", 0L),
                new BadRecordException("record key does not equal the requestId of its value"));
        assertThat(refused.deadLetterQueueRecords()).singleElement().satisfies(r -> assertThat(r.timestamp()).isNull());
    }

    /**
     * The production handler's dead letter of a record stamped -1 (e.g. a changelog record refused as too large): the
     * ProducerRecord refused the -1, so the handler threw instead of answering, and the log showed that error instead
     * of the one being handled.
     */
    @Test
    void theProductionHandlersDeadLetterOfAnUnstampedRecordIsStampedToo() {
        RegistryAwareProductionHandler handler = new RegistryAwareProductionHandler();
        handler.configure(CONFIG);
        long before = System.currentTimeMillis();
        var response = handler.handleError(unstamped(), new ProducerRecord<>("lifecycle-changelog", KEY, VALUE),
                new RecordTooLargeException("too large"));
        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(r -> assertThat(r.timestamp()).isBetween(before, System.currentTimeMillis()));
    }

    /**
     * A dead letter refused as too large (the topic's limit lowered after it was read): the limit every handler of the
     * instance shares is halved and the thread fails, so the record is processed again and cut smaller; at the floor
     * the dead letter is dropped (the partition goes on). Other refusals fail as before.
     */
    @Test
    void aDeadLetterRefusedAsTooLargeHalvesTheSharedLimitUntilTheFloorThenIsDropped() {
        DeadLetterLimit.Shared limit = new DeadLetterLimit.Shared(4 * DeadLetterLimit.Shared.FLOOR);
        Map<String, Object> config = Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
                "verification.dlq", DeadLetterLimit.CONFIG, limit);
        RegistryAwareProductionHandler handler = new RegistryAwareProductionHandler();
        handler.configure(config);
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>("verification.dlq", KEY, VALUE);
        letter.headers().add(DeadLetterHeaders.TOPIC, "verification.requested".getBytes(StandardCharsets.UTF_8));

        assertThat(handler.handleError(context(), letter, new RecordTooLargeException("too large")).result())
                .isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(limit.bytes()).isEqualTo(2 * DeadLetterLimit.Shared.FLOOR);
        RegistryAwareProductionHandler replacement = new RegistryAwareProductionHandler(); // a new thread's
        replacement.configure(config);
        assertThat(replacement.handleError(context(), letter, new RecordTooLargeException("too large")).result())
                .isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(limit.bytes()).as("shared: the replacement went on from the lowered limit")
                .isEqualTo(DeadLetterLimit.Shared.FLOOR);
        var atFloor = replacement.handleError(context(), letter, new RecordTooLargeException("too large"));
        assertThat(atFloor.result()).as("nothing smaller would be taken: dropped").isEqualTo(
                ProductionExceptionHandler.Result.RESUME);
        assertThat(atFloor.deadLetterQueueRecords()).isEmpty();

        assertThat(handler.handleError(context(), letter, new TopicAuthorizationException("no write")).result())
                .isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(DeadLetterLimit.fromConfig(config)).isSameAs(limit);
        assertThat(DeadLetterLimit.fromConfig(CONFIG).bytes()).isEqualTo(DeadLetterLimit.PRODUCER_DEFAULT);
    }

    /** The broker refuses a dead letter stamped further ahead than the topic allows (1 h by default). */
    @Test
    void anUnreadableRecordStampedAheadIsDeadLetteredWithTheWallClock() {
        DeadLetteringDeserializationHandler handler = new DeadLetteringDeserializationHandler();
        handler.configure(CONFIG);
        long before = System.currentTimeMillis();
        var response = handler.handleError(stamped(before + 2 * 86_400_000L), raw(),
                new SchemaNotFoundException("schema id 42 not found"));
        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(r -> assertThat(r.timestamp()).isBetween(before, System.currentTimeMillis()));
        var kept = handler.handleError(context(), raw(), new SchemaNotFoundException("schema id 42 not found"));
        assertThat(kept.deadLetterQueueRecords()).singleElement()
                .satisfies(r -> assertThat(r.timestamp()).isEqualTo(1000L));
    }

    @Test
    void keyMismatchIsDeadLetteredAndProcessingResumes() {
        DeadLetteringProcessingHandler handler = new DeadLetteringProcessingHandler();
        handler.configure(CONFIG);
        var response = handler.handleError(context(), new Record<>("x", "y", 1L),
                new BadRecordException("record key does not equal the requestId of its value"));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(r -> {
            assertThat(r.value()).isEqualTo(VALUE);
            assertThat(header(r, "__streams.errors.offset")).isEqualTo("17");
            assertThat(header(r, "__streams.errors.message")).contains("key does not equal");
        });
    }

    @Test
    void aRecordThePureStepCannotFoldIsDeadLettered() {
        DeadLetteringProcessingHandler handler = new DeadLetteringProcessingHandler();
        handler.configure(CONFIG);
        var response = handler.handleError(context(), new Record<>("x", "y", 1L), BadRecordException.unfoldable(
                new IllegalStateException("cannot unseal the number (was the number key changed?)")));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(r -> {
            assertThat(header(r, "__streams.errors.exception")).isEqualTo(BadRecordException.class.getName());
            assertThat(header(r, "__streams.errors.message"))
                    .isEqualTo("cannot fold the record: IllegalStateException: cannot unseal the number (was the "
                            + "number key changed?)");
        });
    }

    @Test
    void anyOtherExceptionFailsTheTaskInsteadOfResumingHalfAStep() {
        // Thrown once the step has begun writing (a metrics hook, a store write) or by a punctuation: resuming would
        // commit a new state without the outcomes that belong to it, or a deadline sweep cut short.
        DeadLetteringProcessingHandler handler = new DeadLetteringProcessingHandler();
        handler.configure(CONFIG);
        for (Exception e : new Exception[] {new IllegalStateException("meter registry closed"),
                new NullPointerException(), new RuntimeException("boom")}) {
            var response = handler.handleError(context(), new Record<>("x", "y", 1L), e);
            assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
            assertThat(response.deadLetterQueueRecords()).isEmpty();
        }
        var punctuation = handler.handleError(context(), null, new IllegalStateException("sweep"));
        assertThat(punctuation.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    }

    @Test
    void registryOutageWhileProcessingFails() {
        DeadLetteringProcessingHandler handler = new DeadLetteringProcessingHandler();
        handler.configure(CONFIG);
        var response = handler.handleError(context(), new Record<>("x", "y", 1L),
                new RegistryUnavailableException("down", null));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void kafkaFailureWhileProcessingFailsRatherThanDeadLettering() {
        DeadLetteringProcessingHandler handler = new DeadLetteringProcessingHandler();
        handler.configure(CONFIG);
        var response = handler.handleError(context(), new Record<>("x", "y", 1L),
                new org.apache.kafka.streams.errors.StreamsException("producer fenced"));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void failedThreadIsReplaced() {
        assertThat(LifecycleService.onUncaught(new RegistryUnavailableException("down", null)))
                .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void aThreadTheBrokerRefusedByAclStopsTheClientInsteadOfBeingReplacedForEver() {
        assertThat(LifecycleService.onUncaught(new StreamsException("Error encountered sending record",
                new TopicAuthorizationException(Set.of("verification.sent")))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(LifecycleService.onUncaught(new StreamsException(new GroupAuthorizationException("no Read"))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void anOutcomeWhoseSubjectIsNotRegisteredStopsTheClientInsteadOfReplacingTheThreadForEver() {
        assertThat(LifecycleService.onUncaught(new StreamsException("Error encountered sending record",
                new SerializationException("cannot serialize", new SchemaNotFoundException(
                        "subject 'verification.sent-value' not found")))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void streamsConfigurationIsExactlyOnceWithTheDeadLetterTopic() {
        var topics = new io.egoiverify.schemas.topics.Topics(io.egoiverify.schemas.topics.TopicNames.defaults(),
                new io.egoiverify.schemas.registry.InMemorySchemaRegistry(),
                new io.egoiverify.schemas.serde.AvroSerdeConfig("mock://x", null, true, false));
        var props = new java.util.Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        var p = LifecycleService.streamsProperties(topics, io.egoiverify.lifecycle.LifecycleConfig.defaults(), props);
        assertThat(p.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(p.getProperty(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG)).isEqualTo("verification.dlq");
        assertThat(p.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("egoi-verify-lifecycle");
        assertThat(p.getProperty(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG))
                .isEqualTo(Long.toString(LifecycleService.COMMIT_INTERVAL_MS));
        new StreamsConfig(p); // valid as a whole
    }
}
