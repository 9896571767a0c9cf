package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The low-watermark sweep both processors use: what is due, in order, capped, and nothing scanned twice. */
@Timeout(10)
class DeadlineIndexTest {
    private KeyValueStore<Bytes, byte[]> store;

    @BeforeEach
    void store() throws IOException {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "deadline-index-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(props, new TaskId(0, 0),
                Files.createTempDirectory("deadline-index").toFile());
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("index"), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
    }

    private static Instant at(long millis) {
        return Instant.ofEpochMilli(millis);
    }

    private static List<String> ids(List<DeadlineIndex.Entry> entries) {
        return entries.stream().map(DeadlineIndex.Entry::id).toList();
    }

    @Test
    void returnsWhatIsDueInTimeOrderAndNothingLater() {
        DeadlineIndex index = new DeadlineIndex(store, 100, at -> { });
        index.move("c", null, at(3_000));
        index.move("a", null, at(1_000));
        index.move("b", null, at(2_000));
        index.move("later", null, at(9_000));
        List<DeadlineIndex.Entry> due = index.due(3_000);
        assertThat(ids(due)).containsExactly("a", "b", "c");
        assertThat(due.get(0).wakeAt()).isEqualTo(1_000);
    }

    @Test
    void aSweepStartsAfterWhatTheLastOneCoveredUnlessAnEarlierEntryWasFiled() {
        DeadlineIndex index = new DeadlineIndex(store, 100, at -> { });
        index.move("a", null, at(1_000));
        assertThat(ids(index.due(5_000))).containsExactly("a");
        // The next sweep starts after 5,000: "a" (left in place here) is not scanned again.
        assertThat(index.due(6_000)).isEmpty();
        assertThat(index.lowWatermark()).isEqualTo(6_001);
        // An entry filed earlier than the watermark lowers it, so it is not missed.
        index.move("b", null, at(2_000));
        assertThat(index.lowWatermark()).isEqualTo(2_000);
        assertThat(ids(index.due(6_000))).containsExactly("b");
    }

    @Test
    void theCapLeavesTheRestForTheNextSweep() {
        DeadlineIndex index = new DeadlineIndex(store, 2, at -> { });
        for (int i = 0; i < 5; i++) {
            index.move("id-" + i, null, at(1_000 + i));
        }
        List<DeadlineIndex.Entry> first = index.due(10_000);
        assertThat(ids(first)).containsExactly("id-0", "id-1");
        first.forEach(e -> index.move(e.id(), at(e.wakeAt()), null));
        assertThat(ids(index.due(10_000))).containsExactly("id-2", "id-3");
    }

    @Test
    void movingRefilesAndEqualInstantsWriteNothing() {
        DeadlineIndex index = new DeadlineIndex(store, 100, at -> { });
        index.move("a", null, at(1_000));
        index.move("a", at(1_000), at(4_000));
        index.move("a", at(4_000), at(4_000));
        assertThat(index.due(3_000)).isEmpty();
        List<DeadlineIndex.Entry> due = index.due(4_000);
        assertThat(ids(due)).containsExactly("a");
        assertThat(due.get(0).matches(at(4_000))).isTrue();
        assertThat(due.get(0).matches(at(1_000))).isFalse();
        assertThat(due.get(0).matches(null)).isFalse();
        index.move("a", at(4_000), null);
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void aStaleEntryIsDiscarded() {
        DeadlineIndex index = new DeadlineIndex(store, 100, at -> { });
        index.move("a", null, at(1_000));
        index.discard(index.due(1_000).get(0));
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void nextIsTheEarliestEntryTheNextSweepScansAndEveryFiledInstantIsTold() {
        List<Long> told = new ArrayList<>();
        DeadlineIndex index = new DeadlineIndex(store, 100, told::add);
        assertThat(index.next()).isEmpty();
        index.move("b", null, at(2_000));
        index.move("a", null, at(1_000));
        index.move("a", at(1_000), at(1_000)); // nothing written, nothing told
        assertThat(told).containsExactly(2_000L, 1_000L);
        assertThat(index.next()).hasValue(1_000);
        assertThat(ids(index.due(1_500))).containsExactly("a");
        index.move("a", at(1_000), null);
        assertThat(index.next()).hasValue(2_000);
        index.move("b", at(2_000), null);
        assertThat(index.next()).isEmpty();
        assertThat(told).containsExactly(2_000L, 1_000L);
    }

    @Test
    void nextIsAtOrBeforeTheSweepWhenTheCapLeftEntriesDue() {
        DeadlineIndex index = new DeadlineIndex(store, 2, at -> { });
        for (int i = 0; i < 3; i++) {
            index.move("id-" + i, null, at(1_000 + i));
        }
        index.due(10_000).forEach(e -> index.move(e.id(), at(e.wakeAt()), null));
        assertThat(index.next()).hasValue(1_002);
    }

    @Test
    void entriesNotHandledBecauseTheSweepThrewAreDueAgain() {
        DeadlineIndex index = new DeadlineIndex(store, 100, at -> { });
        index.move("a", null, at(1_000));
        index.move("b", null, at(1_000));
        index.move("c", null, at(1_100));
        List<String> handled = new ArrayList<>();
        assertThatThrownBy(() -> index.sweep(1_250, e -> {
            if (e.id().equals("b")) {
                throw new IllegalStateException("b cannot be handled now");
            }
            handled.add(e.id());
            index.move(e.id(), at(e.wakeAt()), null);
        })).hasMessageContaining("b cannot");
        assertThat(handled).containsExactly("a");
        // The next sweep starts at the entry it threw on: nothing after it is stranded.
        assertThat(index.next()).hasValue(1_000);
        assertThat(index.sweep(1_500, e -> handled.add(e.id()))).isEqualTo(2);
        assertThat(handled).containsExactly("a", "b", "c");
        assertThat(index.lowWatermark()).isEqualTo(1_501);
    }
}
