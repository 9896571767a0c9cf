package io.egoiverify.lifecycle.streams;

import static io.egoiverify.internal.CommandStatus.CODE_EXPIRED;
import static io.egoiverify.internal.CommandStatus.SENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.LifecycleConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The expiry-lag hook: called once per expiry the punctuator publishes, with punctuation time minus deadline. */
@Timeout(60)
class ExpiryLagTest {
    private static final LifecycleConfig CONFIG = LifecycleConfig.defaults();
    private final List<Long> lags = new CopyOnWriteArrayList<>();
    private final TopologyFixture f = new TopologyFixture(CONFIG, false, AbuseMetrics.NONE, lags::add);

    @AfterEach
    void close() {
        f.close();
    }

    private VerificationCommand sendAndConfirm(String id) {
        f.request(id);
        VerificationCommand send = f.command();
        f.result(send, SENT);
        return send;
    }

    @Test
    void lagIsPunctuationTimeMinusExpiresAt() {
        sendAndConfirm("r1");
        f.advance(Duration.ofSeconds(59));
        assertThat(lags).isEmpty();
        f.advance(Duration.ofMillis(1_700)); // the punctuation runs 700 ms after expiresAt
        assertThat(f.expired.readValue().getRequestId()).isEqualTo("r1");
        assertThat(lags).containsExactly(700L);
        f.advance(CONFIG.retention()); // the purge later is not an expiry
        assertThat(lags).containsExactly(700L);
    }

    @Test
    void anExpiryHeldForACheckInFlightCountsFromWhenItFellDue() {
        sendAndConfirm("r1");
        f.advance(Duration.ofSeconds(50));
        f.submit("r1", "s1", "123456");
        f.command(); // the check, never answered
        f.advance(Duration.ofSeconds(10).plus(CONFIG.resultGrace()).plusMillis(300));
        assertThat(f.expired.readValue().getRequestId()).isEqualTo("r1");
        assertThat(lags).containsExactly(300L);
    }

    @Test
    void anExpiryReportedByTheProviderIsNotAPunctuatorLag() {
        sendAndConfirm("r1");
        f.submit("r1", "s1", "123456");
        f.result(f.command(), CODE_EXPIRED);
        assertThat(f.expired.readValue().getRequestId()).isEqualTo("r1");
        f.advance(Duration.ofMinutes(2));
        assertThat(lags).isEmpty();
    }

    @Test
    void otherDeadlinesAreNotExpiries() {
        f.request("r1");
        f.command(); // the send is never answered: fails PROVIDER_UNAVAILABLE after sendDeadline + resultGrace
        f.advance(CONFIG.sendDeadline().plus(CONFIG.resultGrace()).plusSeconds(1));
        assertThat(f.failed.readValue().getRequestId()).isEqualTo("r1");
        assertThat(lags).isEmpty();
    }
}
