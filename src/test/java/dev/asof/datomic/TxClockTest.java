package dev.asof.datomic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The writer's clock alone: stamps, the floor in memory, the durable promise, a clock behind the floor. */
class TxClockTest {
    private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");

    /** A clock tests move by hand. */
    static final class HandClock extends Clock {
        volatile Instant now = T0;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final HandClock hand = new HandClock();
    private final List<Instant> promises = new ArrayList<>();

    @Test
    void withAJournalOnlyThePromisedFloorSettles() {
        TxClock clock = new TxClock(hand, Duration.ofSeconds(10));
        clock.start(T0, T0, promises::add);
        hand.now = T0.plusSeconds(5);
        assertThat(clock.floor()).as("the clock moved on, but nothing is promised past T0").isEqualTo(T0);
        clock.promiseNow();
        assertThat(promises).containsExactly(T0.plusSeconds(5));
        assertThat(clock.floor()).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void aReadJustPastThePromiseIsPromisedOnDemandAndOnlyOnce() {
        TxClock clock = new TxClock(hand, Duration.ofSeconds(10));
        clock.start(T0, T0, promises::add);
        hand.now = T0.plusSeconds(3);
        assertThat(clock.floor(T0.plusSeconds(2))).isEqualTo(T0.plusSeconds(3));
        assertThat(clock.floor(T0.plusSeconds(2))).isEqualTo(T0.plusSeconds(3));
        assertThat(promises).as("one promise serves every read below it").hasSize(1);
        assertThat(clock.floor(T0.plusSeconds(9))).as("a future instant is never promised").isEqualTo(T0.plusSeconds(3));
        assertThat(promises).hasSize(1);
    }

    @Test
    void aPromiseNotConfirmedSettlesNothingNew() {
        TxClock clock = new TxClock(hand, Duration.ofSeconds(10));
        clock.start(T0, T0, floor -> {
            throw new IllegalStateException("fenced");
        });
        hand.now = T0.plusSeconds(5);
        assertThat(clock.floor(T0.plusSeconds(1))).isEqualTo(T0);
    }

    @Test
    void aNewWriterStartsAtThePromiseWhateverItsClockSays() throws Exception {
        TxClock clock = new TxClock(hand, Duration.ofSeconds(10));
        clock.start(T0.minusSeconds(60), T0.plusSeconds(4), promises::add);
        assertThat(clock.behind()).isEqualTo(Duration.ofSeconds(4));
        Thread waiter = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            hand.now = T0.plusSeconds(4).plusMillis(7);
        });
        waiter.start();
        assertThat(clock.stamp()).as("it waited for its clock to reach the floor").isEqualTo(T0.plusSeconds(4).plusMillis(7));
    }

    @Test
    void aClockFurtherBehindThanTheWaitIsRefusedWithHowLong() {
        TxClock clock = new TxClock(hand, Duration.ofSeconds(10));
        clock.start(T0, T0.plusSeconds(25), promises::add);
        assertThatThrownBy(clock::stamp).isInstanceOfSatisfying(TxClock.ClockBehindException.class,
                behind -> assertThat(behind.behind()).isEqualTo(Duration.ofSeconds(25)));
    }

    /** Whatever the clock does, stamps never go backwards and never fall below a floor once answered. */
    @Test
    void stampsNeverFallBelowAnyFloorAnswered() throws Exception {
        Random random = new Random(19);
        for (int run = 0; run < 50; run++) {
            HandClock moving = new HandClock();
            TxClock clock = new TxClock(moving, Duration.ofDays(1));
            clock.start(T0, T0, floor -> { });
            Instant highestFloor = Instant.EPOCH;
            Instant lastStamp = Instant.EPOCH;
            for (int step = 0; step < 200; step++) {
                moving.now = moving.now.plusMillis(random.nextInt(2000) - 900);
                switch (random.nextInt(4)) {
                    case 0 -> {
                        Instant floor = clock.floor(moving.now.minusMillis(random.nextInt(3000)));
                        highestFloor = floor.isAfter(highestFloor) ? floor : highestFloor;
                    }
                    case 1 -> clock.promiseNow();
                    default -> {
                        if (clock.behind().isZero()) {
                            Instant stamp = clock.stamp();
                            assertThat(stamp).isAfterOrEqualTo(lastStamp).isAfterOrEqualTo(highestFloor);
                            lastStamp = stamp;
                            clock.resolved();
                        }
                    }
                }
            }
        }
    }
}
