package io.egoiverify.lifecycle;

import static io.egoiverify.internal.CommandStatus.ALREADY_VERIFIED;
import static io.egoiverify.internal.CommandStatus.CODE_EXPIRED;
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

/** Every transition of the lifecycle as one row: given a history, when an input arrives, then status and outputs. */
@Timeout(30)
class LifecycleTest {
    private static final Duration TTL = Duration.ofSeconds(60);
    private static final Duration GRACE = LifecycleConfig.defaults().resultGrace();
    private static final Duration SEND_DEADLINE = LifecycleConfig.defaults().sendDeadline();
    private static final Duration RETENTION = LifecycleConfig.defaults().retention();

    private static Arguments row(String name, Consumer<Harness> given, Consumer<Harness> when, Status status,
                                 String... outputs) {
        return Arguments.of(name, given, when, status, List.of(outputs));
    }

    private static Consumer<Harness> none() {
        return h -> { };
    }

    private static Consumer<Harness> checking() {
        return h -> h.sent().submit();
    }

    static Stream<Arguments> transitions() {
        return Stream.of(
                // request
                row("valid request admits a send", none(), Harness::request, Status.SENDING, "Send"),
                row("duplicate request while sending is ignored", Harness::request, Harness::request, Status.SENDING),
                row("duplicate request after sent is ignored", Harness::sent, Harness::request, Status.SENT),
                row("duplicate of an invalid request is ignored",
                        h -> h.request(Fixtures.request(Harness.ID, h.now).setPhoneNumber("12").build()),
                        Harness::request, Status.FAILED),
                row("duplicate request after verified is ignored", h -> h.sent().submit().result(VERIFIED),
                        Harness::request, Status.VERIFIED),
                row("request after a pending cancel is cancelled without a send", Harness::cancel, Harness::request,
                        Status.CANCELLED, "Cancelled"),
                row("invalid request after a pending cancel still fails INVALID_REQUEST", Harness::cancel,
                        h -> h.request(Fixtures.request(Harness.ID, h.now).setPhoneNumber("12").build()),
                        Status.FAILED, "Failed:INVALID_REQUEST"),
                row("request older than the send deadline fails at once", h -> h.advance(SEND_DEADLINE),
                        h -> h.request(Fixtures.request(Harness.ID, h.now.minus(SEND_DEADLINE)).build()),
                        Status.FAILED, "Failed:PROVIDER_UNAVAILABLE"),
                // send results
                row("send accepted publishes Sent", Harness::request, h -> h.result(SENT), Status.SENT, "Sent"),
                row("send rejected fails PROVIDER_REJECTED", Harness::request, h -> h.result(REJECTED),
                        Status.FAILED, "Failed:PROVIDER_REJECTED"),
                row("send unavailable fails PROVIDER_UNAVAILABLE", Harness::request, h -> h.result(UNAVAILABLE),
                        Status.FAILED, "Failed:PROVIDER_UNAVAILABLE"),
                row("send past its deadline fails PROVIDER_UNAVAILABLE", Harness::request,
                        h -> h.result(DEADLINE_PASSED), Status.FAILED, "Failed:PROVIDER_UNAVAILABLE"),
                row("send with unknown status fails PROVIDER_UNAVAILABLE", Harness::request, h -> h.result(UNKNOWN),
                        Status.FAILED, "Failed:PROVIDER_UNAVAILABLE"),
                row("result for a command not in flight is dropped", Harness::request, h -> h.staleResult(SENT),
                        Status.SENDING),
                row("send result after cancel is dropped", h -> h.request().cancel(), h -> h.result(SENT),
                        Status.CANCELLED),
                row("sent result arriving after the TTL already passed expires at once",
                        h -> h.request(Fixtures.request(Harness.ID, h.now).setTtlSeconds(30).build()),
                        h -> h.advance(Duration.ofSeconds(40)).apply(new Input.Result(Fixtures.result(Harness.ID,
                                h.lastCommand.getCommandId(), SENT, h.now.minusSeconds(40)))),
                        Status.EXPIRED, "Sent", "Expired:0"),
                // send deadline
                row("no send result by the deadline fails", Harness::request,
                        h -> h.advance(SEND_DEADLINE.plus(GRACE)).tick(), Status.FAILED,
                        "Failed:PROVIDER_UNAVAILABLE"),
                row("tick before the send deadline does nothing", Harness::request,
                        h -> h.advance(SEND_DEADLINE).tick(), Status.SENDING),
                // submissions
                row("submission for an unknown request", none(), Harness::submit, null, "Rejected:UNKNOWN_REQUEST:0"),
                row("submission before the SMS is sent", Harness::request, Harness::submit, Status.SENDING,
                        "Rejected:NOT_SENT_YET:5"),
                row("submission admits a check", Harness::sent, Harness::submit, Status.CHECKING, "Check"),
                row("malformed code is not checked", Harness::sent, h -> h.submit("s", "12"), Status.SENT,
                        "Rejected:INVALID_CODE:5"),
                row("second code while a check is in flight", checking(), Harness::submit, Status.CHECKING,
                        "Rejected:CHECK_IN_PROGRESS:5"),
                row("redelivered submission is not checked twice", h -> h.sent().submit("s1", "123456"),
                        h -> h.result(WRONG_CODE).submit("s1", "123456"), Status.SENT),
                row("redelivered rejected submission is ignored", h -> h.request().submit("s1", "123456"),
                        h -> h.submit("s1", "123456"), Status.SENDING),
                row("submission after verified", h -> h.sent().submit().result(VERIFIED), Harness::submit,
                        Status.VERIFIED, "Rejected:ALREADY_VERIFIED:0"),
                row("submission after expiry", h -> h.sent().advance(TTL).tick(), Harness::submit, Status.EXPIRED,
                        "Rejected:EXPIRED:0"),
                row("submission after cancel", h -> h.sent().cancel(), Harness::submit, Status.CANCELLED,
                        "Rejected:CANCELLED:0"),
                row("submission while a cancel is pending", Harness::cancel, Harness::submit,
                        Status.CANCEL_PENDING, "Rejected:CANCELLED:0"),
                row("submission after lockout", h -> lockOut(h), Harness::submit, Status.FAILED,
                        "Rejected:TOO_MANY_ATTEMPTS:0"),
                row("submission after a failed send", h -> h.request().result(REJECTED), Harness::submit,
                        Status.FAILED, "Rejected:FAILED:0"),
                row("submission at the TTL expires first", Harness::sent, h -> h.advance(TTL).submit(),
                        Status.EXPIRED, "Expired:0", "Rejected:EXPIRED:0"),
                // check results
                row("right code verifies", checking(), h -> h.result(VERIFIED), Status.VERIFIED, "Verified:1"),
                row("already verified while our check is in flight verifies", checking(),
                        h -> h.result(ALREADY_VERIFIED), Status.VERIFIED, "Verified:1"),
                row("wrong code counts an attempt", checking(), h -> h.result(WRONG_CODE), Status.SENT,
                        "Rejected:WRONG_CODE:4"),
                row("last wrong code locks out", h -> { lockOut(h, 4); h.submit(); }, h -> h.result(WRONG_CODE),
                        Status.FAILED, "Rejected:WRONG_CODE:0", "Failed:MAX_ATTEMPTS_REACHED"),
                row("provider says expired", checking(), h -> h.result(CODE_EXPIRED), Status.EXPIRED,
                        "Rejected:EXPIRED:0", "Expired:1"),
                row("check unavailable: not counted, stays open", checking(), h -> h.result(UNAVAILABLE),
                        Status.SENT, "Rejected:FAILED:5"),
                row("check rejected by provider: not counted", checking(), h -> h.result(REJECTED), Status.SENT,
                        "Rejected:FAILED:5"),
                row("stale check result is dropped", checking(), h -> h.staleResult(VERIFIED), Status.CHECKING),
                row("check result after cancel is dropped", h -> h.sent().submit().cancel(),
                        h -> h.result(VERIFIED), Status.CANCELLED),
                row("check result after expiry is dropped", h -> h.sent().submit().advance(TTL.plus(GRACE)).tick(),
                        h -> h.result(VERIFIED), Status.EXPIRED),
                row("right code in time, answer within grace after the TTL: verified", checking(),
                        h -> h.advance(TTL.plusSeconds(5)).tick().result(VERIFIED), Status.VERIFIED, "Verified:1"),
                row("wrong code answered after the TTL: rejected then expired", checking(),
                        h -> h.advance(TTL.plusSeconds(5)).result(WRONG_CODE), Status.EXPIRED,
                        "Rejected:WRONG_CODE:4", "Expired:1"),
                // clock
                row("TTL passes with no submission", Harness::sent, h -> h.advance(TTL).tick(), Status.EXPIRED,
                        "Expired:0"),
                row("tick before the TTL does nothing", Harness::sent, h -> h.advance(TTL.minusMillis(1)).tick(),
                        Status.SENT),
                row("expiry is held while a check is in flight", checking(), h -> h.advance(TTL).tick(),
                        Status.CHECKING),
                row("held expiry fires after the grace", checking(), h -> h.advance(TTL.plus(GRACE)).tick(),
                        Status.EXPIRED, "Expired:1"),
                row("terminal state is purged after retention", h -> h.sent().cancel(),
                        h -> h.advance(RETENTION).tick(), null),
                row("terminal state is kept before retention", h -> h.sent().cancel(),
                        h -> h.advance(RETENTION.minusSeconds(1)).tick(), Status.CANCELLED),
                row("pending cancel is forgotten", Harness::cancel,
                        h -> h.advance(LifecycleConfig.defaults().pendingCancelMemory()).tick(), null),
                row("request after retention starts anew", h -> h.sent().cancel().advance(RETENTION),
                        Harness::request, Status.SENDING, "Send"),
                // cancel
                row("cancel while sending", Harness::request, Harness::cancel, Status.CANCELLED, "Cancelled"),
                row("cancel after sent also cancels at E-goi", Harness::sent, Harness::cancel, Status.CANCELLED,
                        "CancelAtEgoi", "Cancelled"),
                row("cancel while checking also cancels at E-goi", checking(), Harness::cancel, Status.CANCELLED,
                        "CancelAtEgoi", "Cancelled"),
                row("cancel before the request is remembered", none(), Harness::cancel, Status.CANCEL_PENDING),
                row("second pending cancel is ignored", Harness::cancel, Harness::cancel, Status.CANCEL_PENDING),
                row("cancel after verified is ignored", h -> h.sent().submit().result(VERIFIED), Harness::cancel,
                        Status.VERIFIED),
                row("cancel after expired is ignored", h -> h.sent().advance(TTL).tick(), Harness::cancel,
                        Status.EXPIRED),
                row("cancel after failed is ignored", h -> h.request().result(REJECTED), Harness::cancel,
                        Status.FAILED));
    }

    private static void lockOut(Harness h) {
        lockOut(h, 5);
    }

    private static void lockOut(Harness h, int wrong) {
        h.sent();
        for (int i = 0; i < wrong; i++) {
            h.submit().result(WRONG_CODE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitions")
    void transition(String name, Consumer<Harness> given, Consumer<Harness> when, Status status,
                    List<String> outputs) {
        Harness h = new Harness();
        given.accept(h);
        when.accept(h);
        assertThat(h.status()).as("status").isEqualTo(status);
        assertThat(h.lastDescribed()).as("outputs").containsExactlyElementsOf(outputs);
        if (h.state != null) {
            assertThat(h.state.wakeAt()).as("next deadline is in the future").isAfter(h.now);
        }
    }
}
