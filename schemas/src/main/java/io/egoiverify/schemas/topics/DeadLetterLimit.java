package io.egoiverify.schemas.topics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many bytes a dead letter may take ({@link DeadLetterFit}): the smaller of what the producer sends
 * ({@code max.request.size}) and what the dead-letter topic takes ({@code max.message.bytes}, the broker's
 * {@code message.max.bytes} unless the topic sets its own). Read once at start-up; the lifecycle lowers it when the
 * broker refuses a dead letter cut to it ({@link Shared}).
 */
public final class DeadLetterLimit {
    /**
     * The setting that carries the limit to the lifecycle's Kafka Streams error handlers (they are configured from the
     * Streams properties).
     */
    public static final String CONFIG = "egoi-verify.dead-letter.max-bytes";
    /** The producer's default {@code max.request.size}. */
    public static final int PRODUCER_DEFAULT = 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterLimit.class);

    private DeadLetterLimit() {
    }

    /**
     * The producer's {@code max.request.size} from client properties: the first of {@code keys} that is set (e.g. a
     * Streams {@code producer.}-prefixed one before the bare one), else Kafka's default.
     */
    public static int maxRequestSize(Map<?, ?> props, String... keys) {
        for (String key : keys) {
            Object v = props.get(key);
            if (v != null) {
                return v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString().trim());
            }
        }
        return PRODUCER_DEFAULT;
    }

    /**
     * The smaller of {@code maxRequestSize} and the topic's {@code max.message.bytes}. When the topic's configuration
     * cannot be read (no DescribeConfigs permission) the producer's limit alone, with a warning: a dead letter the
     * broker then refuses stops the role with a message naming the topic, as before.
     */
    public static int read(Admin admin, String topic, int maxRequestSize, Duration timeout) {
        try {
            return TopicConfigs.value(admin, topic, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, timeout)
                    .map(bytes -> Math.min(maxRequestSize, Integer.parseInt(bytes))).orElse(maxRequestSize);
        } catch (TopicConfigs.Unreadable e) {
            LOG.warn("cannot read max.message.bytes of the dead-letter topic {} ({}); dead letters are cut to the "
                    + "producer's {} of {} bytes only (grant DescribeConfigs on the topic)", topic,
                    e.getCause().toString(), ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestSize);
            return maxRequestSize;
        }
    }

    /**
     * The limit handed to a Streams error handler in its configuration: the {@link Shared} one the lifecycle put
     * there, else a number (the producer's default when absent) in a limit of the handler's own.
     */
    public static Shared fromConfig(Map<String, ?> configs) {
        return configs.get(CONFIG) instanceof Shared shared ? shared : new Shared(maxRequestSize(configs, CONFIG));
    }

    /**
     * The limit every error handler of one lifecycle instance cuts to, lowered when the broker refuses a dead letter
     * cut to it anyway: the topic's limit was lowered since start-up, or was not visible yet when read (an altered
     * topic configuration reaches the brokers after the call returns). Kafka Streams configures a new handler with
     * each replaced stream thread, so a limit of the handler's own would be read again from the start-up value and the
     * same record refused for ever, the thread failing on it each time.
     */
    public static final class Shared {
        /** Below this a dead letter is its headers and little else; a topic refusing that is not retried smaller. */
        public static final int FLOOR = 1024;
        private final AtomicInteger bytes;

        public Shared(int bytes) {
            this.bytes = new AtomicInteger(bytes);
        }

        public int bytes() {
            return bytes.get();
        }

        /**
         * After a refusal as too large: halves the limit (not below {@link #FLOOR}). False when it was at the floor
         * already, so that cutting again would not help.
         */
        public boolean lower() {
            int before = bytes.getAndUpdate(b -> Math.max(FLOOR, b / 2));
            return before > FLOOR;
        }

        @Override
        public String toString() {
            return Integer.toString(bytes());
        }
    }
}
