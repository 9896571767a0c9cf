package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.InFlight;
import io.egoiverify.lifecycle.NumberKeys;
import io.egoiverify.lifecycle.NumberNotice;
import io.egoiverify.lifecycle.NumberState;
import io.egoiverify.lifecycle.PermitVerdict;
import io.egoiverify.lifecycle.ResendPolicy;
import io.egoiverify.lifecycle.Status;
import io.egoiverify.lifecycle.VerificationState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reads the bytes the previous release wrote (test resources under {@code formats/}, captured from the code of commit
 * 0ac6eba) and checks every field: a deployment's changelogs and internal topics stay readable after an upgrade. A
 * state from before resend existed gets what resend needs from what it has (its one code's start, today's policy).
 */
@Timeout(10)
class StoredFormatsTest {
    private static final String HASH = "4a3f05df66d651bb524a5fb64103ffdc67b4d61b4b0e58a5346eb1328994117d";
    private static final String PERMIT = "req-1/permit/1767225600000";
    private static final Map<String, String> META = Map.of("user", "u-1");
    private static final Map<String, String> META2 = Map.of("user", "u-1", "trace", "t-9");
    private final StateSerde serde = new StateSerde();

    private static Instant at(long millisAfterT0) {
        return Fixtures.T0.plusMillis(millisAfterT0);
    }

    private static VerificationState.Builder opened(Status status, long wakeAt, Map<String, String> metadata) {
        // Admitted before resend existed: today's resend policy of its profile applies.
        return VerificationState.builder("req-1", status, at(wakeAt)).metadata(metadata).senderProfile("default")
                .phoneMasked("+351*******00").codeSize(6).ttlSeconds(60).maxAttempts(5)
                .resend(ResendPolicy.DEFAULT);
    }

    /** Its one code, sent: it started expiresAt − TTL (60 s). */
    private static VerificationState.Builder sent(VerificationState.Builder b, long expiresAt) {
        return b.providerRequestId("egoi-req-1").expiresAt(at(expiresAt)).sendCount(1)
                .lastSendAt(at(expiresAt - 60_000));
    }

    @Test
    void readsEveryStatusOfStateFormatVersionTwo() {
        assertThat(state("sending")).isEqualTo(opened(Status.SENDING, 45_000, META)
                .inFlight(new InFlight("req-1/send/1767225600000", null, at(0), at(30_000))).build());
        assertThat(state("sent")).isEqualTo(sent(opened(Status.SENT, 60_250, META), 60_250).build());
        assertThat(state("expired")).isEqualTo(sent(opened(Status.EXPIRED, 86_461_250, META), 60_250).build());
        assertThat(state("sending-guarded")).isEqualTo(opened(Status.SENDING, 45_000, META2).numberHash(HASH)
                .permitId(PERMIT).inFlight(new InFlight("req-1/send/1767225600040", null, at(40), at(30_000)))
                .build());
        assertThat(state("sent-guarded")).isEqualTo(sent(opened(Status.SENT, 60_340, META2), 60_340)
                .numberHash(HASH).permitId(PERMIT).build());
        assertThat(state("checking")).isEqualTo(sent(opened(Status.CHECKING, 75_340, META2), 60_340)
                .numberHash(HASH).permitId(PERMIT)
                .inFlight(new InFlight("req-1/check-1/1767225602340", "s-1", at(2_340), at(60_340)))
                .checkedSubmissions(List.of("s-1")).otherSubmissions(List.of("s-bad")).build());
        assertThat(state("verified")).isEqualTo(sent(opened(Status.VERIFIED, 86_402_740, META2), 60_340)
                .numberHash(HASH).permitId(PERMIT).wrongCodes(1)
                .checkedSubmissions(List.of("s-1", "s-2")).otherSubmissions(List.of("s-bad")).build());
        assertThat(state("cancel-pending")).isEqualTo(VerificationState.builder("req-1", Status.CANCEL_PENDING,
                at(600_000)).cancelReason("user left").build());
        assertThat(state("cancelled")).isEqualTo(VerificationState.builder("req-1", Status.CANCELLED,
                at(86_400_000)).metadata(META).cancelReason("user left").build());
        assertThat(state("failed-invalid")).isEqualTo(VerificationState.builder("req-1", Status.FAILED,
                at(86_400_000)).metadata(META).failureReason("INVALID_REQUEST").build());
        assertThat(state("failed-rejected")).isEqualTo(opened(Status.FAILED, 86_400_000, META)
                .failureReason("PROVIDER_REJECTED").build());
    }

    @Test
    void readsAParkedSendOfStateFormatVersionTwo() {
        VerificationState s = state("awaiting-permit");
        VerificationState.PendingSend p = s.pendingSend();
        assertThat(s).isEqualTo(opened(Status.AWAITING_PERMIT, 25_000, META2).numberHash(HASH).permitId(PERMIT)
                .pendingSend(p).build());
        assertThat(p.codeType()).isEqualTo("numeric");
        assertThat(p.message()).isEqualTo("Your verification code is {CODE}");
        assertThat(p.group()).isNull();
        assertThat(p.sendDeadline()).isEqualTo(at(30_000));
        NumberKeys keys = new NumberKeys("0123456789abcdef0123456789abcdef".getBytes());
        assertThat(keys.unseal("req-1", p.sealedNumber())).isEqualTo(Fixtures.PHONE);
    }

