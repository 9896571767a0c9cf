package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongFunction;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alarm arms a punctuation only for when something is filed, on a grid of its step, and keeps, moves or cancels
 * it after each wake according to what the sweep leaves.
 */
class DeadlineAlarmTest {
    private static final Duration STEP = Duration.ofMillis(250);

    private MockProcessorContext<Object, Object> context;
    private final List<Long> sweeps = new ArrayList<>();
    private LongFunction<OptionalLong> left = ts -> OptionalLong.empty();
    private DeadlineAlarm alarm;

    @BeforeEach
    void alarm() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_000);
        alarm = new DeadlineAlarm(context, STEP, ts -> {
            sweeps.add(ts);
            return left.apply(ts);
        });
    }

    private List<CapturedPunctuator> live() {
        return context.scheduledPunctuators().stream().filter(p -> !p.cancelled()).toList();
    }

    private CapturedPunctuator only() {
        assertThat(live()).hasSize(1);
        return live().get(0);
    }

    private void fire(long at) {
        context.setCurrentSystemTimeMs(at);
        only().getPunctuator().punctuate(at);
    }

    @Test
    void nothingFiledSchedulesNothing() {
        assertThat(context.scheduledPunctuators()).isEmpty();
        assertThat(alarm.armedAt()).isEmpty();
    }

    @Test
    void aFiledInstantArmsAWallClockPunctuationOnTheNextGridPointRepeatingEveryStep() {
        alarm.wakeBy(1_100);
        CapturedPunctuator p = only();
        assertThat(p.getStartTime()).isEqualTo(Instant.ofEpochMilli(1_250));
        assertThat(p.getInterval()).isEqualTo(STEP);
        assertThat(p.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        assertThat(alarm.armedAt()).hasValue(1_250);
    }

    /**
     * The wall clock stepped back 10 min after the alarm was armed: the armed schedule is 10 min away on the new
     * clock, but an instant filed after the step arms the alarm for itself, so it is not held behind the old one.
     */
    @Test
    void afterTheClockStepsBackAnInstantFiledAfterTheStepWakesOnTime() {
        context.setCurrentSystemTimeMs(1_000_000);
        alarm.wakeBy(1_030_000);
        assertThat(alarm.armedAt()).hasValue(1_030_000);
        context.setCurrentSystemTimeMs(400_000);
        alarm.wakeBy(445_000);
        assertThat(only().getStartTime()).isEqualTo(Instant.ofEpochMilli(445_000));
        fire(445_000);
        assertThat(sweeps).containsExactly(445_000L);
    }

    @Test
    void anInstantOnTheGridIsKeptAndOneInThePastWakesAtTheNextGridPointAfterNow() {
        alarm.wakeBy(1_500);
        assertThat(only().getStartTime()).isEqualTo(Instant.ofEpochMilli(1_500));
        alarm.wakeBy(10);
        assertThat(only().getStartTime()).isEqualTo(Instant.ofEpochMilli(1_250));
        context.setCurrentSystemTimeMs(1_250);
        alarm.wakeBy(1_250); // due now: the grid point after now, never a start in the past
        assertThat(alarm.armedAt()).hasValue(1_250);
    }

    @Test
    void aLaterInstantLeavesTheAlarmAndAnEarlierOneMovesIt() {
        alarm.wakeBy(3_000);
        alarm.wakeBy(9_000);
        alarm.wakeBy(2_900); // same grid point
        assertThat(context.scheduledPunctuators()).hasSize(1);
        alarm.wakeBy(1_100);
        assertThat(context.scheduledPunctuators()).hasSize(2);
        assertThat(context.scheduledPunctuators().get(0).cancelled()).isTrue();
        assertThat(only().getStartTime()).isEqualTo(Instant.ofEpochMilli(1_250));
    }

    @Test
    void aWakeThatLeavesNothingCancelsTheSchedule() {
        alarm.wakeBy(1_100);
        fire(1_250);
        assertThat(sweeps).containsExactly(1_250L);
        assertThat(live()).isEmpty();
        assertThat(alarm.armedAt()).isEmpty();
    }

    @Test
    void aWakeThatLeavesALaterEntryMovesTheScheduleThere() {
        alarm.wakeBy(1_100);
        left = ts -> OptionalLong.of(20_010);
        fire(1_250);
        assertThat(only().getStartTime()).isEqualTo(Instant.ofEpochMilli(20_250));
        assertThat(alarm.armedAt()).hasValue(20_250);
    }

    @Test
    void aWakeThatLeavesWorkForTheNextStepKeepsTheRepeatingSchedule() {
        alarm.wakeBy(1_100);
        CapturedPunctuator armed = only();
        left = ts -> OptionalLong.of(ts); // more was due than one sweep may handle
        fire(1_250);
        assertThat(only()).isSameAs(armed);
        assertThat(alarm.armedAt()).hasValue(1_500);
        left = ts -> OptionalLong.of(1_400); // due before the next step: still the next step
        fire(1_500);
        assertThat(only()).isSameAs(armed);
        assertThat(alarm.armedAt()).hasValue(1_750);
    }

    @Test
    void anInstantFiledDuringAWakeDoesNotMoveTheAlarmBeforeTheNextStep() {
        alarm.wakeBy(1_100);
        left = ts -> {
            alarm.wakeBy(ts); // the sweep files something due at once (e.g. a key refiled at its deadline)
            return OptionalLong.of(ts);
        };
        fire(1_250);
        assertThat(context.scheduledPunctuators()).hasSize(1);
        assertThat(alarm.armedAt()).hasValue(1_500);
    }

    @Test
    void aSweepThatThrowsLeavesTheScheduleToRetryAStepLater() {
        alarm.wakeBy(1_100);
        CapturedPunctuator armed = only();
        left = ts -> {
            throw new IllegalStateException("store failed");
        };
        assertThatThrownBy(() -> fire(1_250)).isInstanceOf(IllegalStateException.class);
        assertThat(only()).isSameAs(armed);
        assertThat(alarm.armedAt()).hasValue(1_500);
    }

    @Test
    void aFarInstantArmsAtMostTheHorizonAheadAndIsArmedAgainFromThere() {
        long horizon = DeadlineAlarm.HORIZON.toMillis();
        alarm.wakeBy(86_400_000); // a purge a day away
        assertThat(alarm.armedAt()).hasValue(1_000 + horizon);
        left = ts -> OptionalLong.of(86_400_000); // the sweep at the horizon finds it still filed
        fire(1_000 + horizon);
        assertThat(alarm.armedAt()).hasValue(1_000 + 2 * horizon);
        assertThat(only().getStartTime()).isEqualTo(Instant.ofEpochMilli(1_000 + 2 * horizon));
    }

    @Test
    void aStepBelowOneMillisecondIsRefused() {
        assertThatThrownBy(() -> new DeadlineAlarm(context, Duration.ZERO, ts -> OptionalLong.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
