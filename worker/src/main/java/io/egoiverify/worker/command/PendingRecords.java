package io.egoiverify.worker.command;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of the open transaction, kept until it commits (so that an aborted transaction can be sent again), and
 * the records of aborted transactions whose partitions are suspended by a rebalance (parked until the partition comes
 * back or goes). Each record carries the command partition it answers and the progress that took that command: a
 * partition can come back under a new progress (another member committed it meanwhile), and a record of the old one
 * must then not be sent. Poll thread only.
 */
final class PendingRecords {
    private static final Logger LOG = LoggerFactory.getLogger(PendingRecords.class);

    /** A record, the command partition it answers and the progress of that partition that took the command. */
    record Pending(TopicPartition source, PartitionProgress producedBy, ProducerRecord<byte[], byte[]> record) {
    }

    /** What becomes of a kept record, by the partition whose command it answers and the progress that took it. */
    enum Fate {
        /** Owned, by the same progress: into the next transaction. */
        SEND,
        /** Suspended by a rebalance: kept aside until the partition comes back or goes. */
        PARK,
        /**
         * Gone to another instance, or back under a new progress: dropped (its command was not committed by this
         * instance; whoever owns it now runs it, or committed it already).
         */
        DROP
    }

    private final List<Pending> open = new ArrayList<>();
    private final List<Pending> parked = new ArrayList<>();

    void add(TopicPartition source, PartitionProgress producedBy, ProducerRecord<byte[], byte[]> record) {
        open.add(new Pending(source, producedBy, record));
    }

    /** Records of the open transaction. */
    int size() {
        return open.size();
    }

    /** The open transaction committed. */
    void committed() {
        open.clear();
    }

    /** After an abort: the open records and the parked ones by {@code fate}; returns those to send again. */
    List<Pending> takeAll(BiFunction<TopicPartition, PartitionProgress, Fate> fate) {
        List<Pending> all = new ArrayList<>(open);
        open.clear();
        all.addAll(parked);
        parked.clear();
        return route(all, fate);
    }

    /** The parked records by {@code fate}; returns those to send again. */
    List<Pending> takeParked(BiFunction<TopicPartition, PartitionProgress, Fate> fate) {
        List<Pending> all = new ArrayList<>(parked);
        parked.clear();
        return route(all, fate);
    }

    private List<Pending> route(List<Pending> records, BiFunction<TopicPartition, PartitionProgress, Fate> fate) {
        List<Pending> send = new ArrayList<>();
        for (Pending p : records) {
            switch (fate.apply(p.source(), p.producedBy())) {
                case SEND -> send.add(p);
                case PARK -> parked.add(p);
                case DROP -> LOG.debug("Dropping a result for {}: partition gone", p.source());
                default -> throw new IllegalStateException();
            }
        }
        return send;
    }
}
