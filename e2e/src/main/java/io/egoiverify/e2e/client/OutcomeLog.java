package io.egoiverify.e2e.client;

import io.egoiverify.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every outcome topic and the dead-letter topic from the beginning, {@code read_committed}, in a background
 * thread, and indexes what it saw by requestId: what downstream services would see. For the benchmark's per-hop
 * figures it can also read the internal command and result topics, on a second consumer.
 */
public final class OutcomeLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutcomeLog.class);

    /** One record as read from an outcome topic or the DLQ; {@code value} is null for the DLQ or undecodable bytes. */
    public record Event(String topic, String key, SpecificRecord value, long timestamp, long seenAtMillis,
                        Map<String, String> headers) {
    }

    private final Topics topics;
    private final Set<String> terminalTopics;
    private final Map<String, Deserializer<? extends SpecificRecord>> deserializers = new HashMap<>();
    private final Map<String, List<Event>> byRequest = new ConcurrentHashMap<>();
    private final List<Event> deadLetters = new CopyOnWriteArrayList<>();
    /** Append-only; guarded by itself (a copy-on-write list would copy on every record of a benchmark). */
    private final List<Event> all = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    public OutcomeLog(String bootstrap, Topics topics) {
        this(bootstrap, topics, false);
    }

    /**
     * @param includeInternal also read the internal command and result topics (for per-hop latency in the benchmark;
     *                        they carry phone numbers and codes, so tests leave them alone)
     */
    public OutcomeLog(String bootstrap, Topics topics, boolean includeInternal) {
        this.topics = topics;
        this.terminalTopics = Set.of(topics.verified.name(), topics.expired.name(), topics.cancelled.name(),
                topics.failed.name());
        deserializers.put(topics.sent.name(), topics.sent.valueSerde().deserializer());
        deserializers.put(topics.resendRejected.name(), topics.resendRejected.valueSerde().deserializer());
        deserializers.put(topics.codeRejected.name(), topics.codeRejected.valueSerde().deserializer());
        deserializers.put(topics.verified.name(), topics.verified.valueSerde().deserializer());
        deserializers.put(topics.expired.name(), topics.expired.valueSerde().deserializer());
        deserializers.put(topics.cancelled.name(), topics.cancelled.valueSerde().deserializer());
        deserializers.put(topics.failed.name(), topics.failed.valueSerde().deserializer());
        List<String> names = new ArrayList<>(topics.names.outcomes());
        names.add(topics.names.deadLetter());
        KafkaConsumer<String, byte[]> outcomes = consumer(bootstrap, names, Map.of());
        threads.add(reader("outcome-log", outcomes));
        if (includeInternal) {
            deserializers.put(topics.commands.name(), topics.commands.valueSerde().deserializer());
            deserializers.put(topics.results.name(), topics.results.valueSerde().deserializer());
            // A consumer of its own, batching: the hops are computed from the records' own timestamps, never from
            // when they are read, and a parked fetch ends at every append to any partition it reads. Read together
            // with the outcomes, the busiest topics woke the outcome reader (and the broker) for every command and
            // result, which a registration service reading its outcomes does not cause.
            try {
                threads.add(reader("outcome-log-internal", consumer(bootstrap,
                        List.of(topics.names.commands(), topics.names.results()),
                        Map.of(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1 << 20,
                                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500))));
            } catch (RuntimeException e) {
                outcomes.close();
                throw e;
            }
        }
        threads.forEach(Thread::start);
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, List<String> names,
                                                          Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(overrides);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String name : names) {
            consumer.partitionsFor(name, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private Thread reader(String name, KafkaConsumer<String, byte[]> consumer) {
        Thread thread = new Thread(() -> pollLoop(consumer), name);
        thread.setDaemon(true);
        return thread;
    }

    private void pollLoop(KafkaConsumer<String, byte[]> consumer) {
        try (consumer) {
            while (running.get()) {
                try {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        index(record);
                    }
                } catch (WakeupException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("outcome log poll failed (retrying): {}", e.toString());
                }
            }
        }
    }

    private void index(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        SpecificRecord value = null;
        Deserializer<? extends SpecificRecord> deserializer = deserializers.get(record.topic());
        if (deserializer != null && record.value() != null) {
            try {
                value = deserializer.deserialize(record.topic(), record.value());
            } catch (RuntimeException e) {
                LOG.warn("cannot decode {} record of {}: {}", record.topic(), record.key(), e.toString());
            }
        }
        Event event = new Event(record.topic(), record.key(), value, record.timestamp(), System.currentTimeMillis(),
                Map.copyOf(headers.entrySet().stream().filter(e -> e.getValue() != null)
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
        synchronized (all) {
            all.add(event);
        }
        if (record.topic().equals(topics.names.deadLetter())) {
            deadLetters.add(event);
        } else if (record.key() != null) {
            byRequest.computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>()).add(event);
        }
    }

    public List<Event> events(String requestId) {
        return List.copyOf(byRequest.getOrDefault(requestId, List.of()));
    }

    public List<Event> events(String requestId, String topic) {
        return events(requestId).stream().filter(e -> e.topic().equals(topic)).toList();
    }

    public List<Event> terminals(String requestId) {
        return events(requestId).stream().filter(e -> terminalTopics.contains(e.topic())).toList();
    }

    public boolean isTerminal(String topic) {
        return terminalTopics.contains(topic);
    }

    public List<Event> deadLetters() {
        return List.copyOf(deadLetters);
    }

    /** Every event seen so far, in arrival order. */
    public List<Event> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** The events seen after the first {@code from} (for incremental readers). */
    public List<Event> since(int from) {
        synchronized (all) {
            return from >= all.size() ? List.of() : List.copyOf(all.subList(from, all.size()));
        }
    }

    @Override
    public void close() {
        running.set(false);
        try {
            for (Thread thread : threads) {
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
