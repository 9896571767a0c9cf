package io.egoiverify.testing.property;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The property framework itself: seeds replay, failures shrink to their minimal counterexample, coverage counts. */
class PropertyTest {
    private static final Gen<List<Integer>> NUMBERS = Gen.ints(0, 100).list(0, 50);

    sealed interface Step {
    }

    record Open(int id) implements Step {
    }

    record Close(int id) implements Step {
    }

    record Noise(long millis) implements Step {
    }

    private static final Gen<List<Step>> STEPS = Gen.<Step>frequency(
            Gen.weighted(3, Gen.ints(0, 9).map(Open::new)),
            Gen.weighted(2, Gen.ints(0, 9).map(Close::new)),
            Gen.weighted(5, Gen.longs(0, 1_000_000).map(Noise::new))).list(1, 40);

    @Test
    void aFailingListShrinksToTheElementsThatMatter() {
        AssertionError error = catchThrowableOfType(AssertionError.class, () -> Property.forAll(NUMBERS).tries(500)
                .withSeed(7).check(list -> assertThat(list.stream().filter(n -> n >= 50)).hasSizeLessThan(3)));

        assertThat(error).hasMessageContaining("PropertyTest.aFailingListShrinksToTheElementsThatMatter falsified")
                .hasMessageContaining("-Dproperty.seed=7")
                .hasMessageContaining("Minimal counterexample (4 decisions")
                .hasMessageContaining("3 elements:\n      50\n      50\n      50\nfails with:");
        assertThat(error.getCause()).isInstanceOf(AssertionError.class);
    }

    @Test
    void aFailingHistoryShrinksByDroppingSteps() {
        // Fails when some id is closed after it was opened, whatever noise lies between.
        AssertionError error = catchThrowableOfType(AssertionError.class, () -> Property.forAll(STEPS).tries(2000)
                .withSeed(11).check(steps -> {
                    List<Integer> open = new ArrayList<>();
                    for (Step s : steps) {
                        if (s instanceof Open o) {
                            open.add(o.id());
                        } else if (s instanceof Close c) {
                            assertThat(open).doesNotContain(c.id());
                        }
                    }
                }));

        assertThat(error).hasMessageContaining("2 elements:\n      Open[id=0]\n      Close[id=0]\nfails with:");
    }

    @Test
    void theSeedInTheReportReplaysTheSameFailure() {
        Property<List<Integer>> property = Property.forAll(NUMBERS).tries(1000);
        String first = catchThrowableOfType(AssertionError.class, () -> property
                .check(list -> assertThat(list).doesNotContain(42, 43))).getMessage();
        Matcher seed = Pattern.compile("-Dproperty.seed=(-?\\d+)").matcher(first);
        assertThat(seed.find()).isTrue();

        String replayed = catchThrowableOfType(AssertionError.class, () -> property.withSeed(Long.parseLong(
                seed.group(1))).check(list -> assertThat(list).doesNotContain(42, 43))).getMessage();

        assertThat(replayed).isEqualTo(first);
    }

    @Test
    void theSameSeedGivesTheSameValues() {
        List<List<Step>> first = new ArrayList<>();
        List<List<Step>> second = new ArrayList<>();
        List<List<Step>> other = new ArrayList<>();

        Property.forAll(STEPS).tries(50).withSeed(3).check(first::add);
        Property.forAll(STEPS).tries(50).withSeed(3).check(second::add);
        Property.forAll(STEPS).tries(50).withSeed(4).check(other::add);

        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void anUndocumentedExceptionIsAFailureWithItsCause() {
        assertThatThrownBy(() -> Property.forAll(Gen.byteArrays(0, 64)).tries(2000).withSeed(5).check(bytes -> {
            for (byte b : bytes) {
                if (b == 0x7f) {
                    throw new NullPointerException("boom");
                }
            }
        })).isInstanceOf(AssertionError.class).hasMessageContaining("1 bytes: 7f\nfails with:")
                .hasCauseInstanceOf(NullPointerException.class);
    }

    @Test
    void statisticsCountTheTriesAndDemandCoverage() {
        Statistics statistics = Property.forAll(Gen.of("a", "a", "b")).tries(300).withSeed(1)
                .checkWithStatistics((value, stats) -> stats.collect("letter", value));

        assertThat(statistics.tries()).isEqualTo(300);
        assertThat(statistics.count("letter", "a") + statistics.count("letter", "b")).isEqualTo(300);
        assertThat(statistics.count("letter", "a")).isBetween(150, 250);
        statistics.requireAtLeast("letter", "b", 50);
        assertThatThrownBy(() -> statistics.requireAtLeast("letter", "c", 1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("coverage: 0 of 300 tries had letter = c").hasMessageContaining("seed 1");
    }

    @Test
    void numbersCoverTheirWholeRangeAndItsEnds() {
        List<Long> seen = new ArrayList<>();
        Property.forAll(Gen.longs(-3, 3)).tries(400).withSeed(9).check(seen::add);

        assertThat(seen).containsAll(List.of(-3L, -2L, -1L, 0L, 1L, 2L, 3L)).allMatch(n -> n >= -3 && n <= 3);
    }
}
