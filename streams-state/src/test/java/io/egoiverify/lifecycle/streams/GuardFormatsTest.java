package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.NumberNotice;
import io.egoiverify.lifecycle.NumberState;
import io.egoiverify.lifecycle.PermitVerdict;
import io.egoiverify.lifecycle.Status;
import io.egoiverify.lifecycle.VerificationState;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A state with a parked send round-trips; the guard's formats round-trip (the stored ones: StoredFormatsTest). */
@Timeout(10)
class GuardFormatsTest {
    private final StateSerde states = new StateSerde();

    @Test
    void stateWithAParkedSendRoundTrips() {
        VerificationState s = VerificationState.builder("r1", Status.AWAITING_PERMIT, Fixtures.T0.plusSeconds(10))
                .metadata(Map.of("u", "1")).senderProfile("default").phoneMasked("+351*******00").codeSize(6)
                .ttlSeconds(60).maxAttempts(5).numberHash("a".repeat(64)).permitId("r1/permit/1")
                .pendingSend(new VerificationState.PendingSend("c2VhbGVk", "numeric", "Code {CODE}", null,
                        Fixtures.T0.plusSeconds(30)))
                .build();
        assertThat(states.deserialize("t", states.serialize("t", s))).isEqualTo(s);
    }

    @Test
    void guardFormatsRoundTrip() {
        NumberNotice n = new NumberNotice(NumberNotice.Kind.FAILED_CHECK, "b".repeat(64), "r1", "r1/permit/1",
                Fixtures.T0);
        assertThat(GuardSerdes.notices().deserializer().deserialize("t",
                GuardSerdes.notices().serializer().serialize("t", n))).isEqualTo(n);
        PermitVerdict v = new PermitVerdict("r1", "r1/permit/1", PermitVerdict.Kind.REFUSED, "sends-per-number");
        assertThat(GuardSerdes.verdicts().deserializer().deserialize("t",
                GuardSerdes.verdicts().serializer().serialize("t", v))).isEqualTo(v);
        PermitVerdict retry = new PermitVerdict("r1", "r1/permit-resend-2/1", PermitVerdict.Kind.REFUSED,
                "sends-per-number", Fixtures.T0.plusSeconds(600));
        assertThat(GuardSerdes.verdicts().deserializer().deserialize("t",
                GuardSerdes.verdicts().serializer().serialize("t", retry))).isEqualTo(retry);
        NumberNotice resend = new NumberNotice(NumberNotice.Kind.RESEND_REQUEST, "b".repeat(64), "r1",
                "r1/permit-resend-2/1", Fixtures.T0);
        assertThat(GuardSerdes.notices().deserializer().deserialize("t",
                GuardSerdes.notices().serializer().serialize("t", resend))).isEqualTo(resend);
        NumberState s = new NumberState(List.of(Fixtures.T0), List.of(Fixtures.T0, Fixtures.T0.plusSeconds(1)),
                List.of(new NumberState.Active("r1", "r1/permit/1", Fixtures.T0.plusSeconds(3600))));
        assertThat(GuardSerdes.numberStates().deserializer().deserialize("t",
                GuardSerdes.numberStates().serializer().serialize("t", s))).isEqualTo(s);
        assertThatThrownBy(() -> GuardSerdes.notices().deserializer().deserialize("t", new byte[] {1, 7}))
                .isInstanceOf(SerializationException.class);
    }
}
