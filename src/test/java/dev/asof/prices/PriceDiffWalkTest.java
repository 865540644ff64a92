package dev.asof.prices;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A diff whose pages may read only 5 entries to find what changed (asof.reads.diff-reads): past
 * that, a page walks the SKUs and compares each at both points. The answers are the same as a
 * diff that reads what changed — the generated check of PriceDiffTest, against point reads.
 */
@QuarkusTest
@TestProfile(PriceDiffWalkTest.TinyReadBudget.class)
class PriceDiffWalkTest {

    public static class TinyReadBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("asof.reads.diff-reads", "5");
        }
    }

    @Test
    void aDiffPastItsReadBudgetWalksTheSkusAndAnswersTheSame() {
        PriceDiffTest.agreesWithPointReads(new Random(5));
    }
}
