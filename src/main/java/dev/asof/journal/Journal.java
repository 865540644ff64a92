package dev.asof.journal;

import dev.asof.config.AsofConfig;
import dev.asof.datomic.SqlStorage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
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
import java.util.UUID;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The write-ahead journal in PostgreSQL: one row per committed batch (its transaction instant and
 * its transaction data, in the format {@link JournalCodec} names), appended by the transact worker before the batch goes to Datomic,
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
            )""",
            // Each batch has an identity, so that an append whose outcome is unknown can be repeated
            // without a second copy; a batch Datomic rejected is marked (with why) and replay passes it by.
            """
            ALTER TABLE asof_journal ADD COLUMN batch_id uuid;
            ALTER TABLE asof_journal ADD COLUMN rejected text;
            CREATE UNIQUE INDEX asof_journal_batch_id ON asof_journal (batch_id)""",
            // A row holds the transaction data asof transacted (format 2), no longer the events that
            // today's code would turn into it (format 1, the rows before this version): see JournalCodec.
            """
            ALTER TABLE asof_journal RENAME COLUMN events TO payload;
            ALTER TABLE asof_journal ADD COLUMN format smallint NOT NULL DEFAULT 1""");

    private final boolean enabled;
    private final Duration timeout;
    private final Instance<Pool> pools;
    private Pool pool;
    private volatile SqlConnection lockConnection;
    private volatile String trouble;

    public Journal(@ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> url,
            AsofConfig config, Instance<Pool> pools) {
        String datomicUri = config.datomicUri();
        this.timeout = config.journal().timeout();
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

    /**
     * Appends one batch under its identity; returns when PostgreSQL has committed it. One round trip.
     * Appending the same batch id again changes nothing, and waits (on the unique index) for an
     * earlier INSERT of it still in flight on the server: repeating an append whose outcome is
     * unknown until it succeeds is how that outcome is decided — the batch is journaled, once.
     *
     * @throws JournalRefusedException nothing was sent: the batch is certainly not in the journal
     * @throws JournalUnavailableException the outcome is unknown (a timeout, a lost connection): the
     *         INSERT may still commit
     */
    public void append(UUID batchId, Instant txInstant, int eventCount, String payload) throws JournalUnavailableException {
        writerLock();
        try {
            pool.preparedQuery("INSERT INTO asof_journal (batch_id, tx_instant, event_count, payload, format)"
                            + " VALUES ($1, $2, $3, $4::text::json, $5) ON CONFLICT (batch_id) DO NOTHING")
                    .execute(Tuple.of(batchId, OffsetDateTime.ofInstant(txInstant, ZoneOffset.UTC), eventCount, payload,
                            (short) JournalCodec.FORMAT))
                    .await().atMost(timeout);
            trouble = null;
        } catch (RuntimeException e) {
            trouble = "journal append failed: " + describe(e);
            throw new JournalUnavailableException(trouble, e);
        }
    }

    /**
     * Marks a journaled batch that Datomic rejected: replay passes it by, as the live service did.
     *
     * @throws JournalUnavailableException PostgreSQL cannot answer; call again later
     */
    public void reject(UUID batchId, String reason) throws JournalUnavailableException {
        writerLock();
        try {
            pool.preparedQuery("UPDATE asof_journal SET rejected = $2 WHERE batch_id = $1")
                    .execute(Tuple.of(batchId, reason == null || reason.isBlank() ? "rejected by Datomic" : reason))
                    .await().atMost(timeout);
            trouble = null;
        } catch (RuntimeException e) {
            trouble = "journal update failed: " + describe(e);
            throw new JournalUnavailableException(trouble, e);
        }
    }

    private void writerLock() throws JournalRefusedException {
        try {
            if (lockConnection == null && !lock()) {
                trouble = "the writer lock is held by another instance";
                throw new JournalRefusedException(trouble, null);
            }
        } catch (RuntimeException e) {
            trouble = "PostgreSQL unreachable: " + describe(e);
            throw new JournalRefusedException(trouble, e);
        }
    }

    /** One journaled batch as replay reads it: its payload in its format ({@link JournalCodec}). */
    public record Entry(long seq, UUID batchId, Instant txInstant, int eventCount, int format, String payload) {
    }

    /**
     * Rewrites a replayed row of an older format as {@code payload} in the current one: the same
     * transaction, which replay applied a moment ago. Only the journal's writer does it.
     *
     * @throws JournalUnavailableException PostgreSQL cannot answer; the row keeps its old format
     */
    public void upgrade(long seq, String payload) throws JournalUnavailableException {
        writerLock();
        try {
            pool.preparedQuery("UPDATE asof_journal SET payload = $2::text::json, format = $3 WHERE seq = $1")
                    .execute(Tuple.of(seq, payload, (short) JournalCodec.FORMAT))
                    .await().atMost(timeout);
        } catch (RuntimeException e) {
            throw new JournalUnavailableException("journal upgrade failed: " + describe(e), e);
        }
    }

    /**
     * One replay read, allowed six round trips' time (30 s by default: a page carries up to
     * {@value #REPLAY_PAGE} batches). A PostgreSQL that stalls then stops the start-up, saying so,
     * instead of holding it behind an open port for as long as the stall lasts.
     */
    private RowSet<Row> replayRead(Uni<RowSet<Row>> read) {
        Duration limit = timeout.multipliedBy(6);
        try {
            return read.await().atMost(limit);
        } catch (TimeoutException e) {
            throw new IllegalStateException("PostgreSQL did not answer a replay read within " + limit.toSeconds()
                    + " s (6 x ASOF_JOURNAL_TIMEOUT)", e);
        }
    }

    /** How many events the batches that replay will apply hold. */
    public long replayableEvents() {
        RowSet<Row> rows = replayRead(pool.query(
                "SELECT coalesce(sum(event_count), 0) AS events FROM asof_journal WHERE rejected IS NULL").execute());
        return rows.iterator().next().getLong("events");
    }

    /** Hands every journaled batch that reached Datomic, oldest first, to {@code apply}. */
    public long replay(Consumer<Entry> apply) {
        long after = 0;
        long batches = 0;
        while (true) {
            RowSet<Row> rows = replayRead(pool.preparedQuery("SELECT seq, batch_id, tx_instant, event_count, format, payload::text AS payload"
                    + " FROM asof_journal WHERE seq > $1 AND rejected IS NULL ORDER BY seq LIMIT $2")
                    .execute(Tuple.of(after, REPLAY_PAGE)));
            if (rows.size() == 0) {
                return batches;
            }
            for (Row row : rows) {
                apply.accept(new Entry(row.getLong("seq"), row.getUUID("batch_id"),
                        row.getOffsetDateTime("tx_instant").toInstant(), row.getInteger("event_count"), row.getShort("format"),
                        row.getString("payload")));
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
        return pool.query("SELECT count(*) AS n FROM asof_journal WHERE rejected IS NULL").execute().await().atMost(timeout)
                .iterator().next().getLong("n");
    }

    /** Runs under the writer lock, so no two instances migrate at once. */
    private void migrate() {
        pool.query("CREATE TABLE IF NOT EXISTS asof_schema_version ("
                + "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
                .execute().await().atMost(timeout);
        int current = pool.query("SELECT coalesce(max(version), 0) AS v FROM asof_schema_version").execute()
                .await().atMost(timeout).iterator().next().getInteger("v");
        for (int version = current + 1; version <= MIGRATIONS.size(); version++) {
            int v = version;
            pool.withTransaction(tx -> tx.query(MIGRATIONS.get(v - 1)).execute()
                            .chain(() -> tx.preparedQuery("INSERT INTO asof_schema_version (version) VALUES ($1)")
                                    .execute(Tuple.of(v))))
                    .await().atMost(timeout);
            LOG.infof("Journal schema migrated to version %d", version);
        }
    }

    private synchronized boolean lock() {
        if (lockConnection != null) {
            return true;
        }
        SqlConnection connection = pool.getConnection().await().atMost(timeout);
        boolean locked = connection.preparedQuery("SELECT pg_try_advisory_lock($1) AS locked")
                .execute(Tuple.of(LOCK_KEY)).await().atMost(timeout).iterator().next().getBoolean("locked");
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