    @Test
    void readsStateFormatVersionOne() {
        // Version 1 is version 2 without its three trailing fields (null, null, no parked send: 4 + 4 + 1 bytes).
        byte[] v2 = read("state-v2-sent.bin");
        byte[] v1 = Arrays.copyOf(v2, v2.length - 9);
        v1[0] = 1;
        assertThat(serde.deserialize("t", v1)).isEqualTo(state("sent"));
    }

    @Test
    void theCurrentFormatRoundTripsEveryField() {
        VerificationState s = sent(opened(Status.RESENDING, 90_000, META2), 60_340).numberHash(HASH)
                .permitId(PERMIT).sendCount(2).lastSendAt(at(30_000)).maxSends(4)
                .resendCooldown(Duration.ofSeconds(45))
                .resendSeed(new VerificationState.SealedSend("c2VhbGVk", "numeric", "Code {CODE}", "g"))
                .inFlight(new InFlight("req-1/resend-3/1767225631000", null, at(31_000), at(61_000))).build();
        assertThat(serde.deserialize("t", serde.serialize("t", s))).isEqualTo(s);
        VerificationState parked = s.toBuilder().status(Status.AWAITING_RESEND_PERMIT).inFlight(null)
                .pendingResend(new VerificationState.PendingResend("req-1/permit-resend-3/1767225631000",
                        at(61_000))).build();
        assertThat(serde.deserialize("t", serde.serialize("t", parked))).isEqualTo(parked);
        for (Status status : Status.values()) {
            assertThat(StateSerde.status(StateSerde.code(status))).isEqualTo(status);
        }
    }

    @Test
    void anUnknownStatusCodeIsASerializationError() {
        byte[] bytes = read("state-v2-sent.bin");
        // version (1) + requestId (4 + 5) precede the status code
        bytes[10] = 99;
        assertThatThrownBy(() -> serde.deserialize("t", bytes)).isInstanceOf(SerializationException.class);
    }

    @Test
    void readsTheGuardFormatsOfVersionOne() {
        var notices = GuardSerdes.notices().deserializer();
        long second = 0;
        for (NumberNotice.Kind kind : List.of(NumberNotice.Kind.PERMIT_REQUEST, NumberNotice.Kind.FAILED_CHECK,
                NumberNotice.Kind.ENDED)) {
            second++;
            assertThat(notices.deserialize("t", read("notice-v1-" + kind.name().toLowerCase() + ".bin")))
                    .isEqualTo(new NumberNotice(kind, "a".repeat(64), "req-1", PERMIT, at(second * 1000)));
        }
        var verdicts = GuardSerdes.verdicts().deserializer();
        assertThat(verdicts.deserialize("t", read("verdict-v1-granted.bin")))
                .isEqualTo(new PermitVerdict("req-1", PERMIT, PermitVerdict.Kind.GRANTED, null));
        assertThat(verdicts.deserialize("t", read("verdict-v1-refused.bin")))
                .isEqualTo(new PermitVerdict("req-1", PERMIT, PermitVerdict.Kind.REFUSED,
                        "sends-per-number (at most 5 codes sent to one number per 1 h)"));
        assertThat(verdicts.deserialize("t", read("verdict-v1-superseded.bin")))
                .isEqualTo(new PermitVerdict("req-1", PERMIT, PermitVerdict.Kind.SUPERSEDED, null));
        assertThat(GuardSerdes.verdicts().serializer().serialize("t",
                new PermitVerdict("req-1", PERMIT, PermitVerdict.Kind.GRANTED, null)))
                .as("a verdict without a retry instant is still written as version 1")
                .isEqualTo(read("verdict-v1-granted.bin"));
        // Requests without their command (lifecycle.guard-issues-commands=false, or the previous release): the
        // previous release's bytes, read as carrying none (the guard issues nothing for them), and still written so.
        NumberNotice old = notices.deserialize("t", read("notice-v1-permit_request.bin"));
        assertThat(old.command()).isNull();
        assertThat(GuardSerdes.notices().serializer().serialize("t", old))
                .isEqualTo(read("notice-v1-permit_request.bin"));
        assertThat(verdicts.deserialize("t", read("verdict-v1-granted.bin")).commandIssued()).isFalse();
        assertThat(GuardSerdes.numberStates().deserializer().deserialize("t", read("number-state-v1.bin")))
                .isEqualTo(new NumberState(List.of(at(0), at(5_000)), List.of(at(7_000)),
                        List.of(new NumberState.Active("req-1", PERMIT, at(3_700_000)))));
    }

    private VerificationState state(String name) {
        return serde.deserialize("t", read("state-v2-" + name + ".bin"));
    }

    private static byte[] read(String file) {
        try (InputStream in = StoredFormatsTest.class.getResourceAsStream("/formats/" + file)) {
            assertThat(in).as("test resource formats/" + file).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
