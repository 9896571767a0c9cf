package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** What the bounded setter sets on a store's options, as Kafka Streams hands them over. */
class BoundedRocksDbMemoryTest {
    private static final long MIB = 1024L * 1024L;

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void writeBufferIsTheStoresShareOfTheMemtables() {
        assertThat(BoundedRocksDbMemory.writeBufferBytes(256 * MIB)).isEqualTo(MIB);
        assertThat(BoundedRocksDbMemory.writeBufferBytes(1024 * MIB)).isEqualTo(4 * MIB);
        assertThat(BoundedRocksDbMemory.writeBufferBytes(16 * MIB)).isEqualTo(256 * 1024L);
        assertThat(BoundedRocksDbMemory.writeBufferBytes(65_536 * MIB)).isEqualTo(16 * MIB);
    }

    @Test
    void storeGetsTheSharedCacheTheWriteBufferManagerAndItsWriteBuffer() {
        try (Options options = new Options()) {
            options.setTableFormatConfig(new BlockBasedTableConfig());
            options.setWriteBufferSize(16 * MIB); // Kafka Streams' own default, set before the setter runs
            new BoundedRocksDbMemory().setConfig("store", options,
                    Map.of(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, 256 * MIB));
            long budget = BoundedRocksDbMemory.sharedTotalBytes(); // the first store of this JVM set it
            assertThat(options.writeBufferSize()).isEqualTo(BoundedRocksDbMemory.writeBufferBytes(budget));
            assertThat(options.writeBufferManager()).isNotNull();
            BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
            assertThat(table.cacheIndexAndFilterBlocks()).isTrue();
            assertThat(table.cacheIndexAndFilterBlocksWithHighPriority()).isTrue();
            assertThat(table.pinTopLevelIndexAndFilter()).isTrue();
        }
    }

    @Test
    void budgetMustBePositive() {
        try (Options options = new Options()) {
            assertThatThrownBy(() -> new BoundedRocksDbMemory().setConfig("store", options,
                    Map.of(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, 0L)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
