package dev.asof.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A thread asof owns that dies, of an Error or of an exception it did not catch, ends the process. */
class OwnedThreadsTest {

    @Test
    void aThreadThatDiesHaltsTheProcessWithStatus70() throws Exception {
        for (Throwable death : List.of(new OutOfMemoryError("test"), new StackOverflowError(), new IllegalStateException("test"))) {
            List<Integer> halts = new CopyOnWriteArrayList<>();
            Thread thread = new Thread(() -> {
                if (death instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) death;
            });
            thread.setUncaughtExceptionHandler(OwnedThreads.handler(halts::add));
            thread.start();
            thread.join(5000);
            assertThat(halts).as("after %s", death).containsExactly(OwnedThreads.EXIT_STATUS);
        }
    }

    @Test
    void ownedThreadsCarryTheHaltingHandler() {
        Thread thread = OwnedThreads.newThread("asof-test", () -> { }, true);
        assertThat(thread.getUncaughtExceptionHandler()).isNotSameAs(thread.getThreadGroup());
        assertThat(thread.getName()).isEqualTo("asof-test");
        assertThat(thread.isDaemon()).isTrue();
        Thread fromFactory = OwnedThreads.factory("asof-pool").newThread(() -> { });
        assertThat(fromFactory.getUncaughtExceptionHandler()).isNotSameAs(fromFactory.getThreadGroup());
    }
}
