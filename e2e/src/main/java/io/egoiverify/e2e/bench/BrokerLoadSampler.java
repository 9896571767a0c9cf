package io.egoiverify.e2e.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * What the stack asks of the broker over a window, from the broker's own meters: requests per second by API, the
 * partitions read per second (each partition of each fetch counts once) and the records appended per second. Near
 * this machine's limit the broker is the largest consumer of CPU, and its load grows with transactions and fetches
 * rather than with verifications, which these figures show directly.
 *
 * <p>Reads the meters' cumulative counts over JMX, through a local management agent started in the broker with the
 * attach API (same user, same machine): no port and no broker setting needed. If attaching fails the window has no
 * figures and says why; the benchmark goes on.
 */
final class BrokerLoadSampler implements AutoCloseable {
    private static final String REQUESTS = "kafka.network:type=RequestMetrics,name=RequestsPerSec,*";
    private static final String PARTITION_READS = "kafka.server:type=BrokerTopicMetrics,name=TotalFetchRequestsPerSec";
    private static final String MESSAGES_IN = "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec";

    /**
     * The broker's load over one window.
     *
     * @param requestsPerSecond       requests per second by API name (all versions together)
     * @param partitionReadsPerSecond partitions read per second, all fetches together
     * @param messagesInPerSecond     records appended per second, internal topics (offsets, transaction log) included
     * @param unavailable             why there are no figures, or null
     */
    record BrokerLoad(Map<String, Double> requestsPerSecond, double partitionReadsPerSecond,
                      double messagesInPerSecond, String unavailable) {

        static final String NOT_SAMPLED = "not sampled";

        static BrokerLoad none(String why) {
            return new BrokerLoad(Map.of(), -1, -1, why);
        }

        /** A step that did not sample the broker (the fail-over step). */
        static BrokerLoad notSampled() {
            return none(NOT_SAMPLED);
        }

        boolean sampled() {
            return !NOT_SAMPLED.equals(unavailable);
        }

        double totalRequestsPerSecond() {
            return requestsPerSecond.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        double perSecond(String api) {
            return requestsPerSecond.getOrDefault(api, 0.0);
        }
    }

    private record Counts(Map<String, Long> requests, long partitionReads, long messagesIn) {
    }

    private final JMXConnector connector;
    private final String unavailable;
    private Counts start;
    private long startNanos;

    private BrokerLoadSampler(JMXConnector connector, String unavailable) {
        this.connector = connector;
        this.unavailable = unavailable;
    }

    /** Attaches to the broker process; a sampler that only reports why when that fails. */
    static BrokerLoadSampler attach(Long brokerPid) {
        if (brokerPid == null) {
            return new BrokerLoadSampler(null, "no broker process");
        }
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(brokerPid));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            return new BrokerLoadSampler(JMXConnectorFactory.connect(new JMXServiceURL(address)), null);
        } catch (Exception e) {
            return new BrokerLoadSampler(null, "could not attach to the broker: " + e);
        }
    }

    void start() {
        start = counts();
        startNanos = System.nanoTime();
    }

    BrokerLoad stop() {
        Counts end = counts();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (start == null || end == null || seconds <= 0) {
            return BrokerLoad.none(unavailable != null ? unavailable : "the broker's meters could not be read");
        }
        Map<String, Double> requests = new TreeMap<>();
        end.requests().forEach((api, count) -> {
            long delta = count - start.requests().getOrDefault(api, 0L);
            if (delta > 0) {
                requests.put(api, round(delta / seconds));
            }
        });
        return new BrokerLoad(requests, round((end.partitionReads() - start.partitionReads()) / seconds),
                round((end.messagesIn() - start.messagesIn()) / seconds), null);
    }

    private Counts counts() {
        if (connector == null) {
            return null;
        }
        try {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            Map<String, Long> requests = new TreeMap<>();
            for (ObjectName name : server.queryNames(new ObjectName(REQUESTS), null)) {
                String api = name.getKeyProperty("request");
                // FetchConsumer and FetchFollower split Fetch by client; Fetch already counts both.
                if (api != null && !api.equals("FetchConsumer") && !api.equals("FetchFollower")) {
                    requests.merge(api, count(server, name), Long::sum);
                }
            }
            return new Counts(requests, count(server, new ObjectName(PARTITION_READS)),
                    count(server, new ObjectName(MESSAGES_IN)));
        } catch (Exception e) {
            return null;
        }
    }

    private static long count(MBeanServerConnection server, ObjectName name) throws Exception {
        return ((Number) server.getAttribute(name, "Count")).longValue();
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    @Override
    public void close() {
        if (connector != null) {
            try {
                connector.close();
            } catch (IOException e) {
                // the broker may be gone already
            }
        }
    }
}
