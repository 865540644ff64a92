package dev.asof.journal;

import dev.asof.datomic.SqlStorage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The write-ahead journal in PostgreSQL: one row per committed batch (its transaction instant and
 * its events, as opaque JSON), appended by the transact worker before the batch goes to Datomic,
 * and replayed in order at start-up. On when a PostgreSQL URL is configured.
 *
 * <p>One writer per journal: the service holds a session advisory lock on a connection of its own
 * for as long as it runs. A second instance fails to start; if the lock's connection is lost
 * (PostgreSQL restarted), appends stop until the lock is taken again.
 */
@ApplicationScoped
public class Journal {
    private static final Logger LOG = Logger.getLogger(Journal.class);
    /** "asof" in ASCII: the advisory lock key that marks the journal's one writer. */
    private static final long LOCK_KEY = 0x61736f66L;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int REPLAY_PAGE = 200;

    /** Versioned migrations: the n-th entry is version n+1; each is applied once, in order, and recorded. */
    private static final List<String> MIGRATIONS = List.of(
            """
            CREATE TABLE IF NOT EXISTS asof_journal (
                seq         bigserial   PRIMARY KEY,
                tx_instant  timestamptz NOT NULL,
                event_count integer     NOT NULL,
                events      json        NOT NULL,
                appended_at timestamptz NOT NULL DEFAULT now()
            )""");

    private final boolean enabled;
    private final Instance<Pool> pools;
    private Pool pool;
    private volatile SqlConnection lockConnection;
    private volatile String trouble;

    public Journal(@ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> url,
            @ConfigProperty(name = "asof.datomic-uri") String datomicUri, Instance<Pool> pools) {
        // With Datomic sql storage the database itself is durable: replaying a journal into it would
        // apply every batch twice. There the journal stays off (an outbox for transactor outages is future work).
        this.enabled = url.isPresent() && !url.get().isBlank() && !SqlStorage.isSql(datomicUri);
        this.pools = pools;
    }

    void start(@Observes @Priority(12) StartupEvent event) {
        if (!enabled) {
            LOG.info("No PostgreSQL URL configured: no journal, events live as long as the process (datomic:mem)");
            return;
        }
        pool = pools.get();
        if (!lock()) {
            throw new IllegalStateException("Another asof instance holds this journal's writer lock (advisory lock "
                    + LOCK_KEY + "); one instance writes one journal, so this one does not start");
        }
        migrate();
        LOG.infof("Journal on PostgreSQL: writer lock held, %d batches to replay", count());
    }

    void stop(@Observes @Priority(9500) ShutdownEvent event) {
        SqlConnection connection = lockConnection;
        lockConnection = null;
        if (connection != null) {
            connection.closeAndAwait();
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /** Null when the journal is fine (or off); otherwise what is wrong, for readiness. */
    public String trouble() {
        return trouble;
    }

    /** Appends one batch; returns when PostgreSQL has it. One round trip. */
    public void append(Instant txInstant, int eventCount, String events) throws JournalUnavailableException {
        try {
            if (lockConnection == null && !lock()) {
                throw new IllegalStateException("the writer lock is held by another instance");
            }
            pool.preparedQuery("INSERT INTO asof_journal (tx_instant, event_count, events) VALUES ($1, $2, $3::text::json)")
                    .execute(Tuple.of(OffsetDateTime.ofInstant(txInstant, ZoneOffset.UTC), eventCount, events))
                    .await().atMost(TIMEOUT);
            trouble = null;
        } catch (RuntimeException e) {
            trouble = "journal append failed: " + describe(e);
            throw new JournalUnavailableException(trouble, e);
        }
    }

    /** Hands every journaled batch, oldest first, to {@code apply}: its instant and its events. */
    public long replay(BiConsumer<Instant, String> apply) {
        long after = 0;
        long batches = 0;
        while (true) {
            RowSet<Row> rows = pool.preparedQuery(
                            "SELECT seq, tx_instant, events::text AS events FROM asof_journal WHERE seq > $1 ORDER BY seq LIMIT $2")
                    .execute(Tuple.of(after, REPLAY_PAGE)).await().atMost(Duration.ofMinutes(1));
            if (rows.size() == 0) {
                return batches;
            }
            for (Row row : rows) {
                apply.accept(row.getOffsetDateTime("tx_instant").toInstant(), row.getString("events"));
                after = row.getLong("seq");
                batches++;
            }
        }
    }

    /** Checks the journal can be written now (readiness); re-takes the writer lock if it was lost. */
    public boolean healthy() {
        if (!enabled) {
            return true;
        }
        try {
            if (lockConnection == null && !lock()) {
                trouble = "the writer lock is held by another instance";
                return false;
            }
            pool.query("SELECT 1").execute().await().atMost(Duration.ofSeconds(2));
            trouble = null;
            return true;
        } catch (RuntimeException e) {
            trouble = "PostgreSQL unreachable: " + describe(e);
            return false;
        }
    }

    private long count() {
        return pool.query("SELECT count(*) AS n FROM asof_journal").execute().await().atMost(TIMEOUT)
                .iterator().next().getLong("n");
    }

    /** Runs under the writer lock, so no two instances migrate at once. */
    private void migrate() {
        pool.query("CREATE TABLE IF NOT EXISTS asof_schema_version ("
                + "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
                .execute().await().atMost(TIMEOUT);
        int current = pool.query("SELECT coalesce(max(version), 0) AS v FROM asof_schema_version").execute()
                .await().atMost(TIMEOUT).iterator().next().getInteger("v");
        for (int version = current + 1; version <= MIGRATIONS.size(); version++) {
            int v = version;
            pool.withTransaction(tx -> tx.query(MIGRATIONS.get(v - 1)).execute()
                            .chain(() -> tx.preparedQuery("INSERT INTO asof_schema_version (version) VALUES ($1)")
                                    .execute(Tuple.of(v))))
                    .await().atMost(TIMEOUT);
            LOG.infof("Journal schema migrated to version %d", version);
        }
    }

    private synchronized boolean lock() {
        if (lockConnection != null) {
            return true;
        }
        SqlConnection connection = pool.getConnection().await().atMost(TIMEOUT);
        boolean locked = connection.preparedQuery("SELECT pg_try_advisory_lock($1) AS locked")
                .execute(Tuple.of(LOCK_KEY)).await().atMost(TIMEOUT).iterator().next().getBoolean("locked");
        if (!locked) {
            connection.closeAndAwait();
            return false;
        }
        connection.closeHandler(() -> {
            LOG.warn("Lost the journal's writer lock with its connection; appends wait until it is taken again");
            lockConnection = null;
        });
        lockConnection = connection;
        return true;
    }

    /** An error for logs and problem details: its kind and message, never the URL or credentials. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }
}
