package dev.asof.datomic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * An erasure's copy of the embedded database is refused (507) only when the heap cannot hold it
 * after a full collection: a young collection's reading still counts the old generation's garbage,
 * and once refused an erasure that a service with room left could do (CI: 507 in ErasureTest, whose
 * test JVM had run 380 tests before it).
 */
@QuarkusTest
class HeapCopyCheckTest {
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
    void aCopyFitsWhenTwiceWhatIsInUseLeavesATenthOfTheHeap() {
        long max = 1_000_000;
        assertThat(HeapBudget.copyFits(450_000, max)).isTrue();
        assertThat(HeapBudget.copyFits(450_001, max)).isFalse();
        assertThat(HeapBudget.copyFits(0, max)).isTrue();
        assertThat(HeapBudget.copyFits(max, max)).isFalse();
    }
}
