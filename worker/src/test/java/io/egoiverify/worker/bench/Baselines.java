package io.egoiverify.worker.bench;

import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.SendRequest;
import io.egoiverify.worker.egoi.SenderProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the worker is measured against besides parallel-consumer: the HTTP ceiling and a naive consumer. */
final class Baselines {
    private final BenchLoad load;
    private final EgoiClient client;
    private final SenderProfile profile = WorkerBenchmark.PROFILES.find("default").orElseThrow();

    Baselines(BenchLoad load, EgoiClient client) {
        this.load = load;
        this.client = client;
    }

    /** (0) the HTTP ceiling: the client and the sandbox alone, {@code concurrency} calls in flight, no Kafka. */
    double httpOnly(int calls, int concurrency) throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        CountDownLatch done = new CountDownLatch(calls);
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            slots.acquire();
            client.send(profile, new SendRequest("+3519" + (20_000_000 + i), "numeric", 6, 60, "{CODE}", null))
                    .whenComplete((r, e) -> {
                        slots.release();
                        done.countDown();
                    });
        }
        done.await();
        return calls / ((System.nanoTime() - t0) / 1e9);
    }

    /** (3) poll → blocking call → produce, one record at a time, committing after each batch, for {@code window}. */
    int naive(Duration window) throws Exception {
        Topics topics = load.topics("naive");
        load.produce(topics, 2000, 0, null);
        Map<String, Object> cprops = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, load.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "naive", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
        Map<String, Object> pprops = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, load.bootstrap());
        int done = 0;
        try (KafkaConsumer<String, VerificationCommand> c = new KafkaConsumer<>(cprops, new StringDeserializer(),
                topics.commands.valueSerde().deserializer());
             KafkaProducer<String, String> p = new KafkaProducer<>(pprops, new StringSerializer(),
                     new StringSerializer())) {
            c.subscribe(List.of(topics.names.commands()));
            long end = System.nanoTime() + window.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, VerificationCommand> r : c.poll(Duration.ofMillis(50))) {
                    SendCode s = (SendCode) r.value().getAction();
                    var result = client.send(profile, new SendRequest(s.getPhoneNumber(), s.getCodeType(),
                            s.getCodeSize(), s.getTtlSeconds(), s.getMessage(), null)).get();
                    p.send(new ProducerRecord<>(topics.names.results(), r.key(), result.describe())).get();
                    done++;
                }
                c.commitSync();
            }
        }
        return done;
    }
}
