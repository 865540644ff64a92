package dev.asof.datomic;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * Decides which thread a point read (one price, one customer) runs on, for every resource.
 *
 * <p>On the embedded database ({@code datomic:mem}, with or without the journal) every index
 * segment is on the heap: a read never blocks, it only computes (tens of microseconds for a point
 * read). It runs on the Vert.x event loop that took the request: a hop to the worker pool and back
 * cost more than the read itself (the profile of as-of point reads under wrk showed ~20% of CPU in
 * thread hand-offs and task switches), and reads then never queue behind request bodies being
 * parsed on the worker pool. With Datomic Pro storage a read may fetch a segment over the network,
 * so it runs on the worker pool, as blocking code must. Pages (histories, lists, transactions) may
 * take milliseconds and always run on the worker pool: an event loop must not stall its other
 * connections that long.
 *
 * <p>The two cores are shared so: event loops take HTTP and reads; the worker pool parses bodies
 * (bounded in bytes before a byte is read, see {@code dev.asof.http.BodyBudget}); the one transact
 * worker commits. None waits on another's queue; the OS shares the CPU between them.
 */
@ApplicationScoped
public class ReadThreads {
    private final DatomicStore store;

    public ReadThreads(DatomicStore store) {
        this.store = store;
    }

    /** {@code read}, run where it belongs; what it throws fails the Uni (and is mapped to a problem). */
    public <T> Uni<T> run(Supplier<T> read) {
        Uni<T> answer = Uni.createFrom().item(read);
        return store.isSharedStorage() ? answer.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : answer;
    }
}
