package io.egoiverify.lifecycle;

import static io.egoiverify.internal.CommandStatus.CANCELLED;
import static io.egoiverify.internal.CommandStatus.DEADLINE_PASSED;
import static io.egoiverify.internal.CommandStatus.REJECTED;
import static io.egoiverify.internal.CommandStatus.SENT;
import static io.egoiverify.internal.CommandStatus.UNAVAILABLE;
import static io.egoiverify.internal.CommandStatus.UNKNOWN;
import static io.egoiverify.internal.CommandStatus.VERIFIED;
import static io.egoiverify.internal.CommandStatus.WRONG_CODE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every resend rule as one row: given a history, when an input arrives, then status and outputs. TTL 120 s, cooldown
 * 30 s, at most 3 codes, send deadline 30 s, result grace 15 s; no per-number limits (those: ResendGuardTest).
 */
@Timeout(30)
class ResendTest {
    static final LifecycleConfig CONFIG = LifecycleConfig.defaults().withTtls(Duration.ofSeconds(30),
            Duration.ofSeconds(120), Duration.ofSeconds(3600));
    private static final Duration COOLDOWN = Duration.ofSeconds(30);

    private static Arguments row(String name, Consumer<Harness> given, Consumer<Harness> when, Status status,
                                 String... outputs) {
        return Arguments.of(name, given, when, status, List.of(outputs));
    }

    /** Sent at T0 with a 60 s code. */
    private static Consumer<Harness> sentShort() {
        return h -> h.request(Fixtures.request(Harness.ID, h.now).setTtlSeconds(60).build()).result(SENT);
    }

