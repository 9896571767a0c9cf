package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.GrantedCommand;
import io.egoiverify.lifecycle.InFlight;
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

/**
 * A state with a parked send round-trips; the guard's formats round-trip, a request carrying its command and a verdict
 * saying it was issued included (the stored ones: StoredFormatsTest).
 */
@Timeout(10)
class GuardFormatsTest {
    private final StateSerde states = new StateSerde();

    /** Version 1, a kind code, then a string length of 2,147,483,632: six bytes of garbage on a guard topic. */
    static final byte[] HUGE_LENGTH = {1, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0};

    @Test
    void aLengthBeyondTheBytesLeftIsASerializationErrorNotAnAllocation() {
        // Before, each allocated what the bytes announced: OutOfMemoryError, which no deserialization handler sees.
        for (var deserializer : List.of(GuardSerdes.verdicts().deserializer(), GuardSerdes.notices().deserializer(),
                GuardSerdes.numberStates().deserializer())) {
            assertThatThrownBy(() -> deserializer.deserialize("t", HUGE_LENGTH))
                    .isInstanceOf(SerializationException.class);
        }
        // A count of 2^31 - 16 instants (number states start with the sends' count), and of active entries.
        assertThatThrownBy(() -> GuardSerdes.numberStates().deserializer().deserialize("t",
                new byte[] {1, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0}))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> GuardSerdes.numberStates().deserializer().deserialize("t",
                new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0}))
                .isInstanceOf(SerializationException.class);
        // The same in the verifications store's format: the requestId's length, a metadata count, a list count.
        assertThatThrownBy(() -> states.deserialize("t", new byte[] {3, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0}))
                .isInstanceOf(SerializationException.class);
        byte[] sent = states.serialize("t", VerificationState.builder("r1", Status.SENT, Fixtures.T0)
                .checkedSubmissions(List.of("s1")).metadata(Map.of("u", "1")).build());
        byte[] metadataCount = Arrays.copyOf(sent, sent.length);
        // version (1) + requestId (4 + 2) + status (1) precede the metadata count
        System.arraycopy(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0}, 0, metadataCount, 8, 4);
        assertThatThrownBy(() -> states.deserialize("t", metadataCount)).isInstanceOf(SerializationException.class);
        // a list count of 2^31 - 16 where the checked submissions' count "1" was
        byte[] listCount = Arrays.copyOf(sent, sent.length);
        int at = indexOf(listCount, new byte[] {0, 0, 0, 1, 0, 0, 0, 2, 's', '1'});
        System.arraycopy(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0}, 0, listCount, at, 4);
        assertThatThrownBy(() -> states.deserialize("t", listCount)).isInstanceOf(SerializationException.class);
        assertThat(states.deserialize("t", sent).checkedSubmissions()).containsExactly("s1");
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void stateWithAParkedSendRoundTrips() {
        VerificationState s = VerificationState.builder("r1", Status.AWAITING_PERMIT, Fixtures.T0.plusSeconds(10))
                .metadata(Map.of("u", "1")).senderProfile("default").phoneMasked("+351*******00").codeSize(6)
                .ttlSeconds(60).maxAttempts(5).numberHash("a".repeat(64)).permitId("r1/permit/1")
                .pendingSend(new VerificationState.PendingSend("c2VhbGVk", "numeric", "Code {CODE}", null,
                        Fixtures.T0.plusSeconds(30)))
                .build();
        assertThat(states.deserialize("t", states.serialize("t", s))).isEqualTo(s);
        // Awaiting the send the guard issues on grant: the state format (version 3) already holds a command in
        // flight for any status.
        VerificationState awaiting = s.toBuilder().inFlight(new InFlight("r1/send/1", null, Fixtures.T0,
                Fixtures.T0.plusSeconds(25))).wakeAt(Fixtures.T0.plusSeconds(40)).build();
        assertThat(states.deserialize("t", states.serialize("t", awaiting))).isEqualTo(awaiting);
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

    @Test
    void aRequestCarryingItsCommandRoundTripsAndOneWithoutIsStillVersionOne() {
        GrantedCommand send = new GrantedCommand("default", Fixtures.T0.plusSeconds(25), "c2VhbGVk", "numeric", 6, 60,
                "Code {CODE}", "g", null, 1);
        NumberNotice n = new NumberNotice(NumberNotice.Kind.PERMIT_REQUEST, "b".repeat(64), "r1", "r1/permit/1",
                Fixtures.T0, send);
        byte[] bytes = GuardSerdes.notices().serializer().serialize("t", n);
        assertThat(bytes[0]).as("version 2: the command").isEqualTo((byte) 2);
        assertThat(GuardSerdes.notices().deserializer().deserialize("t", bytes)).isEqualTo(n);
        GrantedCommand resend = new GrantedCommand("p2", Fixtures.T0.plusSeconds(25), null, null, 6, 60, null, null,
                "egoi-1", 3);
        NumberNotice r = new NumberNotice(NumberNotice.Kind.RESEND_REQUEST, "b".repeat(64), "r1",
                "r1/permit-resend-3/1", Fixtures.T0, resend);
        assertThat(GuardSerdes.notices().deserializer().deserialize("t",
                GuardSerdes.notices().serializer().serialize("t", r))).isEqualTo(r);
        NumberNotice plain = new NumberNotice(NumberNotice.Kind.PERMIT_REQUEST, "b".repeat(64), "r1", "r1/permit/1",
                Fixtures.T0);
        assertThat(GuardSerdes.notices().serializer().serialize("t", plain)[0]).isEqualTo((byte) 1);
    }

    @Test
    void aVerdictSayingTheCommandWasIssuedRoundTrips() {
        PermitVerdict issued = new PermitVerdict("r1", "r1/permit/1", PermitVerdict.Kind.GRANTED, null, null, true);
        byte[] bytes = GuardSerdes.verdicts().serializer().serialize("t", issued);
        assertThat(bytes[0]).as("version 3: command issued").isEqualTo((byte) 3);
        assertThat(GuardSerdes.verdicts().deserializer().deserialize("t", bytes)).isEqualTo(issued);
        PermitVerdict plain = new PermitVerdict("r1", "r1/permit/1", PermitVerdict.Kind.GRANTED, null);
        assertThat(GuardSerdes.verdicts().serializer().serialize("t", plain)[0]).isEqualTo((byte) 1);
        assertThatThrownBy(() -> GuardSerdes.verdicts().deserializer().deserialize("t", new byte[] {4, 0}))
                .isInstanceOf(SerializationException.class);
    }
}
