package io.egoiverify.e2e.flows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.e2e.client.Inputs;
import io.egoiverify.e2e.client.OutcomeLog;
import io.egoiverify.e2e.client.SandboxClient;
import io.egoiverify.e2e.support.E2eStack;
import io.egoiverify.e2e.support.E2eStackExtension;
import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.RejectReason;
import io.egoiverify.events.ResendRejectReason;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The resend part of the contract across processes (issue 12's round trip), in both E-goi dialects: the shared local
 * stack speaks V2 to the sandbox (a resend is {@code POST /v2/verify/{id}/resend}, E-goi's id stays); a twin pipeline
 * on the same broker, registry and sandbox (topics under {@code guide.}, one lifecycle and one worker instance) speaks
 * the guide's dialect, where a resend is a new send with a new E-goi id. The stack runs with
 * {@code lifecycle.resend-cooldown} = {@link E2eStack#RESEND_COOLDOWN}; tests wait it out with Awaitility. Assertions
 * read the outcome topics {@code read_committed} and the sandbox's outbox, which must show every code sent.
 */
@ExtendWith(E2eStackExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ResendFlowsIT {
    private static final Duration OUTCOME_WAIT = Duration.ofSeconds(45);

    private static E2eStack e2e;
    private static Topics topics;
    private static OutcomeLog outcomes;
    private static SandboxClient sandbox;

    @BeforeAll
    static void stack(E2eStack shared) {
        e2e = shared;
        topics = shared.topics();
        outcomes = shared.outcomes();
        sandbox = shared.sandbox();
    }

    /** A pipeline to drive: the stack's own (V2) or the guide twin's, each with its topics, inputs and outcomes. */
    private record Pipe(String dialect, Topics topics, Inputs inputs, OutcomeLog outcomes) {
    }

    @Test
    void roundTrip_v2() {
        roundTrip(new Pipe("v2", topics, e2e.inputs(), outcomes));
    }

    /** The guide's API has no resend call: the worker sends anew, and the new E-goi id replaces the old one. */
    @Test
    void roundTrip_guideDialect_resendsByANewSend() {
        E2eStack.Twin twin = e2e.twin("guide.", Map.of("egoi.api", "guide"));
        try (twin) {
            roundTrip(new Pipe("guide", twin.topics(), twin.inputs(), twin.outcomes()));
        }
    }

    /**
     * request → sent → resend refused COOLDOWN → resend → second sent (sendCount 2) → old code rejected → new code
     * verified → resend refused NOT_ACTIVE.
     */
    private static void roundTrip(Pipe p) {
        String id = id("round-trip-" + p.dialect());
        String phone = e2e.nextPhoneNumber();
        p.inputs().send(Inputs.request(id, phone).setMaxAttempts(3).build());
        VerificationSent first = awaitNth(p, id, p.topics().sent.name(), 1, VerificationSent.class);
        assertThat(first.getSendCount()).isEqualTo(1);
        String oldCode = awaitCodes(phone, 1).get(0);

        p.inputs().send(Inputs.resend(id, "e2e: too early"));
        ResendRejected early = awaitNth(p, id, p.topics().resendRejected.name(), 1, ResendRejected.class);
        assertThat(early.getReason()).isEqualTo(ResendRejectReason.COOLDOWN);
        assertThat(early.getRetryAfterSeconds()).isBetween(1, (int) E2eStack.RESEND_COOLDOWN.toSeconds());
        assertThat(early.getMetadata()).containsEntry("e2e", id);
        assertThat(sandbox.codesSentTo(phone)).as("a refused resend sends nothing").hasSize(1);

        awaitCooldownAfter(first);
        p.inputs().send(Inputs.resend(id, "e2e: user asked"));
        VerificationSent second = awaitNth(p, id, p.topics().sent.name(), 2, VerificationSent.class);
        assertThat(second.getSendCount()).isEqualTo(2);
        assertThat(second.getPhoneNumberMasked()).isEqualTo(first.getPhoneNumberMasked());
        assertThat(second.getMaxAttempts()).isEqualTo(3);
        assertThat(second.getExpiresAt()).as("the new code's TTL runs from the resend").isAfter(first.getExpiresAt());
        assertThat(second.getMetadata()).containsEntry("e2e", id);
        List<String> codes = awaitCodes(phone, 2);
        assertThat(codes.get(0)).isEqualTo(oldCode);
        String newCode = codes.get(1);
        if (p.dialect().equals("v2")) {
            // E-goi's resend keeps the verification's id, and one resend call was made for it.
            assertThat(second.getProviderRequestId()).isEqualTo(first.getProviderRequestId());
            assertThat(sandbox.resendCallsByProviderRequestId()).containsEntry(first.getProviderRequestId(), 1);
            assertThat(sandbox.sendCallsByNumber()).containsEntry(SandboxClient.egoiForm(phone), 1);
        } else {
            // A new send: a second send call to the number, and E-goi's new id replaces the old one.
            assertThat(second.getProviderRequestId()).isNotEqualTo(first.getProviderRequestId());
            assertThat(sandbox.sendCallsByNumber()).containsEntry(SandboxClient.egoiForm(phone), 2);
        }

        if (!oldCode.equals(newCode)) { // 1 in a million: the sandbox drew the same code twice
            p.inputs().send(Inputs.submission(id, id + "-old", oldCode));
            CodeRejected rejected = awaitNth(p, id, p.topics().codeRejected.name(), 1, CodeRejected.class);
            assertThat(rejected.getReason()).as("only the latest code verifies").isEqualTo(RejectReason.WRONG_CODE);
            assertThat(rejected.getAttemptsRemaining()).as("a resend does not reset attempts").isEqualTo(2);
        }
        p.inputs().send(Inputs.submission(id, id + "-new", newCode));
        VerificationVerified verified = awaitTerminal(p, id, p.topics().verified.name(), VerificationVerified.class);
        assertThat(verified.getAttemptsUsed()).isEqualTo(oldCode.equals(newCode) ? 1 : 2);

        p.inputs().send(Inputs.resend(id, "e2e: after the end"));
        ResendRejected late = awaitNth(p, id, p.topics().resendRejected.name(), 2, ResendRejected.class);
        assertThat(late.getReason()).isEqualTo(ResendRejectReason.NOT_ACTIVE);
        assertThat(late.getRetryAfterSeconds()).isZero();
        assertThat(p.outcomes().events(id, p.topics().sent.name())).hasSize(2);
        assertThat(p.outcomes().terminals(id)).hasSize(1);
        assertThat(sandbox.codesSentTo(phone)).as("the outbox shows every code sent, and only those")
                .containsExactly(oldCode, newCode);
    }

    /** lifecycle.max-sends (3, the first included): the fourth code is refused, and no SMS goes out for it. */
    @Test
    void tooManySends_afterTheMaximumOfCodes() {
        String id = id("too-many");
        String phone = e2e.nextPhoneNumber();
        e2e.inputs().send(Inputs.request(id, phone).setTtlSeconds(60).build());
        VerificationSent last = awaitSent(id, 1);
        for (int sendCount = 2; sendCount <= 3; sendCount++) {
            awaitCooldownAfter(last);
            e2e.inputs().send(Inputs.resend(id, "e2e: resend " + sendCount));
            last = awaitSent(id, sendCount);
            assertThat(last.getSendCount()).isEqualTo(sendCount);
        }
        awaitCooldownAfter(last);
        e2e.inputs().send(Inputs.resend(id, "e2e: one too many"));
        ResendRejected refused = awaitResendRejected(id, 1);
        assertThat(refused.getReason()).isEqualTo(ResendRejectReason.TOO_MANY_SENDS);
        assertThat(refused.getRetryAfterSeconds()).isZero();
        assertThat(awaitCodes(phone, 3)).as("three SMS, one per accepted send").hasSize(3).doesNotHaveDuplicates();
        assertThat(outcomes.terminals(id)).as("the verification stays open").isEmpty();

        // The latest code still verifies.
        e2e.inputs().send(Inputs.submission(id, id + "-s1", sandbox.codesSentTo(phone).get(2)));
        awaitTerminal(v2(), id, topics.verified.name(), VerificationVerified.class);
        assertThat(sandbox.codesSentTo(phone)).hasSize(3);
    }

    @Test
    void resendOfAnUnknownRequest_isRefused_andSendsNothing() {
        String id = id("unknown");
        e2e.inputs().send(Inputs.resend(id, "e2e: never requested"));
        ResendRejected refused = awaitResendRejected(id, 1);
        assertThat(refused.getReason()).isEqualTo(ResendRejectReason.UNKNOWN_REQUEST);
        assertThat(refused.getRetryAfterSeconds()).isZero();
        assertThat(refused.getMetadata()).isEmpty();
        assertThat(outcomes.events(id, topics.sent.name())).isEmpty();
        assertThat(outcomes.terminals(id)).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private static String id(String flow) {
        return "resend-" + flow + "-" + e2e.runId();
    }

    /**
     * Waits until the cooldown since {@code sent}'s send has passed. The cooldown runs from the send call's start,
     * which lies before the lifecycle published {@code sent} (its {@code occurredAt}); all processes share this clock.
     */
    private static void awaitCooldownAfter(VerificationSent sent) {
        Instant open = sent.getOccurredAt().plus(E2eStack.RESEND_COOLDOWN).plusMillis(100);
        await("the resend cooldown after send " + sent.getSendCount()).atMost(E2eStack.RESEND_COOLDOWN.plusSeconds(5))
                .pollInterval(Duration.ofMillis(100)).until(() -> Instant.now().isAfter(open));
    }

    private static List<String> awaitCodes(String phone, int count) {
        return await("SMS " + count + " to " + phone + " in the outbox").atMost(Duration.ofSeconds(10))
                .until(() -> sandbox.codesSentTo(phone), codes -> codes.size() >= count);
    }

    private static VerificationSent awaitSent(String id, int n) {
        return awaitNth(v2(), id, topics.sent.name(), n, VerificationSent.class);
    }

    private static ResendRejected awaitResendRejected(String id, int n) {
        return awaitNth(v2(), id, topics.resendRejected.name(), n, ResendRejected.class);
    }

    private static Pipe v2() {
        return new Pipe("v2", topics, e2e.inputs(), outcomes);
    }

    private static <T extends SpecificRecord> T awaitNth(Pipe p, String id, String topic, int n, Class<T> type) {
        await(topic + " record " + n + " for " + id).atMost(OUTCOME_WAIT)
                .until(() -> p.outcomes().events(id, topic).size() >= n);
        return value(p.outcomes().events(id, topic).get(n - 1), type);
    }

    /** Waits for the terminal outcome, and checks it is the only one, of the expected kind. */
    private static <T extends SpecificRecord> T awaitTerminal(Pipe p, String id, String topic, Class<T> type) {
        await("a terminal outcome for " + id).atMost(OUTCOME_WAIT).until(() -> !p.outcomes().terminals(id).isEmpty());
        List<OutcomeLog.Event> terminals = p.outcomes().terminals(id);
        assertThat(terminals).as("terminal outcomes of " + id).hasSize(1);
        assertThat(terminals.get(0).topic()).as("terminal outcome of " + id + ": " + terminals.get(0).value())
                .isEqualTo(topic);
        return value(terminals.get(0), type);
    }

    private static <T extends SpecificRecord> T value(OutcomeLog.Event event, Class<T> type) {
        assertThat(event.value()).as("decoded " + event.topic() + " record").isInstanceOf(type);
        return type.cast(event.value());
    }
}
