package io.egoiverify.lifecycle.streams;

import static io.egoiverify.internal.CommandStatus.SENT;
import static io.egoiverify.internal.CommandStatus.WRONG_CODE;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoiverify.lifecycle.AbuseLimits;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.VerificationState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** A submitted code never appears in store values, outcome events or logs (even at DEBUG); nor does the number. */
@Timeout(60)
class SecretsTest {
    private static final String CODE = Fixtures.SECRET_CODE;
    /** Not the example number of the schema docs, which the Avro debug logs print. */
    private static final String PHONE = "+351912345678";
    private static final String NATIONAL = "912345678";
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<ch.qos.logback.core.Appender<ILoggingEvent>> console = new ArrayList<>();
    private Level previous;

    @BeforeEach
    void captureLogs() {
        previous = root.getLevel();
        root.iteratorForAppenders().forEachRemaining(console::add);
        console.forEach(root::detachAppender); // DEBUG goes to the list only, not to the build output
        root.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void restoreLogs() {
        root.detachAppender(logs);
        root.setLevel(previous);
        console.forEach(root::addAppender);
    }

    @Test
    void submittedCodeAndPhoneNumberStayOutOfStateOutcomesAndLogs() {
        List<byte[]> stored = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        try (TopologyFixture f = new TopologyFixture(LifecycleConfig.defaults())) {
            f.request(Fixtures.request("r1", f.now()).setPhoneNumber(PHONE).build());
            f.result(f.command(), SENT);
            f.submit("r1", "s1", CODE);
            snapshot(f, stored);
            f.submit("r1", "s2", CODE); // answered CHECK_IN_PROGRESS while the first is in flight
            f.result(f.command(), WRONG_CODE);
            f.submit("r1", "s3", CODE.substring(1)); // malformed: INVALID_CODE
            f.submit("r1", "s4", CODE);
            snapshot(f, stored);
            f.submitted.pipeInput("wrong-key", Fixtures.submit("r1", "s5", CODE, f.now()), f.now());
            f.result(f.command(), WRONG_CODE);
            f.advance(Duration.ofSeconds(30));
            f.resend("r1"); // a second code; the resend command carries no number without a number key
            snapshot(f, stored);
            f.result(f.command(), SENT);
            f.resend("r1"); // refused: cooldown
            f.advance(Duration.ofMinutes(2));
            snapshot(f, stored);
            for (var t : List.of(f.sent, f.resendRejected, f.rejected, f.verified, f.expired, f.cancelled,
                    f.failed)) {
                t.readValuesToList().forEach(v -> outcomes.add(v.toString()));
            }
        }
        assertThat(outcomes).anyMatch(o -> o.contains("COOLDOWN")).anyMatch(o -> o.contains("\"sendCount\": 2")).noneMatch(o -> o.contains(CODE) || o.contains(NATIONAL));
        assertThat(stored).isNotEmpty().noneMatch(b -> new String(b, StandardCharsets.UTF_8).contains(CODE)
                || new String(b, StandardCharsets.UTF_8).contains(NATIONAL));
        assertThat(logs.list).isNotEmpty().noneMatch(e -> e.getFormattedMessage().contains(CODE)
                || e.getFormattedMessage().contains(NATIONAL)
                || (e.getThrowableProxy() != null && e.getThrowableProxy().getMessage() != null
                && e.getThrowableProxy().getMessage().contains(CODE)));
    }

    /**
     * With per-number limits (and the guard issuing the granted send and resend, the default): no number in clear in
     * either store, on the guard's topics (the requests carry it sealed) or in any log line, the guard's included.
     */
    @Test
    void withPerNumberLimitsTheNumberStaysOutOfStoresGuardTopicsAndLogs() {
        // the guard issuing the commands (off by default): it is the path that unseals the number in the guard
        LifecycleConfig config = LifecycleConfig.defaults().withGuardIssuesCommands(true)
                .withAbuse(AbuseLimits.defaults(AbuseTopologyTest.KEY)
                .withSends(3, Duration.ofHours(1)));
        List<byte[]> stored = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        AtomicInteger carried = new AtomicInteger();
        try (TopologyFixture f = new TopologyFixture(config)) {
            var permits = f.driver.createOutputTopic(LifecycleTopology.permitTopic(config),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            var verdicts = f.driver.createOutputTopic(LifecycleTopology.verdictTopic(config),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            f.request(Fixtures.request("r1", f.now()).setPhoneNumber(PHONE).build());
            snapshot(f, stored);
            f.result(f.command(), SENT);
            f.submit("r1", "s1", CODE);
            f.result(f.command(), WRONG_CODE);
            f.advance(Duration.ofSeconds(30));
            f.resend("r1"); // the number sealed in state, unsealed into the resend command only
            snapshot(f, stored);
            f.result(f.command(), SENT);
            f.request(Fixtures.request("r2", f.now()).setPhoneNumber(PHONE).build()); // supersedes r1
            f.request(Fixtures.request("r3", f.now()).setPhoneNumber(PHONE).build()); // refused: 3 sends per hour
            snapshot(f, stored);
            for (var t : List.of(permits, verdicts)) {
                t.readKeyValuesToList().forEach(kv -> {
                    stored.add(kv.key);
                    stored.add(kv.value);
                    if (t == permits && GuardSerdes.notices().deserializer().deserialize("x", kv.value)
                            .command() != null) {
                        carried.incrementAndGet(); // the number is on the permit topic, sealed
                    }
                });
            }
            for (var t : List.of(f.sent, f.resendRejected, f.rejected, f.verified, f.expired, f.cancelled,
                    f.failed)) {
                t.readValuesToList().forEach(v -> outcomes.add(v.toString()));
            }
        }
        assertThat(outcomes).anyMatch(o -> o.contains("\"sendCount\": 2")).anyMatch(o -> o.contains("RATE_LIMITED")).anyMatch(o -> o.contains("superseded"))
                .noneMatch(o -> o.contains(CODE) || o.contains(NATIONAL));
        assertThat(stored).hasSizeGreaterThan(6).noneMatch(b -> new String(b, StandardCharsets.ISO_8859_1)
                .contains(NATIONAL) || new String(b, StandardCharsets.ISO_8859_1).contains(CODE));
        // The guard unseals the number into the commands it issues (the send, the resend): it logs ids, never it.
        assertThat(carried.get()).as("requests carrying their command").isGreaterThanOrEqualTo(3);
        assertThat(logs.list).as("the guard's own log lines are among those checked")
                .anyMatch(e -> e.getLoggerName().endsWith("NumberGuardProcessor"));
        assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains(CODE)
                || e.getFormattedMessage().contains(NATIONAL)
                || (e.getThrowableProxy() != null && e.getThrowableProxy().getMessage() != null
                && e.getThrowableProxy().getMessage().contains(NATIONAL)));
    }

    private static void snapshot(TopologyFixture f, List<byte[]> stored) {
        org.apache.kafka.streams.state.KeyValueStore<String, io.egoiverify.lifecycle.NumberState> numbers =
                f.driver.getKeyValueStore(LifecycleTopology.NUMBERS_STORE);
        if (numbers != null) { // only with per-number limits
            try (KeyValueIterator<String, io.egoiverify.lifecycle.NumberState> it = numbers.all()) {
                it.forEachRemaining(kv -> {
                    stored.add(kv.key.getBytes(StandardCharsets.UTF_8));
                    stored.add(GuardSerdes.numberStates().serializer().serialize("x", kv.value));
                });
            }
        }
        StateSerde serde = new StateSerde();
        try (KeyValueIterator<String, VerificationState> it = f.verifications().all()) {
            while (it.hasNext()) {
                KeyValue<String, VerificationState> kv = it.next();
                stored.add(serde.serialize("x", kv.value));
            }
        }
    }
}
