package io.egoiverify.worker.command;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of the open transaction, kept until it commits (so that an aborted transaction can be sent again), and
 * the records of aborted transactions whose partitions are suspended by a rebalance (parked until the partition comes
 * back or goes). Each record carries the command partition it answers. Poll thread only.
 */
final class PendingRecords {
    private static final Logger LOG = LoggerFactory.getLogger(PendingRecords.class);

    /** A record and the command partition it answers. */
    record Pending(TopicPartition source, ProducerRecord<byte[], byte[]> record) {
    }

    /** What becomes of a kept record, by the partition whose command it answers. */
    enum Fate {
        /** Owned: into the next transaction. */
        SEND,
        /** Suspended by a rebalance: kept aside until the partition comes back or goes. */
        PARK,
        /** Gone to another instance: dropped (its command was not committed, so its new owner runs it). */
        DROP
    }

    private final List<Pending> open = new ArrayList<>();
    private final List<Pending> parked = new ArrayList<>();

    void add(TopicPartition source, ProducerRecord<byte[], byte[]> record) {
        open.add(new Pending(source, record));
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
    List<Pending> takeAll(Function<TopicPartition, Fate> fate) {
        List<Pending> all = new ArrayList<>(open);
        open.clear();
        all.addAll(parked);
        parked.clear();
        return route(all, fate);
    }

    /** The parked records by {@code fate}; returns those to send again. */
    List<Pending> takeParked(Function<TopicPartition, Fate> fate) {
        List<Pending> all = new ArrayList<>(parked);
        parked.clear();
        return route(all, fate);
    }

    private List<Pending> route(List<Pending> records, Function<TopicPartition, Fate> fate) {
        List<Pending> send = new ArrayList<>();
        for (Pending p : records) {
            switch (fate.apply(p.source())) {
                case SEND -> send.add(p);
                case PARK -> parked.add(p);
                case DROP -> LOG.debug("Dropping a result for {}: partition gone", p.source());
                default -> throw new IllegalStateException();
            }
        }
        return send;
    }
}
