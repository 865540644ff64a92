package dev.asof.health;

import dev.asof.datomic.DatomicStore;
import dev.asof.ingest.IngestQueue;
import dev.asof.ingest.TransactWorker;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the database and schema are in place and the transact worker runs. */
@Readiness
@ApplicationScoped
public class DatomicReadiness implements HealthCheck {
    private final DatomicStore store;
    private final TransactWorker worker;
    private final IngestQueue queue;

    public DatomicReadiness(DatomicStore store, TransactWorker worker, IngestQueue queue) {
        this.store = store;
        this.worker = worker;
        this.queue = queue;
    }

    @Override
    public HealthCheckResponse call() {
        boolean ready = store.isReady() && worker.isAlive() && queue.isOpen();
        var builder = HealthCheckResponse.named("datomic").status(ready)
                .withData("queueDepth", queue.depth())
                .withData("queueCapacity", queue.capacity());
        if (store.isReady()) {
            builder.withData("basisT", store.db().basisT());
        }
        return builder.build();
    }
}
