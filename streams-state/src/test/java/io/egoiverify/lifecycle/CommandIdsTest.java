package io.egoiverify.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The admission instant a command id carries, for every kind of id, and none for an id of another form. */
class CommandIdsTest {
    private static final Instant T = Instant.ofEpochMilli(1_764_460_800_123L);

    @Test
    void everyKindOfIdCarriesItsAdmissionInstant() {
        assertThat(CommandIds.admittedAt(CommandIds.send("r1", T))).hasValue(T);
        assertThat(CommandIds.admittedAt(CommandIds.resend("r1", 2, T))).hasValue(T);
        assertThat(CommandIds.admittedAt(CommandIds.check("r1", 1, T))).hasValue(T);
        assertThat(CommandIds.admittedAt(CommandIds.granted(CommandIds.permit("r1", T)))).hasValue(T);
        assertThat(CommandIds.admittedAt(CommandIds.granted(CommandIds.resendPermit("r1", 3, T)))).hasValue(T);
    }

    @Test
    void anIdOfAnotherFormCarriesNone() {
        assertThat(CommandIds.admittedAt("3f2b9c1e-uuid")).isEmpty();
        assertThat(CommandIds.admittedAt("r1/send/")).isEmpty();
        assertThat(inFlightOf("r1/send/later").admittedAt()).isEmpty();
    }

    private static InFlight inFlightOf(String commandId) {
        return new InFlight(commandId, null, T, T.plusSeconds(30));
    }
}
