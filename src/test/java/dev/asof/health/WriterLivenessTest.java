package dev.asof.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When the writer counts as live: the rule of {@link WriterLiveness}, case by case. */
class WriterLivenessTest {
    private static final long LIMIT = 60_000_000_000L;
    private static final long LONG_AGO = 2 * LIMIT;

    @Test
    void aWorkerNotYetStartedIsLive() {
        assertThat(WriterLiveness.trouble(false, false, false, false, 5, LONG_AGO, LIMIT)).isNull();
    }

    @Test
    void aDeadWorkerIsNotLive() {
        assertThat(WriterLiveness.trouble(true, false, false, false, 0, 0, LIMIT)).contains("died");
    }

    @Test
    void aWorkerHoldingEventsWithoutProgressPastTheLimitIsNotLive() {
        assertThat(WriterLiveness.trouble(true, true, false, false, 3, LONG_AGO, LIMIT)).contains("holds 3 events");
    }

    @Test
    void anIdleWorkerIsLiveHoweverLongAgoItsLastBatch() {
        assertThat(WriterLiveness.trouble(true, true, false, false, 0, LONG_AGO, LIMIT)).isNull();
    }

    @Test
    void aWorkerWithinTheLimitIsLive() {
        assertThat(WriterLiveness.trouble(true, true, false, false, 3, LIMIT / 2, LIMIT)).isNull();
    }

    @Test
    void aWorkerWaitingOnTheJournalOrHeldOnPurposeIsNotStuck() {
        assertThat(WriterLiveness.trouble(true, true, false, true, 3, LONG_AGO, LIMIT)).isNull();
        assertThat(WriterLiveness.trouble(true, true, true, false, 3, LONG_AGO, LIMIT)).isNull();
    }

    @Test
    void aStallLimitNoLongerThanTheWaitsAWriterMakesOnPurposeIsRefusedNamingTheSettings() {
        Duration answerWithin = Duration.ofSeconds(15);
        Duration clockWait = Duration.ofSeconds(10);
        assertThat(WriterLiveness.conflict(Duration.ofSeconds(60), answerWithin, clockWait)).isNull();
        assertThat(WriterLiveness.conflict(Duration.ofSeconds(15), answerWithin, clockWait))
                .contains("ASOF_WRITER_STALL_LIMIT").contains("ASOF_JOURNAL_ANSWER_WITHIN");
        assertThat(WriterLiveness.conflict(Duration.ofSeconds(20), answerWithin, Duration.ofSeconds(30)))
                .contains("ASOF_CLOCK_MAX_WAIT");
    }
}
