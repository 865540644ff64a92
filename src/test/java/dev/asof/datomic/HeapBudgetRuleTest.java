package dev.asof.datomic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The heap budget's rule for one reading (HeapBudget's second point): a young collection's reading
 * above the limit is suspect, and refuses writes only after 10 s above it or past a quarter of the
 * room left above it; a full collection's reading decides at once; once refusing, writes stay refused
 * until a reading 5 points below the limit. Checked on the edges, then against the rule restated,
 * for generated readings.
 */
class HeapBudgetRuleTest {
    private static final double LIMIT = 0.8;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aYoungReadingAboveTheLimitIsSuspectForTenSeconds() {
        assertThat(HeapBudget.refuses(LIMIT, false, false, 0.82, 0)).as("just crossed").isFalse();
        assertThat(HeapBudget.refuses(LIMIT, false, false, 0.82, 9 * SECOND)).as("9 s above").isFalse();
        assertThat(HeapBudget.refuses(LIMIT, false, false, 0.82, 10 * SECOND)).as("10 s above").isTrue();
        assertThat(HeapBudget.refuses(LIMIT, false, false, 0.86, 0)).as("past 85% at once").isTrue();
        assertThat(HeapBudget.refuses(LIMIT, false, false, 0.80, 60 * SECOND)).as("at the limit is not above it").isFalse();
    }

    @Test
    void aFullCollectionsReadingDecidesAtOnce() {
        assertThat(HeapBudget.refuses(LIMIT, false, true, 0.81, 0)).isTrue();
        assertThat(HeapBudget.refuses(LIMIT, false, true, 0.79, 0)).isFalse();
    }

    @Test
    void onceRefusingWritesStayRefusedUntilFivePointsBelow() {
        assertThat(HeapBudget.refuses(LIMIT, true, false, 0.76, 0)).isTrue();
        assertThat(HeapBudget.refuses(LIMIT, true, false, 0.75, 0)).isFalse();
        assertThat(HeapBudget.refuses(LIMIT, true, true, 0.74, 0)).isFalse();
    }

    @Test
    void generatedReadingsFollowTheRule() {
        SplittableRandom random = new SplittableRandom(22);
        for (int i = 0; i < 100_000; i++) {
            double limit = 0.1 + 0.85 * random.nextDouble();
            boolean refusing = random.nextBoolean();
            boolean live = random.nextBoolean();
            double ratio = random.nextDouble();
            long suspected = (long) (random.nextDouble() * 20 * SECOND);
            double bar = refusing ? limit - 0.05 : limit;
            boolean expected = ratio > bar
                    && (refusing || live || ratio > limit + (1 - limit) / 4 || suspected >= 10 * SECOND);
            assertThat(HeapBudget.refuses(limit, refusing, live, ratio, suspected))
                    .as("limit %.3f refusing %s live %s ratio %.3f suspected %d ns", limit, refusing, live, ratio, suspected)
                    .isEqualTo(expected);
            if (expected && !refusing && !live) {
                assertThat(ratio > limit + (1 - limit) / 4 || suspected >= 10 * SECOND)
                        .as("a young reading refuses only past the bar or after 10 s").isTrue();
            }
        }
    }
}