    /** Sent at T0 (code until T0 + 120 s), and a resend accepted at T0 + 30 s. */
    private static Consumer<Harness> resending() {
        return h -> h.sent().advance(COOLDOWN).resend();
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                // refused
                row("resend of an unknown verification", h -> { }, Harness::resend, null,
                        "ResendRejected:UNKNOWN_REQUEST:0"),
                row("resend while only a cancel is remembered", Harness::cancel, Harness::resend,
                        Status.CANCEL_PENDING, "ResendRejected:UNKNOWN_REQUEST:0"),
                row("resend before the first code is sent", Harness::request, Harness::resend, Status.SENDING,
                        "ResendRejected:NOT_SENT_YET:30"),
                row("resend within the cooldown", h -> h.sent().advance(Duration.ofSeconds(10)), Harness::resend,
                        Status.SENT, "ResendRejected:COOLDOWN:20"),
                row("resend while a check is in flight", h -> h.sent().advance(COOLDOWN).submit(), Harness::resend,
                        Status.CHECKING, "ResendRejected:CHECK_IN_PROGRESS:1"),
                row("resend while a check is in flight, within the cooldown", h -> h.sent().submit(),
                        Harness::resend, Status.CHECKING, "ResendRejected:CHECK_IN_PROGRESS:30"),
                row("duplicate resend while one is in flight", resending(), Harness::resend, Status.RESENDING,
                        "ResendRejected:COOLDOWN:30"),
                row("cooldown outlasting the code: waiting does not help",
                        h -> h.request(Fixtures.request(Harness.ID, h.now).setTtlSeconds(30).build()).result(SENT)
                                .advance(Duration.ofSeconds(10)),
                        Harness::resend, Status.SENT, "ResendRejected:COOLDOWN:0"),
                row("a fourth code is too many", h -> h.sent().advance(COOLDOWN).resend().result(SENT)
                                .advance(COOLDOWN).resend().result(SENT).advance(COOLDOWN),
                        Harness::resend, Status.SENT, "ResendRejected:TOO_MANY_SENDS:0"),
                row("a resend whose outcome is unknown counts against the maximum",
                        h -> h.sent().advance(COOLDOWN).resend().result(UNAVAILABLE).advance(COOLDOWN).resend()
                                .result(SENT).advance(COOLDOWN),
                        Harness::resend, Status.SENT, "ResendRejected:TOO_MANY_SENDS:0"),
                row("a resend lost without a result counts against the maximum",
                        h -> h.sent().advance(COOLDOWN).resend().advance(Duration.ofSeconds(45)).tick()
                                .advance(COOLDOWN).resend().result(SENT).advance(COOLDOWN),
                        Harness::resend, Status.SENT, "ResendRejected:TOO_MANY_SENDS:0"),
                row("a resend E-goi refused does not count against the maximum",
                        h -> h.sent().advance(COOLDOWN).resend().result(REJECTED).resend().result(SENT)
                                .advance(COOLDOWN),
                        Harness::resend, Status.RESENDING, "Resend:3"),
                row("the code after an unknown resend is numbered after it",
                        h -> h.sent().advance(COOLDOWN).resend().result(UNAVAILABLE).advance(COOLDOWN).resend(),
                        h -> h.result(SENT), Status.SENT, "Sent:3"),
                row("resend after verified", h -> h.sent().submit().result(VERIFIED), Harness::resend,
                        Status.VERIFIED, "ResendRejected:NOT_ACTIVE:0"),
                row("resend after expired", h -> h.sent().advance(Duration.ofSeconds(120)).tick(), Harness::resend,
                        Status.EXPIRED, "ResendRejected:NOT_ACTIVE:0"),
                row("resend after cancel", h -> h.sent().cancel(), Harness::resend, Status.CANCELLED,
                        "ResendRejected:NOT_ACTIVE:0"),
                row("resend after failed", h -> h.request().result(REJECTED), Harness::resend, Status.FAILED,
                        "ResendRejected:NOT_ACTIVE:0"),
                // accepted
                row("resend after the cooldown is accepted", h -> h.sent().advance(COOLDOWN), Harness::resend,
                        Status.RESENDING, "Resend:2"),
                row("resend accepted: the new code is sent", resending(), h -> h.result(SENT), Status.SENT,
                        "Sent:2"),
                row("resend rejected by E-goi: the old code stands, no new cooldown", resending(),
                        h -> h.advance(Duration.ofSeconds(1)).result(REJECTED), Status.SENT,
                        "ResendRejected:FAILED:0"),
                row("resend not executed in time: the old code stands", resending(), h -> h.result(DEADLINE_PASSED),
                        Status.SENT, "ResendRejected:FAILED:0"),
                row("resend outcome unknown: the cooldown restarts from the resend", resending(),
                        h -> h.advance(Duration.ofSeconds(1)).result(UNAVAILABLE), Status.SENT,
                        "ResendRejected:FAILED:29"),
                row("resend with an unknown status counts as unknown", resending(),
                        h -> h.advance(Duration.ofSeconds(1)).result(UNKNOWN), Status.SENT,
                        "ResendRejected:FAILED:29"),
                row("resend SENT without E-goi's id counts as unknown", resending(),
                        h -> h.advance(Duration.ofSeconds(1)).result(SENT, null, h.now), Status.SENT,
                        "ResendRejected:FAILED:29"),
                row("resend answered CANCELLED: E-goi cancelled it", resending(), h -> h.result(CANCELLED),
                        Status.CANCELLED, "Cancelled"),
                row("no resend result before its deadline + grace", resending(),
                        h -> h.advance(Duration.ofSeconds(45)).tick(), Status.SENT, "ResendRejected:FAILED:0"),
                row("the old code's expiry is held while the resend is in flight",
                        h -> sentShort().andThen(x -> x.advance(COOLDOWN).resend()).accept(h),
                        h -> h.advance(Duration.ofSeconds(31)).tick(), Status.RESENDING),
                row("no resend result and the old code ran out meanwhile",
                        h -> sentShort().andThen(x -> x.advance(COOLDOWN).resend()).accept(h),
                        h -> h.advance(Duration.ofSeconds(45)).tick(), Status.EXPIRED, "Expired:0"),
                row("a resend answered after the old code's expiry time still sends the new code",
                        h -> sentShort().andThen(x -> x.advance(COOLDOWN).resend()).accept(h),
                        h -> h.advance(Duration.ofSeconds(35)).result(SENT), Status.SENT, "Sent:2"),
                row("a resend failing after the old code's expiry time ends it expired",
                        h -> sentShort().andThen(x -> x.advance(COOLDOWN).resend()).accept(h),
                        h -> h.advance(Duration.ofSeconds(35)).result(UNAVAILABLE), Status.EXPIRED, "Expired:0"),
                // meanwhile
                row("submission while resending: the new code is not sent yet", resending(), Harness::submit,
                        Status.RESENDING, "Rejected:NOT_SENT_YET:5"),
                row("cancel while resending cancels at E-goi too", resending(), Harness::cancel, Status.CANCELLED,
                        "CancelAtEgoi", "Cancelled"),
                row("late resend result after cancel is dropped", h -> resending().accept(h), h -> {
                    var resend = h.lastCommand;
                    h.cancel();
                    h.lastCommand = resend;
                    h.result(SENT);
                }, Status.CANCELLED),
                row("wrong codes are not reset by a resend",
                        h -> h.sent().submit().result(WRONG_CODE).advance(COOLDOWN).resend().result(SENT),
                        h -> h.submit().result(WRONG_CODE), Status.SENT, "Rejected:WRONG_CODE:3"),
                row("a check answered CANCELLED ends the verification cancelled", h -> h.sent().submit(),
                        h -> h.result(CANCELLED), Status.CANCELLED, "Rejected:CANCELLED:0", "Cancelled"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void rule(String name, Consumer<Harness> given, Consumer<Harness> when, Status status, List<String> outputs) {
        Harness h = new Harness(CONFIG);
        given.accept(h);
        when.accept(h);
        assertThat(h.status()).as("status").isEqualTo(status);
        assertThat(h.lastDescribed()).as("outputs").containsExactlyElementsOf(outputs);
        if (h.state != null) {
            assertThat(h.state.wakeAt()).as("next deadline").isAfter(h.now);
        }
    }
}
