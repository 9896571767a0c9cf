package io.egoiverify.worker.command;

import io.egoiverify.schemas.topics.TopicNames;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the command worker needs, validated. Build with {@link #of} and adjust with the {@code with…} methods.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param groupId          consumer group of all worker instances (default {@code egoi-verify-worker})
 * @param transactionalId  stable per instance (e.g. {@code egoi-verify-worker-<ordinal>}): fences a zombie of the
 *                         same instance; two live instances must never share it
 * @param topics           topic names (commands in, results and dead letters out)
 * @param flow             in-flight bound, commit cadence, Kafka timeouts, shutdown bounds
 * @param retries          retry policy of sends and checks
 * @param breaker          circuit breaker around E-goi
 * @param kafkaOverrides   extra client settings; {@code consumer.}/{@code producer.} prefixes target one client
 */
public record WorkerConfig(String bootstrapServers, String groupId, String transactionalId, TopicNames topics,
                           Flow flow, Retries retries, Breaker breaker, Map<String, String> kafkaOverrides) {

    public static final String DEFAULT_GROUP_ID = "egoi-verify-worker";

    public WorkerConfig {
        requireText(bootstrapServers, "bootstrapServers");
        requireText(groupId, "groupId");
        requireText(transactionalId, "transactionalId");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(retries, "retries");
        Objects.requireNonNull(breaker, "breaker");
        kafkaOverrides = Map.copyOf(kafkaOverrides == null ? Map.of() : kafkaOverrides);
    }

    public static WorkerConfig of(String bootstrapServers, String transactionalId, TopicNames topics) {
        return new WorkerConfig(bootstrapServers, DEFAULT_GROUP_ID, transactionalId, topics, Flow.defaults(),
                Retries.defaults(), Breaker.defaults(), Map.of());
    }

    public WorkerConfig withGroupId(String id) {
        return new WorkerConfig(bootstrapServers, id, transactionalId, topics, flow, retries, breaker, kafkaOverrides);
    }

    public WorkerConfig withTransactionalId(String id) {
        return new WorkerConfig(bootstrapServers, groupId, id, topics, flow, retries, breaker, kafkaOverrides);
    }

    public WorkerConfig withFlow(Flow f) {
        return new WorkerConfig(bootstrapServers, groupId, transactionalId, topics, f, retries, breaker,
                kafkaOverrides);
    }

    public WorkerConfig withRetries(Retries r) {
        return new WorkerConfig(bootstrapServers, groupId, transactionalId, topics, flow, r, breaker, kafkaOverrides);
    }

    public WorkerConfig withBreaker(Breaker b) {
        return new WorkerConfig(bootstrapServers, groupId, transactionalId, topics, flow, retries, b, kafkaOverrides);
    }

    public WorkerConfig withKafkaOverrides(Map<String, String> o) {
        return new WorkerConfig(bootstrapServers, groupId, transactionalId, topics, flow, retries, breaker, o);
    }

    /**
     * @param maxInFlight        commands executing at once per instance; partitions pause when reached (default 1000)
     * @param maxOffsetSpan      how far past the oldest unfinished command a partition may run; bounds the offset
     *                           metadata to ≤ 4096 bytes (default 16000, max 23000)
     * @param commitInterval     how often the transaction commits (default 100 ms)
     * @param maxRecordsPerTransaction results per transaction before an early commit (default 2000)
     * @param pollTimeout        consumer poll timeout; also the latency of picking up completions (default 10 ms)
     * @param sessionTimeout     consumer session timeout (default 6 s)
     * @param transactionTimeout producer transaction timeout (default 4 s)
     * @param revokeGrace        on rebalance, how long to let in-flight calls finish before handing back (default 3 s)
     * @param shutdownGrace      default bound of {@code close()} (default 5 s)
     */
    public record Flow(int maxInFlight, int maxOffsetSpan, Duration commitInterval, int maxRecordsPerTransaction,
                       Duration pollTimeout, Duration sessionTimeout, Duration transactionTimeout,
                       Duration revokeGrace, Duration shutdownGrace) {
        public Flow {
            range(maxInFlight, 1, 100_000, "maxInFlight");
            range(maxOffsetSpan, 100, OffsetMetadataCodec.MAX_SPAN, "maxOffsetSpan");
            range(maxRecordsPerTransaction, 1, 1_000_000, "maxRecordsPerTransaction");
            positive(commitInterval, "commitInterval");
            positive(pollTimeout, "pollTimeout");
            positive(sessionTimeout, "sessionTimeout");
            positive(transactionTimeout, "transactionTimeout");
            positive(revokeGrace, "revokeGrace");
            positive(shutdownGrace, "shutdownGrace");
        }

        /**
         * Commit interval 100 ms, measured (worker/README.md, "Commit interval"): on this shared 2-core machine the
         * backlog drain fell from 1,309 commands/s at 100 ms to 592-611/s at 20 and 10 ms, and the latency at 1,000
         * commands/s did not improve (p50 522 ms at 100, 667 at 20, 2,229 at 10), because each commit is a
         * synchronous round trip of the poll loop. Issue 13's 150 ms needs shorter hops; re-measure on a quiet
         * machine before lowering it. Session timeout 6 s (the lowest a broker accepts by default): a dead worker's
         * partitions move within 6 s +- 1 s (the heartbeat, see {@link KafkaClients#consumerProperties}).
         * Transaction timeout 4 s: a dead worker's open transaction holds back the lifecycle's read_committed read
         * of the results partitions it wrote to (those of its own command partitions: results are keyed like the
         * commands) until the coordinator aborts it, at its next check (every second on a broker set as the docs
         * say). At 4 s that lands before the survivor takes those partitions over (5 s after the kill at the
         * earliest); at 6 s it could come after and hold back the survivor's first results (e2e/README.md, "A
         * worker fail-over"). A transaction lives one commit interval, so 4 s still leaves a stall of seconds
         * unaborted.
         */
        public static Flow defaults() {
            return new Flow(1000, 16_000, Duration.ofMillis(100), 2000, Duration.ofMillis(10), Duration.ofSeconds(6),
                    Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofSeconds(5));
        }

        public Flow withMaxInFlight(int n) {
            return new Flow(n, maxOffsetSpan, commitInterval, maxRecordsPerTransaction, pollTimeout, sessionTimeout,
                    transactionTimeout, revokeGrace, shutdownGrace);
        }
    }

    /**
     * @param maxSendAttempts          calls per send or resend at most: retried only while E-goi certainly did not
     *                                 process it ("not processed": the connection failed before the request was
     *                                 written, or an
     *                                 HTTP status in {@code sendRetryStatuses}), or on an unknown outcome if
     *                                 {@code retryUnknownSendOutcome} (default 8)
     * @param maxCheckAttempts         calls per check at most, the V2 status calls included (default 10)
     * @param initialBackoff           first retry delay, doubled each time, with jitter (default 100 ms)
     * @param maxBackoff               cap of the retry delay, unless Retry-After asks for more (default 2 s)
     * @param retryUnknownSendOutcome  opt-in: retry sends after a read timeout/5xx, accepting a possible second SMS
     * @param sendRetryStatuses        HTTP statuses that mean "not processed": a send answered with one is repeated
     *                                 (429 honouring Retry-After). Default 429 and 503. Every other failure of a send
     *                                 (500, 502, 504, a read timeout after writing, a malformed 2xx) stays "outcome
     *                                 unknown"
     * @param maxCancelAttempts        calls per cancel at most (best effort; default 3)
     */
    public record Retries(int maxSendAttempts, int maxCheckAttempts, Duration initialBackoff, Duration maxBackoff,
                          boolean retryUnknownSendOutcome, Set<Integer> sendRetryStatuses, int maxCancelAttempts) {
        public static final Set<Integer> DEFAULT_SEND_RETRY_STATUSES = Set.of(429, 503);

        public Retries {
            range(maxSendAttempts, 1, 50, "maxSendAttempts");
            range(maxCheckAttempts, 1, 50, "maxCheckAttempts");
            range(maxCancelAttempts, 1, 50, "maxCancelAttempts");
            positive(initialBackoff, "initialBackoff");
            positive(maxBackoff, "maxBackoff");
            sendRetryStatuses = Set.copyOf(Objects.requireNonNull(sendRetryStatuses, "sendRetryStatuses"));
            for (int status : sendRetryStatuses) {
                range(status, 400, 599, "a send retry status");
            }
        }

        /** The default "not processed" statuses and cancel attempts. */
        public Retries(int maxSendAttempts, int maxCheckAttempts, Duration initialBackoff, Duration maxBackoff,
                       boolean retryUnknownSendOutcome) {
            this(maxSendAttempts, maxCheckAttempts, initialBackoff, maxBackoff, retryUnknownSendOutcome,
                    DEFAULT_SEND_RETRY_STATUSES, 3);
        }

        public static Retries defaults() {
            return new Retries(8, 10, Duration.ofMillis(100), Duration.ofSeconds(2), false);
        }
    }

    /**
     * @param failureRateThreshold percent of failed calls (5xx, timeouts, broken connections) that opens it (default
                                   50)
     * @param slidingWindowSize    calls considered (default 100)
     * @param minimumCalls         calls before the rate counts (default 50)
     * @param openDuration         how long it stays open before probing (default 5 s)
     * @param halfOpenCalls        probe calls let through when it half-opens; every other command keeps waiting
     *                             (default 10)
     */
    public record Breaker(float failureRateThreshold, int slidingWindowSize, int minimumCalls, Duration openDuration,
                          int halfOpenCalls) {
        public Breaker {
            if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
                throw new IllegalArgumentException("failureRateThreshold must be in (0,100]");
            }
            range(slidingWindowSize, 1, 100_000, "slidingWindowSize");
            range(minimumCalls, 1, 100_000, "minimumCalls");
            positive(openDuration, "openDuration");
            range(halfOpenCalls, 1, 1000, "halfOpenCalls");
        }

        public Breaker(float failureRateThreshold, int slidingWindowSize, int minimumCalls, Duration openDuration) {
            this(failureRateThreshold, slidingWindowSize, minimumCalls, openDuration, 10);
        }

        public static Breaker defaults() {
            return new Breaker(50f, 100, 50, Duration.ofSeconds(5), 10);
        }

        /** The resilience4j registry holding this breaker's configuration (the worker's breaker is named egoi). */
        public CircuitBreakerRegistry registry() {
            return CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                    .failureRateThreshold(failureRateThreshold)
                    .slidingWindowSize(slidingWindowSize)
                    .minimumNumberOfCalls(minimumCalls)
                    .waitDurationInOpenState(openDuration)
                    .permittedNumberOfCallsInHalfOpenState(halfOpenCalls)
                    .build());
        }
    }

    private static void requireText(String s, String name) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    private static void range(int v, int min, int max, String name) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ": " + v);
        }
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
