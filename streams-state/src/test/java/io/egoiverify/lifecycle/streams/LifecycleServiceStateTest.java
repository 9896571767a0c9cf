package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, item 5: readiness and the status query read the service's state while {@code close} runs (seconds: Streams
 * commits, leaves the group and closes its stores). Those reads must not wait for it. Holding the service's monitor
 * stands for a {@code close} in progress.
 */
@Timeout(30)
class LifecycleServiceStateTest {

    @Test
    void stateIsReadableWhileCloseIsInProgress() throws Exception {
        LifecycleService service = new LifecycleService(LifecycleOptions.of(new Topics(TopicNames.withPrefix(""),
                new InMemorySchemaRegistry(), new AvroSerdeConfig("mock://state", null, true, false)),
                LifecycleConfig.defaults()));
        CountDownLatch closing = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            synchronized (service) {
                closing.countDown();
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        closer.start();
        closing.await();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
                assertThat(service.state()).isEqualTo(KafkaStreams.State.CREATED);
                assertThat(service.isRunning()).isFalse();
                assertThat(service.kafkaStreams()).isNull();
            });
        } finally {
            closed.countDown();
            closer.join();
        }
    }
}
