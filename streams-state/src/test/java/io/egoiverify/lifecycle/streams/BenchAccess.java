package io.egoiverify.lifecycle.streams;

import io.egoiverify.lifecycle.Lifecycle;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.VerificationState;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;

/** Test-only door into package-private pieces, for the benchmark. */
public final class BenchAccess {
    private BenchAccess() {
    }

    public static Processor<String, Object, String, Object> processor(LifecycleConfig config) {
        return new LifecycleProcessor(new Lifecycle(config), LifecycleMetrics.NONE);
    }

    /** Runs one punctuation; returns the number of index entries it handled. */
    public static int punctuate(Processor<String, Object, String, Object> p, long timestamp) {
        return ((LifecycleProcessor) p).punctuate(timestamp);
    }

    public static Serde<VerificationState> stateSerde() {
        return new StateSerde();
    }

    public static Bytes deadlineKey(Instant deadline, String requestId) {
        return DeadlineKeys.key(deadline, requestId);
    }

    public static byte[] noValue() {
        return DeadlineKeys.NO_VALUE;
    }
}
