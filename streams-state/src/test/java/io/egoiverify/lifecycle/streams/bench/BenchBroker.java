package io.egoiverify.lifecycle.streams.bench;

import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * The benchmarks' in-process broker: one combined KRaft node with the single-node settings of the schemas test kit,
 * inlined so that a benchmark needs no JUnit extension.
 */
final class BenchBroker {
    private BenchBroker() {
    }

    /** A formatted, started broker, ready to take requests; the caller closes it. */
    static KafkaClusterTestKit start() throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBootstrapMetadataVersion(MetadataVersion.latestProduction()).build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        Map.of("offsets.topic.replication.factor", "1", "offsets.topic.num.partitions", "1",
                "transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1",
                "transaction.state.log.num.partitions", "1", "group.initial.rebalance.delay.ms", "0",
                "min.insync.replicas", "1").forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return kit;
        } catch (Exception | Error e) {
            kit.close();
            throw e;
        }
    }
}
