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

/** The new state format (version 2) round-trips and still reads version 1; the guard's formats round-trip. */
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
    void versionOneStatesAreStillRead() {
        VerificationState s = VerificationState.builder("r1", Status.SENT, Fixtures.T0.plusSeconds(60))
                .senderProfile("default").phoneMasked("+351*******00").codeSize(6).ttlSeconds(60).maxAttempts(5)
                .providerRequestId("p").expiresAt(Fixtures.T0.plusSeconds(60)).build();
        byte[] v2 = states.serialize("t", s);
        // Version 1 is version 2 without the three trailing fields (null, null, no parked send = 4 + 4 + 1 bytes).
        byte[] v1 = Arrays.copyOf(v2, v2.length - 9);
        v1[0] = 1;
        assertThat(states.deserialize("t", v1)).isEqualTo(s);
        v1[0] = 9;
        assertThatThrownBy(() -> states.deserialize("t", v1)).isInstanceOf(SerializationException.class);
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
        NumberState s = new NumberState(List.of(Fixtures.T0), List.of(Fixtures.T0, Fixtures.T0.plusSeconds(1)),
                List.of(new NumberState.Active("r1", "r1/permit/1", Fixtures.T0.plusSeconds(3600))));
        assertThat(GuardSerdes.numberStates().deserializer().deserialize("t",
                GuardSerdes.numberStates().serializer().serialize("t", s))).isEqualTo(s);
        assertThatThrownBy(() -> GuardSerdes.notices().deserializer().deserialize("t", new byte[] {1, 7}))
                .isInstanceOf(SerializationException.class);
    }
}
