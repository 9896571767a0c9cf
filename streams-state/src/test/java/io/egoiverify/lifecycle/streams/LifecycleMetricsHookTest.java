package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.FailureReason;
import io.egoiverify.events.ResendRejectReason;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.LifecycleConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The outcome hooks of {@link LifecycleMetrics}: told the reason of every VerificationFailed and every ResendRejected
 * the processor publishes, and nothing for other outcomes.
 */
@Timeout(60)
class LifecycleMetricsHookTest {
    private static final LifecycleConfig CONFIG = LifecycleConfig.defaults();
    private final List<FailureReason> failures = new CopyOnWriteArrayList<>();
    private final List<ResendRejectReason> resendRefusals = new CopyOnWriteArrayList<>();
    private final List<Long> sends = new CopyOnWriteArrayList<>();
    private final List<Duration> skews = new CopyOnWriteArrayList<>();
    private final TopologyFixture f = new TopologyFixture(CONFIG, false, AbuseMetrics.NONE, new LifecycleMetrics() {
        @Override
        public void expired(long lagMillis) {
        }

        @Override
        public void sent(long sinceAdmissionMillis) {
            sends.add(sinceAdmissionMillis);
        }

        @Override
        public void failed(FailureReason reason) {
            failures.add(reason);
        }

        @Override
        public void resendRejected(ResendRejectReason reason) {
            resendRefusals.add(reason);
        }

        @Override
        public void workerClockSkew(Duration skew) {
            skews.add(skew);
        }
    });

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aHookThatThrowsFailsTheTaskRatherThanCommittingHalfAStep() {
        // A send result that comes after the code's TTL: the step publishes VerificationSent, then (deadline due)
        // VerificationExpired, with the state EXPIRED. The sent hook throws between the two. Resumed, the state was
        // written and the record dead-lettered, but the terminal outcome was lost: a verification ended in silence.
        // Failed, exactly-once rolls the whole step back and a replacement thread processes the result again.
        LifecycleMetrics throwing = new LifecycleMetrics() {
            @Override
            public void expired(long lagMillis) {
            }

            @Override
            public void sent(long sinceAdmissionMillis) {
                throw new IllegalStateException("meter registry closed");
            }
        };
        try (TopologyFixture g = new TopologyFixture(CONFIG, false, AbuseMetrics.NONE, throwing)) {
            g.request(Fixtures.request("r1", g.now()).setTtlSeconds(30).build());
            VerificationCommand send = g.command();
            g.advance(Duration.ofSeconds(35)); // within the send deadline's grace
            var late = Fixtures.result("r1", send.getCommandId(), CommandStatus.SENT, g.now());
            late.setCallStartedAt(send.getIssuedAt()); // the code (TTL 30 s) ran out before its result came
            assertThatThrownBy(() -> g.results.pipeInput("r1", late, g.now()))
                    .hasRootCauseInstanceOf(IllegalStateException.class).hasStackTraceContaining("meter registry");
            assertThat(g.deadLetters.isEmpty()).as("nothing dead-lettered").isTrue();
        }
    }

    /** The worker's call start against [issuedAt, now] of the lifecycle's clock: what it shows of the worker's. */
    @Test
    void aCallStartOutsideItsCommandsWindowTellsTheWorkersClockSkew() {
        f.request("behind");
        VerificationCommand early = f.command();
        f.advance(Duration.ofMillis(300));
        var r1 = Fixtures.result("behind", early.getCommandId(), CommandStatus.SENT, f.now());
        r1.setCallStartedAt(early.getIssuedAt().minusSeconds(60).plusMillis(200)); // the worker 60 s behind
        f.results.pipeInput("behind", r1, f.now());
        f.request("ahead");
        VerificationCommand late = f.command();
        f.advance(Duration.ofMillis(300));
        var r2 = Fixtures.result("ahead", late.getCommandId(), CommandStatus.SENT, f.now());
        r2.setCallStartedAt(late.getIssuedAt().plusSeconds(5).plusMillis(200)); // the worker 5 s ahead
        f.results.pipeInput("ahead", r2, f.now());
        f.request("inside");
        f.result(f.command(), CommandStatus.SENT); // started at the fold: nothing seen
        assertThat(skews).containsExactly(Duration.ofMillis(-59_800), Duration.ofMillis(4_900));
        assertThat(f.verifications().get("behind").expiresAt()).isEqualTo(early.getIssuedAt().plusSeconds(60));
    }

    @Test
    void shouldTellTheReasonOfEachFailurePublished() {
        f.request(Fixtures.request("bad", f.now()).setPhoneNumber("not a number").build());
        assertThat(f.failed.readValue().getReason()).isEqualTo(FailureReason.INVALID_REQUEST);
        f.request("silent");
        f.command(); // the send is never answered: fails PROVIDER_UNAVAILABLE after sendDeadline + resultGrace
        f.advance(CONFIG.sendDeadline().plus(CONFIG.resultGrace()).plusSeconds(1));
        assertThat(f.failed.readValue().getReason()).isEqualTo(FailureReason.PROVIDER_UNAVAILABLE);
        assertThat(failures).containsExactly(FailureReason.INVALID_REQUEST, FailureReason.PROVIDER_UNAVAILABLE);
        assertThat(resendRefusals).isEmpty();
    }

    @Test
    void shouldTellTheReasonOfEachResendRefusalPublished() {
        f.resend("nobody");
        assertThat(f.resendRejected.readValue().getReason()).isEqualTo(ResendRejectReason.UNKNOWN_REQUEST);
        f.request("r1");
        f.resend("r1"); // the first code is not sent yet
        assertThat(f.resendRejected.readValue().getReason()).isEqualTo(ResendRejectReason.NOT_SENT_YET);
        f.result(f.command(), CommandStatus.SENT);
        f.resend("r1"); // inside the cooldown
        assertThat(f.resendRejected.readValue().getReason()).isEqualTo(ResendRejectReason.COOLDOWN);
        assertThat(resendRefusals).containsExactly(ResendRejectReason.UNKNOWN_REQUEST,
                ResendRejectReason.NOT_SENT_YET, ResendRejectReason.COOLDOWN);
        assertThat(failures).isEmpty();
    }

    @Test
    void shouldTellTheTimeFromAdmissionToEachCodeSent() {
        f.request("r1");
        VerificationCommand send = f.command();
        f.advance(Duration.ofMillis(700)); // the permit, the worker and E-goi take their time
        f.result(send, CommandStatus.SENT);
        assertThat(f.sent.readValue().getSendCount()).isEqualTo(1);
        assertThat(sends).containsExactly(700L);
        f.advance(CONFIG.resend().cooldown());
        f.resend("r1");
        VerificationCommand resend = f.command();
        f.advance(Duration.ofMillis(300));
        f.result(resend, CommandStatus.SENT);
        assertThat(f.sent.readValue().getSendCount()).isEqualTo(2);
        assertThat(sends).containsExactly(700L, 300L);
        f.submit("r1", "s1", "123456");
        f.result(f.command(), CommandStatus.VERIFIED);
        assertThat(sends).as("only sends are told").hasSize(2);
    }

    @Test
    void shouldTellNothingForOtherOutcomes() {
        f.request("r1");
        f.result(f.command(), CommandStatus.SENT);
        f.advance(Duration.ofMinutes(2)); // sent, then expired
        assertThat(f.expired.readValue().getRequestId()).isEqualTo("r1");
        assertThat(failures).isEmpty();
        assertThat(resendRefusals).isEmpty();
    }
}
