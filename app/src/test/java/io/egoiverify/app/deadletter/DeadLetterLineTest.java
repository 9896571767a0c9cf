package io.egoiverify.app.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadLetterLineTest {
    @Test
    void aLineNamesPositionsErrorAndSizesButNoContents() {
        DeadLetter d = ReplaySelectionTest.letter(1, 42, Instant.parse("2026-05-01T10:00:00Z"),
                "prod.verification.requested", true);
        assertThat(DeadLetterLine.of(d)).isEqualTo("dlq 1:42  2026-05-01T10:00:00Z  from prod.verification.requested "
                + "0:7  X: m  key 1 B, value 1 B  truncated");
    }

    @Test
    void messagesAreOneLineCutAndMaskDigitRuns() {
        assertThat(DeadLetterLine.safeMessage("bad number +351910000123\nat line 2, code 123456"))
                .isEqualTo("bad number #### at line 2, code ####");
        assertThat(DeadLetterLine.safeMessage("Error deserializing Avro message for id 12"))
                .isEqualTo("Error deserializing Avro message for id 12");
        assertThat(DeadLetterLine.safeMessage("x".repeat(300))).hasSize(DeadLetterLine.MESSAGE_LIMIT + 3);
        assertThat(DeadLetterLine.safeMessage(null)).isEqualTo("(no message)");
    }

    @Test
    void theTallyCountsByOriginAndException() {
        DeadLetterTally t = new DeadLetterTally();
        Instant at = Instant.EPOCH;
        t.add(ReplaySelectionTest.letter(0, 1, at, "a", false));
        t.add(ReplaySelectionTest.letter(0, 2, at, "b", true));
        t.add(ReplaySelectionTest.letter(0, 3, at, "a", false));
        assertThat(t.summary()).isEqualTo("3 dead letter(s), 1 truncated; by origin: a=2, b=1; by exception: X=3");
    }
}
