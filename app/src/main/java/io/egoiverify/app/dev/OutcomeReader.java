package io.egoiverify.app.dev;

import io.egoiverify.schemas.topics.Topic;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the seven outcome topics (read_committed: only what the lifecycle committed) and hands each event to a
 * callback as an {@link Outcome}. Used by {@code tail}, the dev mode's console and the demo's checks. An event that
 * cannot be read is reported and skipped: a viewer must never stop on a bad record.
 */
public final class OutcomeReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutcomeReader.class);
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Deserializer<? extends SpecificRecord>> byTopic = new HashMap<>();
    private final Consumer<Outcome> sink;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final CompletableFuture<String> failed = new CompletableFuture<>();

    /**
     * @param kafka     Kafka client properties (bootstrap servers, security)
     * @param fromStart read each topic from its beginning (otherwise only new events)
     */
    public OutcomeReader(Map<String, Object> kafka, Topics topics, boolean fromStart, Consumer<Outcome> sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
        for (Topic<String, ? extends SpecificRecord> t : List.of(topics.sent, topics.resendRejected,
                topics.codeRejected, topics.verified, topics.expired, topics.cancelled, topics.failed)) {
            byTopic.put(t.name(), t.valueSerde().deserializer());
        }
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, null);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromStart ? "earliest" : "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::loop, "outcome-reader");
        this.thread.setDaemon(true);
    }

    /**
     * Assigns every partition of the outcome topics and starts following them; returns once positions are set.
     *
     * @throws IllegalStateException naming the outcome topics the cluster does not have (a wrong topics.prefix)
     */
    public OutcomeReader start() {
        List<TopicPartition> partitions = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String topic : byTopic.keySet()) {
            List<PartitionInfo> found = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (found == null || found.isEmpty()) {
                missing.add(topic);
            } else {
                found.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
        }
        if (!missing.isEmpty()) {
            consumer.close(Duration.ofSeconds(2));
            throw new IllegalStateException("outcome topics missing: " + String.join(", ", missing.stream().sorted()
                    .toList()) + " (is topics.prefix right?)");
        }
        consumer.assign(partitions);
        // Resolve positions now, so that nothing published after start() returns is missed.
        partitions.forEach(tp -> consumer.position(tp, Duration.ofSeconds(30)));
        thread.start();
        return this;
    }

    private void loop() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        SpecificRecord value = byTopic.get(r.topic()).deserialize(r.topic(), r.value());
                        sink.accept(Outcome.of(value));
                    } catch (RuntimeException e) {
                        LOG.warn("skipped an unreadable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                                e.toString());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("outcome reader stopped: {}", e.toString());
            failed.complete(e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Completes, with the cause, when the reader stopped on an error (e.g. not authorized to read a topic). */
    public CompletableFuture<String> failed() {
        return failed;
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
