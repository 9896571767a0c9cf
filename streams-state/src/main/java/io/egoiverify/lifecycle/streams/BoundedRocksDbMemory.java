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
 * <p>Kafka Streams instantiates the setter itself, so the budget travels in the Streams configuration under
 * {@link #TOTAL_BYTES_CONFIG}. The cache is shared by the whole JVM and made once, by the first store.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** The Streams configuration key of the budget in bytes (block cache and memtables together). */
    public static final String TOTAL_BYTES_CONFIG = "egoi.verify.rocksdb.total.memory.bytes";
    /** Memtables may use up to half of the budget; the rest caches blocks. */
    static final double MEMTABLE_SHARE = 0.5;
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
        options.setTableFormatConfig(table);
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
            LOG.info("RocksDB stores share {} MiB off-heap (block cache and memtables)", totalBytes >> 20);
        } else if (shared.totalBytes() != totalBytes) {
            LOG.warn("RocksDB memory already set to {} bytes in this JVM; {} ignored", shared.totalBytes(),
                    totalBytes);
        }
        return shared;
    }
}
