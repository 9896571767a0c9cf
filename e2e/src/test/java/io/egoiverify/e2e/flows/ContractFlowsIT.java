package io.egoiverify.e2e.flows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.e2e.client.Inputs;
import io.egoiverify.e2e.client.OutcomeLog;
import io.egoiverify.e2e.client.SandboxClient;
import io.egoiverify.e2e.support.E2eStack;
import io.egoiverify.e2e.support.E2eStackExtension;
import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.FailureReason;
import io.egoiverify.events.RejectReason;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every flow of the public contract, across processes: 2 lifecycle and 2 worker JVMs, a broker process, the Apicurio
 * registry process and the E-goi sandbox process. Assertions read the outcome topics as a downstream service would
 * ({@code read_committed}) and the sandbox's outbox and call counters.
 */
@ExtendWith(E2eStackExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ContractFlowsIT {
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

    @Test
    void happyPath_sendsOneSms_thenVerifiesTheRightCode() {
        String id = id("happy");
        String phone = e2e.nextPhoneNumber();
        e2e.inputs().send(Inputs.request(id, phone).build());

        VerificationSent sent = awaitOne(id, topics.sent.name(), VerificationSent.class);
        assertThat(sent.getPhoneNumberMasked()).isEqualTo("+351*******" + phone.substring(phone.length() - 2));
        assertThat(sent.getMetadata()).containsEntry("e2e", id);
        assertThat(sent.getExpiresAt()).isAfter(sent.getOccurredAt());
        e2e.inputs().send(Inputs.submission(id, id + "-s1", codeOf(sent)));

        VerificationVerified verified = awaitTerminal(id, topics.verified.name(), VerificationVerified.class);
        assertThat(verified.getAttemptsUsed()).isEqualTo(1);
        assertThat(verified.getMetadata()).containsEntry("e2e", id);
        assertThat(sandbox.sendCallsByNumber()).containsEntry(SandboxClient.egoiForm(phone), 1);
        assertThat(sandbox.validateCallsByProviderRequestId()).containsEntry(sent.getProviderRequestId(), 1);
    }

    @Test
    void wrongThenRightCode_rejectsOnce_thenVerifies() {
        String id = id("wrong-right");
        e2e.inputs().send(Inputs.request(id, e2e.nextPhoneNumber()).setMaxAttempts(3).build());
        VerificationSent sent = awaitOne(id, topics.sent.name(), VerificationSent.class);
        String code = codeOf(sent);

        e2e.inputs().send(Inputs.submission(id, id + "-s1", wrong(code)));
        CodeRejected rejected = awaitOne(id, topics.codeRejected.name(), CodeRejected.class);
        assertThat(rejected.getReason()).isEqualTo(RejectReason.WRONG_CODE);
        assertThat(rejected.getSubmissionId()).isEqualTo(id + "-s1");
        assertThat(rejected.getAttemptsRemaining()).isEqualTo(2);

        e2e.inputs().send(Inputs.submission(id, id + "-s2", code));
        VerificationVerified verified = awaitTerminal(id, topics.verified.name(), VerificationVerified.class);
        assertThat(verified.getAttemptsUsed()).isEqualTo(2);
    }

    @Test
    void lockout_afterMaxAttemptsWrongCodes_failsAndNeverChecksAgain() {
        String id = id("lockout");
        e2e.inputs().send(Inputs.request(id, e2e.nextPhoneNumber()).setMaxAttempts(2).build());
        VerificationSent sent = awaitOne(id, topics.sent.name(), VerificationSent.class);
        String code = codeOf(sent);

        e2e.inputs().send(Inputs.submission(id, id + "-s1", wrong(code)));
        await().atMost(OUTCOME_WAIT).until(() -> outcomes.events(id, topics.codeRejected.name()).size() == 1);
        e2e.inputs().send(Inputs.submission(id, id + "-s2", wrong(code)));
        VerificationFailed failed = awaitTerminal(id, topics.failed.name(), VerificationFailed.class);
        assertThat(failed.getReason()).isEqualTo(FailureReason.MAX_ATTEMPTS_REACHED);

        e2e.inputs().send(Inputs.submission(id, id + "-s3", code));
        await().atMost(OUTCOME_WAIT).until(() -> outcomes.events(id, topics.codeRejected.name()).size() == 3);
        CodeRejected late = value(outcomes.events(id, topics.codeRejected.name()).get(2), CodeRejected.class);
        assertThat(late.getReason()).isEqualTo(RejectReason.TOO_MANY_ATTEMPTS);
        assertThat(outcomes.events(id, topics.verified.name())).isEmpty();
        assertThat(sandbox.validateCallsByProviderRequestId().get(sent.getProviderRequestId())).isEqualTo(2);
    }

    @Test
    void expiry_isPublishedByTheServiceWithoutAnySubmission() {
        String id = id("expiry");
        e2e.inputs().send(Inputs.request(id, e2e.nextPhoneNumber()).setTtlSeconds(10).build());
        VerificationSent sent = awaitOne(id, topics.sent.name(), VerificationSent.class);

        VerificationExpired expired = awaitTerminal(id, topics.expired.name(), VerificationExpired.class);
        assertThat(expired.getAttemptsUsed()).isZero();
        assertThat(expired.getOccurredAt()).isAfterOrEqualTo(sent.getExpiresAt());
        // How late the expiry was published, for the record (the benchmark measures it under load).
        System.out.printf("expiry lag: %d ms%n",
                expired.getOccurredAt().toEpochMilli() - sent.getExpiresAt().toEpochMilli());

        e2e.inputs().send(Inputs.submission(id, id + "-late", codeOf(sent)));
        await().atMost(OUTCOME_WAIT).until(() -> outcomes.events(id, topics.codeRejected.name()).size() == 1);
        assertThat(value(outcomes.events(id, topics.codeRejected.name()).get(0), CodeRejected.class).getReason())
                .isEqualTo(RejectReason.EXPIRED);
        assertThat(sandbox.validateCallsByProviderRequestId()).doesNotContainKey(sent.getProviderRequestId());
    }

    @Test
    void cancel_afterSend_endsTheVerification_andLaterCodesAreRefused() {
        String id = id("cancel");
        e2e.inputs().send(Inputs.request(id, e2e.nextPhoneNumber()).build());
        VerificationSent sent = awaitOne(id, topics.sent.name(), VerificationSent.class);

        e2e.inputs().send(Inputs.cancel(id, "user closed the form"));
        VerificationCancelled cancelled = awaitTerminal(id, topics.cancelled.name(), VerificationCancelled.class);
        assertThat(cancelled.getReason()).isEqualTo("user closed the form");

        e2e.inputs().send(Inputs.submission(id, id + "-s1", codeOf(sent)));
        await().atMost(OUTCOME_WAIT).until(() -> outcomes.events(id, topics.codeRejected.name()).size() == 1);
        assertThat(value(outcomes.events(id, topics.codeRejected.name()).get(0), CodeRejected.class).getReason())
                .isEqualTo(RejectReason.CANCELLED);
        assertThat(outcomes.events(id, topics.verified.name())).isEmpty();
        assertThat(sandbox.validateCallsByProviderRequestId()).doesNotContainKey(sent.getProviderRequestId());
    }

    @Test
    void cancelBeforeRequest_isRemembered_andNoSmsIsSent() {
        String id = id("cancel-first");
        String phone = e2e.nextPhoneNumber();
        e2e.inputs().send(Inputs.cancel(id, "changed my mind"));
        e2e.inputs().flush();
        e2e.inputs().send(Inputs.request(id, phone).build());

        VerificationCancelled cancelled = awaitTerminal(id, topics.cancelled.name(), VerificationCancelled.class);
        assertThat(cancelled.getReason()).isEqualTo("changed my mind");
        assertThat(outcomes.events(id, topics.sent.name())).isEmpty();
        assertThat(sandbox.sendCallsByNumber()).doesNotContainKey(SandboxClient.egoiForm(phone));
    }

    @Test
    void invalidRequests_failWithInvalidRequest_andADetail_withoutAnySms() {
        String badPhone = id("invalid-phone");
        String badMessage = id("invalid-message");
        String badTtl = id("invalid-ttl");
        String phone = e2e.nextPhoneNumber();
        e2e.inputs().send(Inputs.request(badPhone, "12345").build());
        e2e.inputs().send(Inputs.request(badMessage, phone).setMessage("no placeholder here").build());
        e2e.inputs().send(Inputs.request(badTtl, phone).setTtlSeconds(1).build());

        for (String id : List.of(badPhone, badMessage, badTtl)) {
            VerificationFailed failed = awaitTerminal(id, topics.failed.name(), VerificationFailed.class);
            assertThat(failed.getReason()).as(id).isEqualTo(FailureReason.INVALID_REQUEST);
            assertThat(failed.getDetail()).as(id).isNotBlank();
            assertThat(failed.getMetadata()).containsEntry("e2e", id);
        }
        assertThat(sandbox.sendCallsByNumber()).doesNotContainKeys("123-45", SandboxClient.egoiForm(phone));
    }

    @Test
    void duplicateRequest_neverSendsASecondSms_andEndsOnce() {
        String id = id("duplicate");
        String phone = e2e.nextPhoneNumber();
        String otherPhone = e2e.nextPhoneNumber();
        e2e.inputs().send(Inputs.request(id, phone).build());
        VerificationSent sent = awaitOne(id, topics.sent.name(), VerificationSent.class);
        e2e.inputs().send(Inputs.request(id, otherPhone).build());
        e2e.inputs().send(Inputs.request(id, phone).build());

        e2e.inputs().send(Inputs.submission(id, id + "-s1", codeOf(sent)));
        awaitTerminal(id, topics.verified.name(), VerificationVerified.class);
        // A duplicate that arrives after the terminal outcome is ignored too. The later submission's answer shows
        // that the lifecycle has read past the duplicate (same partition, earlier timestamp).
        e2e.inputs().send(Inputs.request(id, otherPhone).build());
        e2e.inputs().flush();
        e2e.inputs().send(Inputs.submission(id, id + "-s2", codeOf(sent)));
        await().atMost(OUTCOME_WAIT).until(() -> !outcomes.events(id, topics.codeRejected.name()).isEmpty());
        assertThat(value(outcomes.events(id, topics.codeRejected.name()).get(0), CodeRejected.class).getReason())
                .isEqualTo(RejectReason.ALREADY_VERIFIED);

        assertThat(outcomes.events(id, topics.sent.name())).hasSize(1);
        assertThat(outcomes.terminals(id)).hasSize(1);
        assertThat(sandbox.sendCallsByNumber()).containsEntry(SandboxClient.egoiForm(phone), 1)
                .doesNotContainKey(SandboxClient.egoiForm(otherPhone));
        assertThat(sandbox.validateCallsByProviderRequestId()).containsEntry(sent.getProviderRequestId(), 1);
    }

    @Test
    void concurrentAndRedeliveredSubmissions_areCheckedOnce() {
        String id = id("check-once");
        e2e.inputs().send(Inputs.request(id, e2e.nextPhoneNumber()).build());
        VerificationSent sent = awaitOne(id, topics.sent.name(), VerificationSent.class);
        String code = codeOf(sent);
        // E-goi answers slowly, so the first check is still in flight when the second submission arrives.
        sandbox.faults("{\"latencyMinMs\":2000,\"latencyMaxMs\":2000}");
        try {
            e2e.inputs().send(Inputs.submission(id, id + "-s1", code));
            e2e.inputs().flush();
            await().atMost(OUTCOME_WAIT).until(() -> sandbox.validateCallsByProviderRequestId()
                    .containsKey(sent.getProviderRequestId()));
            e2e.inputs().send(Inputs.submission(id, id + "-s2", code));
            CodeRejected busy = awaitOne(id, topics.codeRejected.name(), CodeRejected.class);
            assertThat(busy.getReason()).isEqualTo(RejectReason.CHECK_IN_PROGRESS);
            assertThat(busy.getSubmissionId()).isEqualTo(id + "-s2");
            awaitTerminal(id, topics.verified.name(), VerificationVerified.class);
        } finally {
            sandbox.clearFaults();
        }
        e2e.inputs().send(Inputs.submission(id, id + "-s1", code)); // redelivered: never checked again
        e2e.inputs().send(Inputs.submission(id, id + "-s3", code));
        await().atMost(OUTCOME_WAIT).until(() -> outcomes.events(id, topics.codeRejected.name()).size() >= 2);
        CodeRejected after = value(outcomes.events(id, topics.codeRejected.name()).get(1), CodeRejected.class);
        assertThat(after.getSubmissionId()).isEqualTo(id + "-s3");
        assertThat(after.getReason()).isEqualTo(RejectReason.ALREADY_VERIFIED);
        assertThat(sandbox.validateCallsByProviderRequestId()).containsEntry(sent.getProviderRequestId(), 1);
    }

    @Test
    void submissionsThatCannotBeChecked_areAnsweredWithoutCallingEgoi() {
        String unknown = id("unknown-request");
        e2e.inputs().send(Inputs.submission(unknown, unknown + "-s1", "123456"));
        String id = id("invalid-code");
        e2e.inputs().send(Inputs.request(id, e2e.nextPhoneNumber()).build());
        VerificationSent sent = awaitOne(id, topics.sent.name(), VerificationSent.class);
        e2e.inputs().send(Inputs.submission(id, id + "-s1", "12"));

        assertThat(awaitOne(unknown, topics.codeRejected.name(), CodeRejected.class).getReason())
                .isEqualTo(RejectReason.UNKNOWN_REQUEST);
        assertThat(awaitOne(id, topics.codeRejected.name(), CodeRejected.class).getReason())
                .isEqualTo(RejectReason.INVALID_CODE);
        assertThat(sandbox.validateCallsByProviderRequestId()).doesNotContainKey(sent.getProviderRequestId());
        assertThat(outcomes.terminals(unknown)).isEmpty();
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void noLifecycleOrWorkerLogHoldsAPhoneNumberOrTheApiKey() throws Exception {
        java.nio.file.Path logs = e2e.stack().config().stackDir().resolve("logs");
        List<String> numbers = e2e.issuedNumbers();
        assertThat(numbers).isNotEmpty();
        try (var files = java.nio.file.Files.list(logs)) {
            for (java.nio.file.Path log : files.filter(f -> f.getFileName().toString()
                    .matches("(lifecycle|worker)-\\d+\\.log")).toList()) {
                String text = java.nio.file.Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(text).as(log.getFileName().toString()).doesNotContain(
                        io.egoiverify.e2e.stack.LocalStack.SANDBOX_API_KEY);
                for (String number : numbers) {
                    assertThat(text).as(log.getFileName() + " must not hold a full phone number")
                            .doesNotContain(number.substring(1)).doesNotContain(SandboxClient.egoiForm(number));
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String id(String flow) {
        return "flow-" + flow + "-" + e2e.runId();
    }

    private static String codeOf(VerificationSent sent) {
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> sandbox.code(sent.getProviderRequestId()), java.util.Optional::isPresent).orElseThrow();
    }

    /** The same length and alphabet, never equal. */
    private static String wrong(String code) {
        char last = code.charAt(code.length() - 1);
        char other = Character.isDigit(last) ? (last == '9' ? '0' : (char) (last + 1)) : (last == 'A' ? 'B' : 'A');
        return code.substring(0, code.length() - 1) + other;
    }

    private static <T extends SpecificRecord> T awaitOne(String id, String topic, Class<T> type) {
        await("a " + topic + " record for " + id).atMost(OUTCOME_WAIT)
                .until(() -> !outcomes.events(id, topic).isEmpty());
        return value(outcomes.events(id, topic).get(0), type);
    }

    /** Waits for the terminal outcome, and checks it is the only one, of the expected kind. */
    private static <T extends SpecificRecord> T awaitTerminal(String id, String topic, Class<T> type) {
        await("a terminal outcome for " + id).atMost(OUTCOME_WAIT).until(() -> !outcomes.terminals(id).isEmpty());
        List<OutcomeLog.Event> terminals = outcomes.terminals(id);
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
