package io.egoiverify.lifecycle.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the off-heap memory of all RocksDB stores of this JVM: one block cache shared by every store, with their
 * memtables charged to it (the bounded-memory setter Kafka Streams' memory-management guide describes). RocksDB's
 * defaults give each store its own 50 MB block cache and up to three 16 MB memtables, so an instance's memory grows
 * with its partitions, stores and standby tasks (four stores per partition here) past any container limit.
 *
 * <p>Each store's write buffer is sized from the budget ({@link #WRITE_BUFFERS_PER_MEMTABLE_SHARE}), not left at Kafka
 * Streams' 16 MiB: with many stores, the other stores' memtables would otherwise hold the memtable share, and the store
 * being written would flush tiny memtables and stop its writes while they wait (measured in a restore).
 *
 * <p>Kafka Streams instantiates the setter itself, so the budget travels in the Streams configuration under
 * {@link #TOTAL_BYTES_CONFIG}. The cache is shared by the whole JVM and made once, by the first store.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** The Streams configuration key of the budget in bytes (block cache and memtables together). */
    public static final String TOTAL_BYTES_CONFIG = "egoi.verify.rocksdb.total.memory.bytes";
    /** Memtables may use up to half of the budget; the rest caches blocks. */
    static final double MEMTABLE_SHARE = 0.5;
    /**
     * Each store's memtable (write buffer) is the memtable share divided by this: 1 MiB of the default 256 MiB budget.
     * When the shared memtables are full, RocksDB's write buffer manager flushes the memtable of the store being
     * written, whatever its size. With Kafka Streams' 16 MiB per store and 84 stores (21 partitions), memtables held
     * more than 100 of the 128 MiB share during most of a restore, which then flushed 27 to 72 KiB at a time and had
     * its writes stopped for 12 to 59 s in restores of 27 to 88 s of 2.5 M records (bench-results/rocksdb-memory,
     * 1 December 2026, second session). With this size each store flushes its own full memtable, and about 100 stores
     * fit under the 7/8 of the share at which the manager forces flushes.
     */
    static final int WRITE_BUFFERS_PER_MEMTABLE_SHARE = 128;
    /** The write buffer size's floor (tiny budgets) and ceiling (Kafka Streams' own per-store default). */
    static final long MIN_WRITE_BUFFER_BYTES = 256L << 10;
    static final long MAX_WRITE_BUFFER_BYTES = 16L << 20;
    /** Index and filter blocks get a high-priority share, so that data blocks cannot evict them. */
    static final double INDEX_FILTER_SHARE = 0.1;
    private static final Logger LOG = LoggerFactory.getLogger(BoundedRocksDbMemory.class);
    private static Shared shared;

    private record Shared(long totalBytes, Cache cache, WriteBufferManager writeBuffers) {
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Shared s = shared(totalBytes(configs));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(s.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(s.writeBuffers());
        options.setWriteBufferSize(writeBufferBytes(s.totalBytes()));
        options.setTableFormatConfig(table);
    }

    /** One store's write buffer size for a budget: its share of the memtables, within the floor and the ceiling. */
    static long writeBufferBytes(long totalBytes) {
        long share = (long) (totalBytes * MEMTABLE_SHARE) / WRITE_BUFFERS_PER_MEMTABLE_SHARE;
        return Math.max(MIN_WRITE_BUFFER_BYTES, Math.min(MAX_WRITE_BUFFER_BYTES, share));
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store of the JVM: never closed with one.
    }

    /** The budget the first store of this JVM set up, in bytes, or 0 before any store opened. */
    static synchronized long sharedTotalBytes() {
        return shared == null ? 0 : shared.totalBytes();
    }

    private static long totalBytes(Map<String, Object> configs) {
        Object v = configs.get(TOTAL_BYTES_CONFIG);
        long bytes = v instanceof Number n ? n.longValue() : v == null ? 0 : Long.parseLong(v.toString().trim());
        if (bytes <= 0) {
            throw new IllegalArgumentException(TOTAL_BYTES_CONFIG + " must be a positive number of bytes: " + v);
        }
        return bytes;
    }

    private static synchronized Shared shared(long totalBytes) {
        if (shared == null) {
            Cache cache = new LRUCache(totalBytes, -1, false, INDEX_FILTER_SHARE);
            shared = new Shared(totalBytes, cache, new WriteBufferManager((long) (totalBytes * MEMTABLE_SHARE),
                    cache));
            LOG.info("RocksDB stores share {} MiB off-heap (block cache and memtables), {} KiB write buffer per store",
                    totalBytes >> 20, writeBufferBytes(totalBytes) >> 10);
        } else if (shared.totalBytes() != totalBytes) {
            LOG.warn("RocksDB memory already set to {} bytes in this JVM; {} ignored", shared.totalBytes(),
                    totalBytes);
        }
        return shared;
    }
}
