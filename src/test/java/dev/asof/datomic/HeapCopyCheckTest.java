package dev.asof.datomic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/**
 * An erasure's copy of the embedded database (and a start-up's replay) is refused only on a full
 * collection's reading: a young collection's reading still counts the old generation's garbage, and
 * once refused an erasure that a service with room left could do (CI: 507 in ErasureTest, whose
 * test JVM had run 380 tests before it). And that full collection is asked for only when needed.
 */
@QuarkusTest
class HeapCopyCheckTest {
    private static final long MB = 1 << 20;

    @Inject
    HeapBudget heap;

    @Test
    void aReadingThatCountsGarbageIsCheckedByAFullCollectionBeforeACopyIsRefused() {
        long max = Runtime.getRuntime().maxMemory();
        System.gc();
        long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        assertThat(HeapBudget.copyFits(live, max)).as("this test JVM has room for a copy of what it holds").isTrue();
        assertThatCode(() -> heap.checkCopy(max)).as("a last reading of a full heap, with room in fact").doesNotThrowAnyException();
    }

    @Test
    void aFullCollectionIsAskedForOnlyWhenTheReadingWouldRefuseAndNoneRanLately() {
        LongPredicate fitsUnder100 = used -> used <= 100 * MB;
        AtomicInteger collections = new AtomicInteger();
        Runnable collect = collections::incrementAndGet;

        assertThat(HeapBudget.confirmed(80 * MB, fitsUnder100, -1, collect, () -> 10 * MB)).isEqualTo(80 * MB);
        assertThat(collections).as("a reading that fits stands").hasValue(0);

        assertThat(HeapBudget.confirmed(300 * MB, fitsUnder100, 60 * MB, collect, () -> 10 * MB)).isEqualTo(60 * MB);
        assertThat(collections).as("a full collection's reading of the last seconds decides").hasValue(0);

        assertThat(HeapBudget.confirmed(300 * MB, fitsUnder100, -1, collect, () -> 70 * MB)).isEqualTo(70 * MB);
        assertThat(collections).as("none lately: one asked for").hasValue(1);

        assertThat(HeapBudget.confirmed(300 * MB, fitsUnder100, -1, collect, () -> 400 * MB))
                .as("nothing collected (-XX:+DisableExplicitGC): the lower reading").isEqualTo(300 * MB);
    }

    @Test
    void aCopyFitsWhenTwiceWhatIsInUseLeavesATenthOfTheHeap() {
        long max = 1_000_000;
        assertThat(HeapBudget.copyFits(450_000, max)).isTrue();
        assertThat(HeapBudget.copyFits(450_001, max)).isFalse();
        assertThat(HeapBudget.copyFits(0, max)).isTrue();
        assertThat(HeapBudget.copyFits(max, max)).isFalse();
    }
}
