package io.egoiverify.lifecycle.streams.bench;

import static org.awaitility.Awaitility.await;

import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.streams.BoundedRocksDbMemory;
import io.egoiverify.lifecycle.streams.LifecycleOptions;
import io.egoiverify.lifecycle.streams.LifecycleService;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Sustained input rate of one LifecycleService instance (one stream thread, exactly_once_v2, RocksDB) against the
 * in-process broker: a backlog of requests, then submissions (answered NOT_SENT_YET) and cancels is pre-produced,
 * and the rate is the committed input offsets over time once processing has started.
 */
final class ThroughputBenchmark {
    private static final int PARTITIONS = 2;
    final Map<String, Object> results = new LinkedHashMap<>();
    private final boolean guarded;

    ThroughputBenchmark(boolean guarded) {
        this.guarded = guarded;
    }

    ThroughputBenchmark() {
        this(false);
    }

    void run(int perKind) throws Exception {
        try (KafkaClusterTestKit kit = BenchBroker.start()) {
            measure(kit.bootstrapServers(), perKind);
        }
    }

    private void measure(String bootstrap, int perKind) throws Exception {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        Topics topics = new Topics(TopicNames.defaults(), registry,
                new AvroSerdeConfig("mock://bench", null, true, false));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> all = topics.names.all().values().stream()
                    .map(n -> new NewTopic(n, PARTITIONS, (short) 1)).toList();
            admin.createTopics(all).all().get();
            long produceStart = System.nanoTime();
            int total = produce(bootstrap, topics, perKind);
            results.put("inputEvents", total);
            results.put("produceSeconds", (System.nanoTime() - produceStart) / 1e9);
            LifecycleConfig config = LifecycleConfig.defaults().withApplicationId("bench-lifecycle");
            if (guarded) {
                config = config.withAbuse(io.egoiverify.lifecycle.AbuseLimits.defaults(
                        "bench-number-key-0123456789abcdefgh".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            results.put("perNumberLimits", guarded);
            // -Dbench.guardIssuesCommands=true|false: which side issues the granted sends (default: the lifecycle's)
            String issues = System.getProperty("bench.guardIssuesCommands");
            boolean guardIssues = issues == null ? config.guardIssuesCommands() : Boolean.parseBoolean(issues);
            config = config.withGuardIssuesCommands(guardIssues);
            results.put("guardIssuesCommands", guarded && guardIssues);
            LifecycleService service = new LifecycleService(LifecycleOptions.of(topics, config));
            Properties props = new Properties();
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("lifecycle-bench").toString());
            // -Dbench.commitIntervalMs=N: the commit-interval curve (issue 13); default: the lifecycle's default
            String interval = System.getProperty("bench.commitIntervalMs");
            if (interval != null) {
                props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, interval);
            }
            results.put("commitIntervalMs", interval == null ? "default" : interval);
            // -Dbench.rocksdbMb=N: the application's bounded RocksDB memory (lifecycle.rocksdb-memory-mb), as the
            // application sets it; default: RocksDB's defaults per store
            long rocksDbMb = Long.getLong("bench.rocksdbMb", 0);
            if (rocksDbMb > 0) {
                props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName());
                props.put(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, rocksDbMb << 20);
            }
            results.put("rocksdbMb", rocksDbMb);
            service.start(props);
            try {
                sample(admin, topics, total);
            } finally {
                service.close(Duration.ofSeconds(30));
            }
        }
    }

    private int produce(String bootstrap, Topics topics, int perKind) throws Exception {
        Map<String, Object> p = new java.util.HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // requestedAt an hour ahead: the send deadline then counts from processing (min(requestedAt, now)), so no
        // request of the backlog takes the "too old" shortcut however long the backlog waits.
        Instant t = Instant.now().plus(Duration.ofHours(1));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < perKind; i++) {
                String id = "b-" + i;
                producer.send(new ProducerRecord<>(topics.requested.name(), id, topics.requested.valueSerde()
                        .serializer().serialize(topics.requested.name(), Fixtures.request(id, t)
                                .setPhoneNumber(guarded ? String.format("+35191%07d", i) : Fixtures.PHONE).build())));
            }
            for (int i = 0; i < perKind; i++) {
                String id = "b-" + i;
                producer.send(new ProducerRecord<>(topics.codeSubmitted.name(), id, topics.codeSubmitted.valueSerde()
                        .serializer().serialize(topics.codeSubmitted.name(),
                                Fixtures.submit(id, "s-" + i, "123456", t))));
            }
            for (int i = 0; i < perKind; i++) {
                String id = "b-" + i;
                producer.send(new ProducerRecord<>(topics.cancelRequested.name(), id,
                        topics.cancelRequested.valueSerde().serializer().serialize(topics.cancelRequested.name(),
                                Fixtures.cancel(id, "bench", t))));
            }
            producer.flush();
        }
        return 3 * perKind;
    }

    private void sample(Admin admin, Topics topics, int total) throws Exception {
        List<TopicPartition> inputs = new ArrayList<>();
        for (String t : topics.names.inputs()) {
            for (int p = 0; p < PARTITIONS; p++) {
                inputs.add(new TopicPartition(t, p));
            }
        }
        // What reached the log, not what was sent: a send that failed (the in-process broker answered
        // OUT_OF_ORDER_SEQUENCE_NUMBER to the input producer in one run) would otherwise be waited for until the timeout.
        Map<TopicPartition, OffsetSpec> latest = inputs.stream().collect(Collectors.toMap(tp -> tp,
                tp -> OffsetSpec.latest()));
        long inLog = admin.listOffsets(latest).all().get().values().stream()
                .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        results.put("inputEventsInLog", inLog);
        if (inLog != total) {
            results.put("inputEventsNotWritten", total - inLog);
        }
        long[] start = {0, 0}; // nanoTime and committed offsets when the first input was committed
        long[] last = {0, 0};
        List<String> timeline = new ArrayList<>();
        try {
            // sampled every 200 ms until every input offset is committed: the timeline is the samples
            await("every input committed").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        Map<TopicPartition, OffsetAndMetadata> committed = admin
                                .listConsumerGroupOffsets("bench-lifecycle").partitionsToOffsetAndMetadata().get();
                        long done = inputs.stream().map(committed::get).filter(java.util.Objects::nonNull)
                                .mapToLong(OffsetAndMetadata::offset).sum();
                        long now = System.nanoTime();
                        if (start[0] == 0 && done > 0) {
                            start[0] = now;
                            start[1] = done;
                        }
                        if (start[0] != 0) {
                            timeline.add(String.format("%.1fs:%d", (now - start[0]) / 1e9, done));
                        }
                        last[0] = now;
                        last[1] = done;
                        return done >= inLog;
                    });
        } catch (ConditionTimeoutException e) {
            results.put("error", "did not finish within 10 minutes");
            results.put("unused", admin.listOffsets(Map.of(inputs.get(0), OffsetSpec.latest())).all().get().size());
            return;
        }
        double seconds = (last[0] - start[0]) / 1e9;
        results.put("measuredEvents", inLog - start[1]);
        results.put("seconds", seconds);
        results.put("eventsPerSecond", (inLog - start[1]) / seconds);
        results.put("timeline", timeline.stream().filter(s -> timeline.indexOf(s) % 5 == 0)
                .collect(Collectors.joining(" ")));
    }
}
