package dev.asof.support;

import dev.asof.ingest.TransactWorker;
import java.time.Duration;
import org.awaitility.Awaitility;

/** Holding the transact worker in a specification, so that what is queued stays queued. */
public final class Worker {
    private Worker() {
    }

    /**
     * Pauses the worker and waits until it holds no batch. {@code pause()} alone races: a worker
     * already past its pause check commits the next batch anyway.
     */
    public static void hold(TransactWorker worker) {
        worker.pause();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(worker::isHeld);
    }
}
