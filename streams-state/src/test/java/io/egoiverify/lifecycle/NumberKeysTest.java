package io.egoiverify.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class NumberKeysTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private final NumberKeys keys = new NumberKeys(SECRET);

    @Test
    void sealingTheSameRequestTwiceInARowGivesTheSameBytes() {
        // The derived nonce repeats here; the JDK refuses a GCM cipher the same key and nonce twice in a row.
        String first = keys.seal("r1", "+351912345678");
        String second = keys.seal("r1", "+351912345678");

        assertThat(second).isEqualTo(first);
        assertThat(keys.unseal("r1", second)).isEqualTo("+351912345678");
    }

    @Test
    void sealsAndUnsealsInAnyOrderOnOneThread() {
        String a = keys.seal("a", "+351912345671");
        String b = keys.seal("b", "+351912345672");

        assertThat(keys.unseal("b", b)).isEqualTo("+351912345672");
        assertThat(keys.seal("a", "+351912345671")).isEqualTo(a);
        assertThat(keys.unseal("a", a)).isEqualTo("+351912345671");
        assertThat(a).doesNotContain("912345671");
    }

    @Test
    void anotherInstanceWithTheSameSecretReadsItAndHashesAlike() {
        NumberKeys other = new NumberKeys(SECRET.clone());

        assertThat(other.unseal("r1", keys.seal("r1", "+351912345678"))).isEqualTo("+351912345678");
        assertThat(other.hash("+351912345678")).isEqualTo(keys.hash("+351912345678")).hasSize(64);
        assertThat(keys.hash("+351912345679")).isNotEqualTo(keys.hash("+351912345678"));
    }

    @Test
    void aSealForAnotherRequestOrAlteredBytesIsRefusedAndTheNextCallStillWorks() {
        String sealed = keys.seal("r1", "+351912345678");
        byte[] altered = Base64.getDecoder().decode(sealed);
        altered[altered.length - 1] ^= 1;

        assertThatThrownBy(() -> keys.unseal("r2", sealed)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> keys.unseal("r1", Base64.getEncoder().encodeToString(altered)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(keys.unseal("r1", sealed)).isEqualTo("+351912345678");
    }

    @Test
    void aDifferentSecretCannotUnseal() {
        NumberKeys other = new NumberKeys("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> other.unseal("r1", keys.seal("r1", "+351912345678")))
                .isInstanceOf(IllegalStateException.class);
        assertThat(other.hash("+351912345678")).isNotEqualTo(keys.hash("+351912345678"));
    }

    @Test
    void threadsSharingOneInstanceGetTheSameResults() throws Exception {
        String expectedSeal = keys.seal("r1", "+351912345678");
        String expectedHash = keys.hash("+351912345678");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                runs.add(pool.submit(() -> {
                    boolean same = true;
                    for (int i = 0; i < 2_000; i++) {
                        same &= keys.seal("r1", "+351912345678").equals(expectedSeal);
                        same &= keys.hash("+351912345678").equals(expectedHash);
                        same &= keys.unseal("r" + i, keys.seal("r" + i, "+35191234" + i)).equals("+35191234" + i);
                    }
                    return same;
                }));
            }
            for (Future<Boolean> run : runs) {
                assertThat(run.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
