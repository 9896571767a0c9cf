package io.egoiverify.lifecycle.streams.bench;

import io.egoiverify.lifecycle.streams.BoundedRocksDbMemory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.CompactionJobInfo;
import org.rocksdb.CompactionJobStats;
import org.rocksdb.CompactionStyle;
import org.rocksdb.FlushJobInfo;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.Priority;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Statistics;
import org.rocksdb.TableProperties;
import org.rocksdb.TickerType;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteStallCondition;
import org.rocksdb.WriteStallInfo;

/**
 * The memory benchmark's RocksDB setter (bench only): the application's {@link BoundedRocksDbMemory}, or RocksDB's
 * per-store defaults as Kafka Streams sets them, then the overrides of one variant under measurement, then
 * instruments that count what RocksDB does (flushes, compactions, write stalls). Every store of the JVM shares the
 * counters; each store has its own {@link Statistics} (Kafka Streams closes a store's statistics with the store).
 *
 * <p>The variant is a comma-separated list of {@code key=value} in the Streams configuration under
 * {@link #VARIANT_CONFIG}: {@code mb} (budget in MiB, 0 = no bound), {@code share} (memtable share of the budget; with
 * it this setter builds its own cache and write buffer manager the way {@link BoundedRocksDbMemory} does, otherwise
 * that class is used as is), {@code stall} (1: the write buffer manager stalls writes instead of only flushing),
 * {@code wbs} (write buffer size, MiB), {@code wbn} (max write buffer number), {@code merge} (min write buffers to
 * merge), {@code l0}, {@code l0slow}, {@code l0stop} (level-0 file triggers), {@code jobs} (max background jobs),
 * {@code flushThreads} and {@code lowThreads} (the shared Env's HIGH and LOW pools), {@code style} (level, universal),
 * {@code arenaKb}, {@code stats} (1: a {@link Statistics} per store; off by default).
 */
public final class RocksDbBenchSetter implements RocksDBConfigSetter {
    static final String VARIANT_CONFIG = "egoi.bench.rocksdb.variant";
    static final Instruments INSTRUMENTS = new Instruments();
    private static Cache ownCache;
    private static WriteBufferManager ownWriteBuffers;

