package dev.asof.health;

import dev.asof.config.AsofConfig;
import dev.asof.ingest.IngestQueue;
import dev.asof.ingest.TransactWorker;
import dev.asof.journal.Journal;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Whether the one writer is alive and making progress; a process whose writer is gone or stuck
 * is not live, and the platform restarts it. Down when the transact worker has died, or when it
 * holds work (queue depth above 0) and has not finished a batch within
 * {@code asof.writer.stall-limit}. Not stuck: a worker held on purpose ({@code pause}), or one
 * waiting on the journal (PostgreSQL slow or away: readiness says so) — a restart would wait on
 * the same PostgreSQL to replay, and the requests it holds are answered by
 * {@code asof.journal.answer-within} and {@code asof.queue.deadline} meanwhile.
 */
@Liveness
@Startup // the settings are checked at start-up, not at the first probe
@ApplicationScoped
public class WriterLiveness implements HealthCheck {
    private final TransactWorker worker;
    private final IngestQueue queue;
    private final Journal journal;
    private final Duration stallLimit;

    public WriterLiveness(TransactWorker worker, IngestQueue queue, Journal journal, AsofConfig config) {
        this.worker = worker;
        this.queue = queue;
        this.journal = journal;
        this.stallLimit = config.writer().stallLimit();
        String conflict = conflict(stallLimit, config.journal().answerWithin(), config.clock().maxWait());
        if (conflict != null) {
            throw new IllegalStateException(conflict);
        }
    }

    /**
     * The stall limit must be longer than the waits a healthy writer makes on purpose, or liveness
     * would restart a process into the same wait: null when it is, otherwise why not, naming the settings.
     */
    static String conflict(Duration stallLimit, Duration answerWithin, Duration clockMaxWait) {
        if (stallLimit.compareTo(answerWithin) <= 0 || stallLimit.compareTo(clockMaxWait) <= 0) {
            return "ASOF_WRITER_STALL_LIMIT (asof.writer.stall-limit, " + stallLimit + ") must be longer than"
                    + " ASOF_JOURNAL_ANSWER_WITHIN (" + answerWithin + ") and ASOF_CLOCK_MAX_WAIT (" + clockMaxWait
                    + "): a writer waiting that long on purpose would be taken for stuck and restarted";
        }
        return null;
    }

    @Override
    public HealthCheckResponse call() {
        int depth = queue.depth();
        long since = worker.nanosSinceProgress();
        String trouble = trouble(worker.started(), worker.isAlive(), worker.isHeld(), journal.trouble() != null,
                depth, since, stallLimit.toNanos());
        var builder = HealthCheckResponse.named("writer").status(trouble == null)
                .withData("queueDepth", depth)
                .withData("sinceProgressMillis", since / 1_000_000);
        if (trouble != null) {
            builder.withData("trouble", trouble);
        }
        return builder.build();
    }

    /**
     * The rule: null when the writer counts as live, otherwise why not. Before the worker starts
     * (the journal replays first) the process is live: readiness tells the start-up's progress.
     */
    static String trouble(boolean started, boolean alive, boolean held, boolean waitingOnJournal, int depth,
            long nanosSinceProgress, long stallLimitNanos) {
        if (!started) {
            return null;
        }
        if (!alive) {
            return "the transact worker has died";
        }
        if (depth > 0 && !held && !waitingOnJournal && nanosSinceProgress > stallLimitNanos) {
            return "the transact worker holds " + depth + " events and has finished no batch for "
                    + nanosSinceProgress / 1_000_000_000 + " s";
        }
        return null;
    }
}
