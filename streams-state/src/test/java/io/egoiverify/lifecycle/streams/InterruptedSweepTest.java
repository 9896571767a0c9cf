package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.VerificationExpired;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.Lifecycle;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.VerificationState;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A deadline sweep that stops on an exception strands nothing: what it had not handled is due at the next sweep.
 * (Such an exception fails the task, and a re-created task starts its index from the beginning; the index does not
 * rely on that.)
 */
@Timeout(30)
class InterruptedSweepTest {
    private static final LifecycleConfig CONFIG = LifecycleConfig.defaults();

    @Test
    void expiriesAfterOneWhoseHookThrewAreDueAtTheNextSweep() throws IOException {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "interrupted-sweep-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        MockProcessorContext<String, Object> context = new MockProcessorContext<>(props, new TaskId(0, 0),
                Files.createTempDirectory("interrupted-sweep").toFile());
        KeyValueStore<String, VerificationState> verifications = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(LifecycleTopology.VERIFICATIONS_STORE), Serdes.String(),
                new StateSerde()).withLoggingDisabled().build();
        KeyValueStore<Bytes, byte[]> deadlines = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(LifecycleTopology.DEADLINES_STORE), Serdes.Bytes(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        verifications.init(context.getStateStoreContext(), verifications);
        deadlines.init(context.getStateStoreContext(), deadlines);
        context.addStateStore(verifications);
        context.addStateStore(deadlines);
        AtomicInteger expiries = new AtomicInteger();
        LifecycleMetrics throwingOnce = lagMillis -> {
            if (expiries.incrementAndGet() == 1) {
                throw new IllegalStateException("meter registry closed");
            }
        };
        LifecycleProcessor processor = new LifecycleProcessor(new Lifecycle(CONFIG), throwingOnce);
        long t0 = Fixtures.T0.toEpochMilli();
        context.setCurrentSystemTimeMs(t0);
        processor.init(context);
        // Three codes sent at once: they run out in the same sweep.
        for (String id : List.of("r1", "r2", "r3")) {
            processor.process(new Record<>(id, Fixtures.request(id, Fixtures.T0).build(), t0));
            VerificationCommand send = (VerificationCommand) context.forwarded().get(0).record().value();
            context.resetForwards();
            processor.process(new Record<>(id, Fixtures.result(id, send.getCommandId(), CommandStatus.SENT,
                    Fixtures.T0), t0));
            context.resetForwards();
        }
        long expiresAt = t0 + 60_000;
        assertThatThrownBy(() -> processor.punctuate(expiresAt)).hasMessageContaining("meter registry");
        assertThat(expired(context)).containsExactly("r1");
        processor.punctuate(expiresAt + 250);
        assertThat(expired(context)).containsExactly("r1", "r2", "r3");
        assertThat(expiries.get()).isEqualTo(3);
    }

    private static List<String> expired(MockProcessorContext<String, Object> context) {
        return context.forwarded().stream().map(f -> f.record().value())
                .filter(v -> v instanceof VerificationExpired).map(v -> ((VerificationExpired) v).getRequestId())
                .toList();
    }
}