    static Map<String, String> parse(String variant) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : variant.split(",")) {
            if (!kv.isBlank()) {
                String[] p = kv.split("=", 2);
                m.put(p[0].trim(), p.length > 1 ? p[1].trim() : "");
            }
        }
        return m;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Map<String, String> v = parse(String.valueOf(configs.getOrDefault(VARIANT_CONFIG, "")));
        long mb = Long.parseLong(v.getOrDefault("mb", "0"));
        if (mb > 0) {
            if (v.containsKey("share") || v.containsKey("stall")) {
                ownSplit(options, mb << 20, Double.parseDouble(v.getOrDefault("share", "0.5")),
                        "1".equals(v.get("stall")));
            } else {
                new BoundedRocksDbMemory().setConfig(storeName, options, configs);
            }
        }
        if (v.containsKey("wbs")) {
            options.setWriteBufferSize(Long.parseLong(v.get("wbs")) << 20);
        }
        if (v.containsKey("wbn")) {
            options.setMaxWriteBufferNumber(Integer.parseInt(v.get("wbn")));
        }
        if (v.containsKey("merge")) {
            options.setMinWriteBufferNumberToMerge(Integer.parseInt(v.get("merge")));
        }
        if (v.containsKey("l0")) {
            options.setLevel0FileNumCompactionTrigger(Integer.parseInt(v.get("l0")));
        }
        if (v.containsKey("l0slow")) {
            options.setLevel0SlowdownWritesTrigger(Integer.parseInt(v.get("l0slow")));
        }
        if (v.containsKey("l0stop")) {
            options.setLevel0StopWritesTrigger(Integer.parseInt(v.get("l0stop")));
        }
        if (v.containsKey("jobs")) {
            options.setMaxBackgroundJobs(Integer.parseInt(v.get("jobs")));
        }
        if (v.containsKey("flushThreads")) {
            options.getEnv().setBackgroundThreads(Integer.parseInt(v.get("flushThreads")), Priority.HIGH);
        }
        if (v.containsKey("lowThreads")) {
            options.getEnv().setBackgroundThreads(Integer.parseInt(v.get("lowThreads")), Priority.LOW);
        }
        if (v.containsKey("style")) {
            options.setCompactionStyle(CompactionStyle.valueOf(v.get("style").toUpperCase(Locale.ROOT)));
        }
        if (v.containsKey("arenaKb")) {
            options.setArenaBlockSize(Long.parseLong(v.get("arenaKb")) << 10);
        }
        if ("1".equals(v.get("stats"))) {
            Statistics statistics = new Statistics();
            options.setStatistics(statistics);
            INSTRUMENTS.add(statistics);
        }
        options.setListeners(List.of(INSTRUMENTS.listener));
        INSTRUMENTS.settings.putIfAbsent("writeBufferSize", options.writeBufferSize());
        INSTRUMENTS.settings.putIfAbsent("maxWriteBufferNumber", (long) options.maxWriteBufferNumber());
        INSTRUMENTS.settings.putIfAbsent("minWriteBufferNumberToMerge", (long) options.minWriteBufferNumberToMerge());
        INSTRUMENTS.settings.putIfAbsent("level0FileNumCompactionTrigger",
                (long) options.level0FileNumCompactionTrigger());
        INSTRUMENTS.settings.putIfAbsent("level0SlowdownWritesTrigger", (long) options.level0SlowdownWritesTrigger());
        INSTRUMENTS.settings.putIfAbsent("level0StopWritesTrigger", (long) options.level0StopWritesTrigger());
        INSTRUMENTS.settings.putIfAbsent("maxBackgroundJobs", (long) options.maxBackgroundJobs());
        INSTRUMENTS.settings.putIfAbsent("arenaBlockSize", options.arenaBlockSize());
        INSTRUMENTS.settings.putIfAbsent("envHighThreads", (long) options.getEnv().getBackgroundThreads(
                Priority.HIGH));
        INSTRUMENTS.settings.putIfAbsent("envLowThreads", (long) options.getEnv().getBackgroundThreads(Priority.LOW));
        INSTRUMENTS.settings.putIfAbsent("compactionStyle", options.compactionStyle().name());
    }

    @Override
    public void close(String storeName, Options options) {
        // shared cache, write buffer manager and listener: never closed with one store
    }

    private static synchronized void ownSplit(Options options, long totalBytes, double share, boolean allowStall) {
        if (ownCache == null) {
            ownCache = new LRUCache(totalBytes, -1, false, 0.1);
            ownWriteBuffers = new WriteBufferManager((long) (totalBytes * share), ownCache, allowStall);
        }
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(ownCache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(ownWriteBuffers);
        options.setTableFormatConfig(table);
    }

    /** Counters over every store of this JVM since it started. */
    static final class Instruments {
        private static final Pattern CUMULATIVE_STALL = Pattern.compile(
                "Cumulative stall: (\\d+):(\\d+):([\\d.]+) H:M:S");
        static {
            RocksDB.loadLibrary(); // the listener is a native object, made before any store loads the library
        }

        final Map<String, Object> settings = new ConcurrentSkipListMap<>();
        final AtomicLong flushes = new AtomicLong();
        final AtomicLong flushBytes = new AtomicLong();
        final AtomicLong flushEntries = new AtomicLong();
        final AtomicLong flushesTriggeredSlowdown = new AtomicLong();
        final AtomicLong flushesTriggeredStop = new AtomicLong();
        final AtomicLong compactions = new AtomicLong();
        final AtomicLong compactionInputBytes = new AtomicLong();
        final AtomicLong compactionOutputBytes = new AtomicLong();
        final AtomicLong compactionMicros = new AtomicLong();
        final AtomicLong compactionInputFiles = new AtomicLong();
        final AtomicLong stallEvents = new AtomicLong();
        final AtomicLong stopEvents = new AtomicLong();
        private final Map<String, Long> flushReasons = new TreeMap<>();
        private final Map<String, Long> compactionReasons = new TreeMap<>();
        private final List<Statistics> statistics = new ArrayList<>();
        /**
         * The stores that flushed, as the listener got them (not owning the native handle): read only while no store
         * closes, that is during the restore.
         */
        private final Map<Long, RocksDB> databases = new ConcurrentHashMap<>();
        /** Column families (over all stores) not in NORMAL write condition, and of them STOPPED. */
        private int stalledNow;
        private int stoppedNow;
        private long stalledSinceNanos;
        private long stoppedSinceNanos;
        private long stalledNanos;
        private long stoppedNanos;
        final AbstractEventListener listener = new AbstractEventListener(
                AbstractEventListener.EnabledEventCallback.ON_FLUSH_COMPLETED,
                AbstractEventListener.EnabledEventCallback.ON_COMPACTION_COMPLETED,
                AbstractEventListener.EnabledEventCallback.ON_STALL_CONDITIONS_CHANGED) {
            @Override
            public void onFlushCompleted(RocksDB db, FlushJobInfo info) {
                databases.putIfAbsent(db.getNativeHandle(), db);
                flushes.incrementAndGet();
                TableProperties t = info.getTableProperties();
                if (t != null) {
                    flushBytes.addAndGet(t.getDataSize() + t.getIndexSize() + t.getFilterSize());
                    flushEntries.addAndGet(t.getNumEntries());
                }
                if (info.isTriggeredWritesSlowdown()) {
                    flushesTriggeredSlowdown.incrementAndGet();
                }
                if (info.isTriggeredWritesStop()) {
                    flushesTriggeredStop.incrementAndGet();
                }
                synchronized (flushReasons) {
                    flushReasons.merge(String.valueOf(info.getFlushReason()), 1L, Long::sum);
                }
            }

            @Override
            public void onCompactionCompleted(RocksDB db, CompactionJobInfo info) {
                compactions.incrementAndGet();
                CompactionJobStats s = info.stats();
                compactionInputBytes.addAndGet(s.totalInputBytes());
                compactionOutputBytes.addAndGet(s.totalOutputBytes());
                compactionMicros.addAndGet(s.elapsedMicros());
                compactionInputFiles.addAndGet(s.numInputFiles());
                synchronized (compactionReasons) {
                    compactionReasons.merge(String.valueOf(info.compactionReason()), 1L, Long::sum);
                }
            }

            @Override
            public void onStallConditionsChanged(WriteStallInfo info) {
                stallChanged(info.getPreviousCondition(), info.getCurrentCondition());
            }
        };

        /**
         * RocksDB's own DB statistics over the stores that flushed: cumulative write stall time (ms) from
         * {@code rocksdb.dbstats}, and how many of them stop writes now ({@code rocksdb.is-write-stopped}). Only while
         * no store closes.
         */
        long[] dbStalls() {
            long stallMs = 0;
            long stopped = 0;
            for (RocksDB db : databases.values()) {
                try {
                    Matcher m = CUMULATIVE_STALL.matcher(db.getProperty("rocksdb.dbstats"));
                    if (m.find()) {
                        stallMs += (long) ((Long.parseLong(m.group(1)) * 3600 + Long.parseLong(m.group(2)) * 60
                                + Double.parseDouble(m.group(3))) * 1000);
                    }
                    stopped += db.getLongProperty("rocksdb.is-write-stopped");
                } catch (RocksDBException e) {
                    // a property this store cannot give: left out
                }
            }
            return new long[] {stallMs, stopped, databases.size()};
        }

        synchronized void add(Statistics s) {
            statistics.add(s);
        }

        private synchronized void stallChanged(WriteStallCondition previous, WriteStallCondition current) {
            long now = System.nanoTime();
            boolean wasStalled = previous != WriteStallCondition.NORMAL;
            boolean isStalled = current != WriteStallCondition.NORMAL;
            if (!wasStalled && isStalled) {
                stallEvents.incrementAndGet();
                if (stalledNow++ == 0) {
                    stalledSinceNanos = now;
                }
            } else if (wasStalled && !isStalled && --stalledNow == 0) {
                stalledNanos += now - stalledSinceNanos;
            }
            boolean wasStopped = previous == WriteStallCondition.STOPPED;
            boolean isStopped = current == WriteStallCondition.STOPPED;
            if (!wasStopped && isStopped) {
                stopEvents.incrementAndGet();
                if (stoppedNow++ == 0) {
                    stoppedSinceNanos = now;
                }
            } else if (wasStopped && !isStopped && --stoppedNow == 0) {
                stoppedNanos += now - stoppedSinceNanos;
            }
        }

        /** Every counter so far (times in ms), and the RocksDB statistics tickers summed over the open stores. */
        synchronized Map<String, Object> snapshot() {
            long now = System.nanoTime();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("flushes", flushes.get());
            m.put("flushBytes", flushBytes.get());
            m.put("flushEntries", flushEntries.get());
            m.put("flushesTriggeredWritesSlowdown", flushesTriggeredSlowdown.get());
            m.put("flushesTriggeredWritesStop", flushesTriggeredStop.get());
            synchronized (flushReasons) {
                m.put("flushReasons", new TreeMap<>(flushReasons));
            }
            m.put("compactions", compactions.get());
            m.put("compactionInputBytes", compactionInputBytes.get());
            m.put("compactionOutputBytes", compactionOutputBytes.get());
            m.put("compactionInputFiles", compactionInputFiles.get());
            m.put("compactionElapsedMs", compactionMicros.get() / 1000);
            synchronized (compactionReasons) {
                m.put("compactionReasons", new TreeMap<>(compactionReasons));
            }
            m.put("stallTransitions", stallEvents.get());
            m.put("stopTransitions", stopEvents.get());
            m.put("anyStoreStalledMs", (stalledNanos + (stalledNow > 0 ? now - stalledSinceNanos : 0)) / 1_000_000);
            m.put("anyStoreStoppedMs", (stoppedNanos + (stoppedNow > 0 ? now - stoppedSinceNanos : 0)) / 1_000_000);
            m.put("storesStalledNow", (long) stalledNow);
            long stallMicros = 0;
            long flushWrite = 0;
            long compactRead = 0;
            long compactWrite = 0;
            long bytesWritten = 0;
            long keysWritten = 0;
            long compactionCpuMicros = 0;
            for (Statistics s : statistics) {
                if (!s.isOwningHandle()) {
                    continue;
                }
                stallMicros += s.getTickerCount(TickerType.STALL_MICROS);
                flushWrite += s.getTickerCount(TickerType.FLUSH_WRITE_BYTES);
                compactRead += s.getTickerCount(TickerType.COMPACT_READ_BYTES);
                compactWrite += s.getTickerCount(TickerType.COMPACT_WRITE_BYTES);
                bytesWritten += s.getTickerCount(TickerType.BYTES_WRITTEN);
                keysWritten += s.getTickerCount(TickerType.NUMBER_KEYS_WRITTEN);
                compactionCpuMicros += s.getTickerCount(TickerType.COMPACTION_CPU_TOTAL_TIME);
            }
            if (!statistics.isEmpty()) {
                m.put("statStallMs", stallMicros / 1000);
                m.put("statFlushWriteBytes", flushWrite);
                m.put("statCompactReadBytes", compactRead);
                m.put("statCompactWriteBytes", compactWrite);
                m.put("statBytesWritten", bytesWritten);
                m.put("statKeysWritten", keysWritten);
                m.put("statCompactionCpuMs", compactionCpuMicros / 1000);
            }
            return m;
        }
    }
}
