package dev.asof.journal;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.pgclient.SslMode;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.mutiny.sqlclient.Transaction;
import dev.asof.datomic.CustomerErasure;
import dev.asof.config.AsofConfig;
import dev.asof.config.OwnedThreads;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.SqlStorage;
import dev.asof.datomic.TxClock;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The write-ahead journal in PostgreSQL: one row per batch (its transaction instant and its
 * transaction data, in the format {@link JournalCodec} names), appended by the transact worker
 * before the batch goes to Datomic, marked when Datomic rejects it, and replayed in order at
 * start-up. On when a PostgreSQL URL is configured.
 *
 * <p><b>One writer per journal, fenced by PostgreSQL.</b> The row {@code asof_writer} holds the
 * writer role's epoch and the promised floor. A process takes the role under a session advisory
 * lock ({@value #LOCK_KEY}, held on a connection of its own) by raising the epoch, and keeps that
 * epoch. Every write it makes — an append, a rejection mark, a floor promise — checks the epoch in
 * the same statement ({@code SELECT … FOR SHARE} of the writer row): once another process has taken
 * the role, PostgreSQL itself refuses the write ({@link JournalFencedException}), and this process
 * takes no write again. The share lock makes the taker's epoch update wait for an append in flight,
 * so the taker's replay of the tail sees it. The advisory lock only elects the next writer: a
 * writer whose lock connection dies keeps the role until another process takes it.
 *
 * <p>A process that finds the lock held starts as a follower: it replays, serves reads, and polls
 * for the lock ({@link #tryTakeRole}).
 *
 * <p><b>The promised floor</b> ({@code asof_writer.floor}) is the instant below which the writer
 * promised no transaction will land, kept by {@link TxClock}: a process taking the role starts its
 * stamps at or above it, whatever its own clock says, so an answer settled before a restart stays
 * settled after it.
 *
 * <p>Failures are classified here, by what happened, and nowhere else: PostgreSQL answered an error
 * ({@link JournalRefusedException}: nothing was written); another process holds the role
 * ({@link JournalFencedException}: nothing was written, and nothing will be); no answer in time or
 * a lost connection ({@link JournalUnavailableException}: the outcome is unknown).
 */
@ApplicationScoped
public class Journal implements TxClock.FloorKeeper {
    private static final Logger LOG = Logger.getLogger(Journal.class);
    /** "asof" in ASCII: the advisory lock key that elects the journal's one writer. */
    private static final long LOCK_KEY = 0x61736f66L;
    /** "asom": held by the transaction that migrates the schema, so that two processes never migrate at once. */
    private static final long MIGRATION_LOCK_KEY = 0x61736f6dL;
    private static final int REPLAY_PAGE = 200;
    private static final Duration PROMISE_EVERY = Duration.ofMillis(500);

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
            // The writer role: its epoch fences every write of a process that lost it, and its floor
            // is the instant below which no transaction will land, whichever process writes next. A
            // journal written before it starts its floor at PostgreSQL's clock: the release before
            // kept its floor in memory, and while idle raised it to its clock, so it may have served
            // answers up to about now as settled.
            """
            CREATE TABLE asof_writer (
                id    integer     PRIMARY KEY CHECK (id = 1),
                epoch bigint      NOT NULL,
                floor timestamptz NOT NULL
            );
            INSERT INTO asof_writer (id, epoch, floor)
                SELECT 1, 0, CASE WHEN count(*) = 0 THEN 'epoch' ELSE greatest(max(tx_instant), now()) END
                FROM asof_journal""",
            // A row holds the transaction data asof transacted (format 2, in payload), no longer the events
            // that today's code would turn into it (format 1, in events: the rows before this version).
            // Additive, so that the release before it (still writing during a deploy's overlap, into
            // events) keeps working: its rows are format 1, read from events.
            """
            ALTER TABLE asof_journal ADD COLUMN payload json;
            ALTER TABLE asof_journal ADD COLUMN format smallint NOT NULL DEFAULT 1;
            ALTER TABLE asof_journal ALTER COLUMN events DROP NOT NULL""",
            // The journal's identity, made once: every replay of it restores the same line of database
            // values (dev.asof.datomic.Lineage), which the positions asof hands out carry. Additive.
            """
            ALTER TABLE asof_writer ADD COLUMN identity uuid NOT NULL DEFAULT gen_random_uuid()""");

    /** An append, fenced by the writer's epoch in the same statement (see the class comment). */
    private static final String APPEND = """
            WITH w AS (SELECT epoch FROM asof_writer WHERE id = 1 AND epoch = $5 FOR SHARE),
                 ins AS (INSERT INTO asof_journal (batch_id, tx_instant, event_count, payload, format)
                         SELECT $1, $2, $3, $4::text::json, $6 FROM w
                         ON CONFLICT (batch_id) DO NOTHING RETURNING seq)
            SELECT (SELECT count(*) FROM w) AS holds,
                   EXISTS (SELECT 1 FROM asof_journal WHERE batch_id = $1) AS present""";

    private static final String REJECT = """
            WITH w AS (SELECT epoch FROM asof_writer WHERE id = 1 AND epoch = $3 FOR SHARE),
                 u AS (UPDATE asof_journal SET rejected = $2 WHERE batch_id = $1 AND EXISTS (SELECT 1 FROM w) RETURNING seq)
            SELECT (SELECT count(*) FROM w) AS holds""";

    /** A format-1 row rewritten as the transaction data replay applied for it, fenced like an append. */
    private static final String UPGRADE = """
            WITH w AS (SELECT epoch FROM asof_writer WHERE id = 1 AND epoch = $4 FOR SHARE)
            UPDATE asof_journal SET payload = $2::text::json, format = $3, events = NULL
            WHERE seq = $1 AND EXISTS (SELECT 1 FROM w)""";

    private static final String PROMISE = "UPDATE asof_writer SET floor = greatest(floor, $1) WHERE id = 1 AND epoch = $2"
            + " RETURNING floor";

    private final boolean enabled;
    private final String url;
    private final String sslMode;
    private final boolean trustAll;
    private final Vertx vertx;
    private final Duration timeout;
    private final Instance<Pool> pools;
    private final DatomicStore store;
    private Pool pool;
    private volatile SqlConnection lockConnection;
    private volatile String trouble;
    /** The writer role's epoch this process holds; 0 while it does not hold the role. */
    private volatile long epoch;
    /** The floor promised when this process took the role. */
    private volatile Instant promisedAtTaking = Instant.EPOCH;
    /** Why this process writes no more (another took the role); null while it may write. */
    private volatile String fenced;
    /**
     * Batches (appends, erasures) an attempt of which had no answer, until one is answered: only
     * these may have landed before a fence ({@link #landedDespiteFence}).
     */
    private final java.util.Set<UUID> uncertain = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile String identity;
    private ScheduledExecutorService promising;

    public Journal(@ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> url,
            @ConfigProperty(name = "quarkus.datasource.reactive.postgresql.ssl-mode", defaultValue = "disable") String sslMode,
            @ConfigProperty(name = "quarkus.datasource.reactive.trust-all", defaultValue = "false") boolean trustAll,
            AsofConfig config, Instance<Pool> pools, DatomicStore store, Vertx vertx) {
        this.url = url.orElse(null);
        this.sslMode = sslMode;
        this.trustAll = trustAll;
        this.vertx = vertx;
        String datomicUri = config.datomicUri();
        this.timeout = config.journal().timeout();
        // With Datomic sql storage the database itself is durable: replaying a journal into it would
        // apply every batch twice. There the journal stays off (an outbox for transactor outages is future work).
        this.enabled = url.isPresent() && !url.get().isBlank() && !SqlStorage.isSql(datomicUri);
        this.pools = pools;
        this.store = store;
    }

    void start(@Observes @Priority(12) StartupEvent event) {
        if (!enabled) {
            LOG.info("No PostgreSQL URL configured: no journal, events live as long as the process (datomic:mem)");
            return;
        }
        pool = pools.get();
        migrate();
        identity = pool.query("SELECT identity FROM asof_writer WHERE id = 1").execute().await().atMost(timeout)
                .iterator().next().getUUID("identity").toString();
        if (tryTakeRole()) {
            LOG.infof("Journal on PostgreSQL: writer role taken (epoch %d), %d batches to replay", epoch, count());
        } else {
            LOG.infof("Journal on PostgreSQL: another process holds the writer role; this one replays, serves reads"
                    + " and waits for the role (%d batches to replay)", count());
        }
    }

    void stop(@Observes @Priority(9500) ShutdownEvent event) {
        ScheduledExecutorService task = promising;
        if (task != null) {
            task.shutdownNow();
        }
        SqlConnection connection = lockConnection;
        lockConnection = null;
        if (connection != null) {
            connection.closeAndAwait();
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /** The journal's identity (a UUID made when it was created), read once at start; null when off. */
    public String identity() {
        return identity;
    }

    /** True while this process holds the writer role and has not been fenced. */
    public boolean holdsRole() {
        return epoch > 0 && fenced == null;
    }

    /** Why this process takes no more writes (another process took the writer role); null otherwise. */
    public String fenced() {
        return fenced;
    }

    /** The floor promised in PostgreSQL when this process took the role: its stamps start at or above it. */
    public Instant promisedFloor() {
        return promisedAtTaking;
    }

    /** Null when the journal is fine (or off); otherwise what is wrong, for readiness. */
    public String trouble() {
        return fenced != null ? fenced : trouble;
    }

    /**
     * Takes the writer role if the advisory lock is free: raises the epoch and reads the promised
     * floor, on the lock's own connection. False when another process holds the lock.
     *
     * @throws RuntimeException PostgreSQL cannot be reached
     */
    public synchronized boolean tryTakeRole() {
        if (epoch > 0) {
            return true;
        }
        if (!lock()) {
            return false;
        }
        Row role = lockConnection.query("UPDATE asof_writer SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch, floor")
                .execute().await().atMost(startupLimit()).iterator().next();
        promisedAtTaking = role.getOffsetDateTime("floor").toInstant();
        epoch = role.getLong("epoch");
        return true;
    }

    /**
     * Promises the clock's floor durably every half second, for as long as this process holds the
     * role: an answer about an instant becomes settled within about that much after it passed.
     */
    public void keepPromising(TxClock clock) {
        promising = OwnedThreads.scheduler("asof-floor-promise");
        promising.scheduleWithFixedDelay(() -> {
            if (holdsRole()) {
                clock.promiseNow();
            }
        }, PROMISE_EVERY.toMillis(), PROMISE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Promises that no transaction of this writer lands before {@code floor}: raises
     * {@code asof_writer.floor} to it, if this process still holds the role.
     *
     * @throws JournalFencedException another process holds the role
     * @throws JournalUnavailableException PostgreSQL did not confirm it (the promise may or may not stand)
     */
    @Override
    public void promise(Instant floor) throws JournalUnavailableException {
        refuseUnlessWriter();
        RowSet<Row> rows = write("floor promise", PROMISE, Tuple.of(OffsetDateTime.ofInstant(floor, ZoneOffset.UTC), epoch),
                timeout);
        if (rows.rowCount() == 0) {
            throw fence();
        }
    }

    /**
     * Appends one batch under its identity; returns when PostgreSQL has committed it, or finds it
     * there already. One round trip, fenced by the writer's epoch. Appending the same batch id
     * again changes nothing, and waits (on the unique index) for an earlier INSERT of it still in
     * flight on the server: repeating an append whose outcome is unknown until it succeeds is how
     * that outcome is decided — the batch is journaled, once.
     *
     * @throws JournalFencedException another process holds the writer role: the batch is not in the
     *         journal and never will be; this process takes no write again
     * @throws JournalRefusedException PostgreSQL answered an error, or nothing was sent: this attempt wrote nothing
     * @throws JournalUnavailableException the outcome is unknown (a timeout, a lost connection): the
     *         INSERT may still commit
     */
    public void append(UUID batchId, Instant txInstant, int eventCount, String payload) throws JournalUnavailableException {
        if (landedDespiteFence(batchId)) {
            return;
        }
        Row row = attempt(batchId, () -> write("journal append", APPEND,
                Tuple.tuple().addValue(batchId).addValue(OffsetDateTime.ofInstant(txInstant, ZoneOffset.UTC))
                        .addValue(eventCount).addValue(payload).addValue(epoch).addValue((short) JournalCodec.FORMAT), timeout)
                .iterator().next());
        trouble = null;
        // Fenced, unless an earlier attempt of this batch landed before the role moved on (the
        // taker replays it then, as this process transacts it). The statement's own look for it
        // used the snapshot taken before it waited on the writer row, so an earlier attempt that
        // committed meanwhile is only seen by a fresh read: the taker's epoch update waited for
        // every attempt holding the row, so that read is definitive.
        if (row.getLong("holds") == 0 && !row.getBoolean("present") && !journaled(batchId)) {
            throw fence();
        }
    }

    /**
     * Waits before attempt {@code attempt} (1, 2, …) of a write whose outcome is unknown: 100 ms,
     * doubling to a second. Only a stop interrupts the writer, and the outcome still has to be
     * decided, so an interrupt does not end the wait early.
     */
    public static void pauseBeforeRepeat(long attempt) {
        try {
            Thread.sleep(Math.min(1000, 50L << Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            // goes on: see above
        }
    }

    /**
     * Refuses a write unless this process holds the writer role; but a batch whose earlier attempt,
     * its outcome unknown, landed before the role moved on is journaled (true): the taker's epoch
     * update waited for it, and its replay applies it, as this process does. Without that look, a
     * batch that is in the journal would be answered as never recorded.
     */
    private boolean landedDespiteFence(UUID batchId) throws JournalUnavailableException {
        if (fenced != null && uncertain.contains(batchId) && journaled(batchId)) {
            uncertain.remove(batchId);
            return true;
        }
        if (fenced != null) {
            uncertain.remove(batchId);
        }
        refuseUnlessWriter();
        return false;
    }

    /** Runs {@code write}, one attempt of {@code batchId}; an attempt without an answer makes the batch uncertain. */
    private <T> T attempt(UUID batchId, JournalWrite<T> write) throws JournalUnavailableException {
        try {
            T result = write.run();
            uncertain.remove(batchId);
            return result;
        } catch (JournalRefusedException e) {
            throw e;
        } catch (JournalUnavailableException e) {
            uncertain.add(batchId);
            throw e;
        }
    }

    @FunctionalInterface
    private interface JournalWrite<T> {
        T run() throws JournalUnavailableException;
    }

    /** Whether the batch is in the journal, read in a snapshot of its own. */
    public boolean journaled(UUID batchId) throws JournalUnavailableException {
        return write("journal lookup", "SELECT EXISTS (SELECT 1 FROM asof_journal WHERE batch_id = $1) AS present",
                Tuple.of(batchId), timeout).iterator().next().getBoolean("present");
    }

    /**
     * Marks a journaled batch that Datomic rejected: replay passes it by, as the live service did.
     *
     * @throws JournalFencedException another process holds the writer role
     * @throws JournalUnavailableException PostgreSQL cannot answer; call again later
     */
    public void reject(UUID batchId, String reason) throws JournalUnavailableException {
        refuseUnlessWriter();
        Row row = write("journal update", REJECT,
                Tuple.of(batchId, reason == null || reason.isBlank() ? "rejected by Datomic" : reason, epoch), timeout)
                .iterator().next();
        trouble = null;
        if (row.getLong("holds") == 0) {
            throw fence();
        }
    }

    /**
     * Records an erasure (issue 24) in one PostgreSQL transaction, fenced like an append: every row
     * that holds the customer's personal values is rewritten with the placeholders the erasure gives
     * them ({@link JournalErasure}: replay then transacts what the erased database holds, with the
     * same t), and the erasure's own batch ({@code payload}, format {@value JournalCodec#FORMAT}) is
     * appended under {@code batchId}. All or nothing: a process killed before the commit left no
     * trace of it, after it the replay erases. Only the commit's outcome can be unknown (or, once
     * fenced, whether an earlier attempt landed, when that cannot be read): PostgreSQL commits
     * nothing of a transaction whose session ends before it asks for the commit, so any failure
     * before that (a statement timing out, a cut, an error answer, a row it cannot read) is a
     * refusal: nothing was written. Repeating it after an unknown commit is safe: a repeat waits
     * for the locks the first attempt holds, rewrites a row to the same placeholders, and appends the
     * batch once. A row Datomic rejected is rewritten too (replay never reads it, but {@code pg_dump}
     * would). The old row versions stay in the table's files until PostgreSQL's VACUUM reclaims
     * them, which this asks for afterwards.
     *
     * @throws JournalFencedException another process holds the writer role, and no attempt of this
     *     batch landed before it took it: none will
     * @throws JournalRefusedException this attempt wrote nothing (an earlier one, whose commit was
     *     unknown, may have landed: {@link #journaled})
     * @throws JournalUnavailableException this attempt's commit has no answer: it may land; call
     *     again with the same batch id
     */
    public void erase(UUID batchId, Instant txInstant, String payload, CustomerErasure plan)
            throws JournalUnavailableException {
        if (landedDespiteFence(batchId)) {
            return;
        }
        Duration limit = timeout.multipliedBy(6);
        List<String> needles = JournalErasure.needles(plan.customerId());
        SqlConnection connection;
        try {
            connection = ownConnection(limit);
        } catch (RuntimeException e) {
            trouble = "PostgreSQL unreachable: " + describe(e);
            throw new JournalRefusedException(trouble, e);
        }
        int rewritten = 0;
        try {
            Transaction tx;
            try {
                tx = connection.begin().await().atMost(limit);
                if (connection.preparedQuery("SELECT epoch FROM asof_writer WHERE id = 1 AND epoch = $1 FOR SHARE")
                        .execute(Tuple.of(epoch)).await().atMost(limit).size() == 0) {
                    // Not waited for: closing the session below rolls back too.
                    tx.rollback().subscribe().with(done -> { }, failed -> { });
                    JournalFencedException fencedOut = fence();
                    // As in append: an earlier attempt of this erasure may have landed before the role
                    // moved on (the taker's epoch update waited for it); else this throws the fence.
                    if (landedDespiteFence(batchId)) {
                        return;
                    }
                    throw fencedOut;
                }
                long after = 0;
                while (true) {
                    // As bytes, decoded here: text would be decoded on the event loop through Netty's
                    // thread-local scratch array, which keeps the last row's bytes after the erasure
                    // (found in a heap dump, issue 24).
                    RowSet<Row> rows = connection.preparedQuery("SELECT seq, format,"
                            + " convert_to((CASE WHEN format = 1 THEN events ELSE payload END)::text, 'UTF8') AS payload"
                            + " FROM asof_journal"
                            + " WHERE seq > $1 AND (strpos(coalesce(payload::text, events::text), $2) > 0"
                            + " OR strpos(coalesce(payload::text, events::text), $3) > 0"
                            + " OR strpos(coalesce(rejected, ''), $2) > 0 OR strpos(coalesce(rejected, ''), $3) > 0)"
                            + " ORDER BY seq LIMIT $4")
                            .execute(Tuple.of(after, needles.get(0), needles.get(1), REPLAY_PAGE)).await().atMost(limit);
                    if (rows.size() == 0) {
                        break;
                    }
                    for (Row row : rows) {
                        after = row.getLong("seq");
                        int format = row.getShort("format");
                        String erased = JournalErasure.rewrite(format,
                                new String(row.getBuffer("payload").getBytes(), java.nio.charset.StandardCharsets.UTF_8), plan);
                        if (erased != null) {
                            connection.preparedQuery(format == 1
                                    ? "UPDATE asof_journal SET events = $2::text::json WHERE seq = $1"
                                    : "UPDATE asof_journal SET payload = $2::text::json WHERE seq = $1")
                                    .execute(Tuple.of(after, erased)).await().atMost(limit);
                            rewritten++;
                        }
                        // Why Datomic rejected a batch (its first line) may quote a value: said without it.
                        connection.preparedQuery("UPDATE asof_journal SET rejected = 'rejected by Datomic (the message"
                                + " named data since erased)' WHERE seq = $1 AND (strpos(rejected, $2) > 0"
                                + " OR strpos(rejected, $3) > 0)")
                                .execute(Tuple.of(after, needles.get(0), needles.get(1))).await().atMost(limit);
                    }
                }
                connection.preparedQuery("INSERT INTO asof_journal (batch_id, tx_instant, event_count, payload, format)"
                        + " VALUES ($1, $2, 0, $3::text::json, $4) ON CONFLICT (batch_id) DO NOTHING")
                        .execute(Tuple.tuple().addValue(batchId).addValue(OffsetDateTime.ofInstant(txInstant, ZoneOffset.UTC))
                                .addValue(payload).addValue((short) JournalCodec.FORMAT))
                        .await().atMost(limit);
            } catch (JournalFencedException e) {
                throw e;
            } catch (RuntimeException e) {
                // The commit was not asked for: the session's end (closed below) rolls everything back.
                trouble = "the journal erasure failed before its commit, so nothing was written: " + describe(e);
                throw new JournalRefusedException(trouble, e);
            }
            attempt(batchId, () -> {
                try {
                    return tx.commit().await().atMost(limit);
                } catch (RuntimeException e) {
                    throw classify("journal erasure's commit", e);
                }
            });
        } finally {
            connection.close().subscribe().with(closed -> { }, failure -> { });
        }
        trouble = null;
        LOG.infof("Journal: an erasure rewrote %d rows and was appended as batch %s", rewritten, batchId);
        pool.query("VACUUM asof_journal").execute().subscribe().with(done -> { },
                failed -> LOG.warnf("VACUUM asof_journal after an erasure failed (%s): the old row versions stay in the"
                        + " table's files until autovacuum reclaims them", describe(failed)));
    }

    /**
     * A connection of its own, outside the pool, closed after use: nothing an erasure read (the
     * customer's personal values, in the rows it rewrites) stays with a connection that lives on.
     */
    private SqlConnection ownConnection(Duration limit) {
        PgConnectOptions options = PgConnectOptions.fromUri(url);
        options.setSslMode(SslMode.of(sslMode));
        options.setTrustAll(trustAll);
        return PgConnection.connect(vertx, options).await().atMost(limit);
    }

    private void refuseUnlessWriter() throws JournalRefusedException {
        if (fenced != null) {
            throw new JournalFencedException(fenced);
        }
        if (epoch == 0) {
            throw new JournalRefusedException("this process does not hold the journal's writer role", null);
        }
    }

    /** The epoch moved: another process took the role. From now on this process writes nothing. */
    private JournalFencedException fence() {
        if (fenced == null) {
            fenced = "another process took the journal's writer role; this one takes no more writes";
            LOG.error("Fenced: " + fenced + " (its epoch was " + epoch + "). Reads go on from what it holds;"
                    + " restart it to follow the new writer");
            store.stopWrites(fenced);
        }
        return new JournalFencedException(fenced);
    }

    /**
     * One journal write, classified by what happened: no connection to send it on (refused: nothing
     * was sent), PostgreSQL's error answer (refused: nothing was written), or no answer within
     * {@code limit} or the connection lost while it ran (unknown).
     */
    private RowSet<Row> write(String what, String sql, Tuple args, Duration limit) throws JournalUnavailableException {
        SqlConnection connection;
        try {
            connection = connection(limit);
        } catch (RuntimeException e) {
            trouble = "PostgreSQL unreachable: " + describe(e);
            throw new JournalRefusedException(trouble, e);
        }
        try {
            return connection.preparedQuery(sql).execute(args).await().atMost(limit);
        } catch (RuntimeException e) {
            throw classify(what, e);
        } finally {
            connection.close().subscribe().with(closed -> { }, failure -> { });
        }
    }

    /**
     * A connection from the pool within {@code limit}. One that arrives after the limit (the pool
     * still opening it) goes straight back: a timed-out acquisition must not keep a connection out
     * of the pool for ever (eight of them would leave the journal with none).
     */
    private SqlConnection connection(Duration limit) {
        io.vertx.core.Future<io.vertx.sqlclient.SqlConnection> acquiring = pool.getDelegate().getConnection();
        try {
            return SqlConnection.newInstance(acquiring.toCompletionStage().toCompletableFuture()
                    .get(limit.toMillis(), TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            acquiring.onSuccess(io.vertx.sqlclient.SqlConnection::close);
            throw new TimeoutException();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquiring.onSuccess(io.vertx.sqlclient.SqlConnection::close);
            throw new IllegalStateException("Interrupted while waiting for a PostgreSQL connection", e);
        }
    }

    /**
     * What a failed journal write tells: PostgreSQL answered that it refused the statement (it ran
     * in its own transaction and wrote nothing), or it did not answer, or answered something that
     * can come after a commit (a timeout, a lost connection, a backend terminated while waiting for
     * synchronous replication with the commit already local, an internal error): the outcome is
     * unknown. Refusals are the SQLSTATE classes that reject the statement itself (PostgreSQL's
     * Appendix A): 22 data exception, 23 integrity constraint violation, 42 syntax error or access
     * rule violation, 40 transaction rollback (serialization failure, deadlock).
     */
    private JournalUnavailableException classify(String what, RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof PgException answered && refusal(answered.getSqlState())) {
                trouble = "PostgreSQL refused the " + what + ": " + answered.getSqlState() + " " + answered.getErrorMessage();
                return new JournalRefusedException(trouble, e);
            }
        }
        trouble = what + " has no answer: " + describe(e);
        return new JournalUnavailableException(trouble, e);
    }

    private static boolean refusal(String sqlState) {
        return sqlState != null && sqlState.length() == 5
                && java.util.Set.of("22", "23", "42", "40").contains(sqlState.substring(0, 2));
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
        refuseUnlessWriter();
        write("journal upgrade", UPGRADE, Tuple.of(seq, payload, (short) JournalCodec.FORMAT, epoch), timeout);
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

    /**
     * The erased customers (their digests) of the erasures journaled after {@code afterSeq}, in
     * order: a process that replayed up to there before they ran must erase them before it replays
     * the rows they rewrote.
     */
    public List<String> erasuresAfter(long afterSeq, JournalCodec codec) {
        List<String> digests = new java.util.ArrayList<>();
        for (Row row : replayRead(pool.preparedQuery("SELECT format, payload::text AS payload FROM asof_journal"
                + " WHERE seq > $1 AND rejected IS NULL AND format >= 5 AND strpos(payload::text, '\"erasure/customer\"') > 0"
                + " ORDER BY seq").execute(Tuple.of(afterSeq)))) {
            String digest = codec.read(row.getShort("format"), row.getString("payload")).erasure();
            if (digest != null) {
                digests.add(digest);
            }
        }
        return digests;
    }

    /** How many events the batches that replay will apply hold. */
    public long replayableEvents() {
        RowSet<Row> rows = replayRead(pool.query(
                "SELECT coalesce(sum(event_count), 0) AS events FROM asof_journal WHERE rejected IS NULL").execute());
        return rows.iterator().next().getLong("events");
    }

    /** Hands every journaled batch after {@code afterSeq} not marked rejected, oldest first, to {@code apply}. */
    public long replay(long afterSeq, Consumer<Entry> apply) {
        long after = afterSeq;
        long batches = 0;
        while (true) {
            RowSet<Row> rows = replayRead(pool.preparedQuery("SELECT seq, batch_id, tx_instant, event_count, format,"
                    + " (CASE WHEN format = 1 THEN events ELSE payload END)::text AS payload"
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

    /**
     * Checks the journal can be written now (readiness). A lost lock connection is not re-taken:
     * the advisory lock only elects the next writer, and the epoch fences this one if it is taken.
     */
    public boolean healthy() {
        if (!enabled) {
            return true;
        }
        if (fenced != null) {
            return false;
        }
        try {
            pool.query("SELECT 1").execute().await().atMost(Duration.ofSeconds(2));
            trouble = null;
            return true;
        } catch (RuntimeException e) {
            trouble = "PostgreSQL unreachable: " + describe(e);
            return false;
        }
    }

    /**
     * What taking the role, migrating and counting may take: six round trips' time, like a replay
     * read. None of them decides an outcome a client waits for; a start-up on a loaded host must
     * not fail for a slow first connection.
     */
    private Duration startupLimit() {
        return timeout.multipliedBy(6);
    }

    private long count() {
        return pool.query("SELECT count(*) AS n FROM asof_journal WHERE rejected IS NULL").execute().await().atMost(startupLimit())
                .iterator().next().getLong("n");
    }

    /**
     * Applies the migrations not yet recorded, in one transaction under a lock of their own: a
     * process waiting for the writer role migrates too, while the writer runs.
     */
    private void migrate() {
        pool.query("CREATE TABLE IF NOT EXISTS asof_schema_version ("
                + "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
                .execute().await().atMost(startupLimit());
        int applied = pool.withTransaction(tx -> tx.preparedQuery("SELECT pg_advisory_xact_lock($1)")
                        .execute(Tuple.of(MIGRATION_LOCK_KEY))
                        .chain(() -> tx.query("SELECT coalesce(max(version), 0) AS v FROM asof_schema_version").execute())
                        .map(rows -> rows.iterator().next().getInteger("v"))
                        .call(current -> {
                            Uni<?> steps = Uni.createFrom().voidItem();
                            for (int version = current + 1; version <= MIGRATIONS.size(); version++) {
                                int v = version;
                                steps = steps.chain(() -> tx.query(MIGRATIONS.get(v - 1)).execute())
                                        .chain(() -> tx.preparedQuery("INSERT INTO asof_schema_version (version) VALUES ($1)")
                                                .execute(Tuple.of(v)));
                            }
                            return steps;
                        }))
                .await().atMost(startupLimit());
        if (applied < MIGRATIONS.size()) {
            LOG.infof("Journal schema migrated from version %d to %d", applied, MIGRATIONS.size());
        }
    }

    private synchronized boolean lock() {
        if (lockConnection != null) {
            return true;
        }
        SqlConnection connection = connection(startupLimit());
        boolean locked;
        try {
            locked = connection.preparedQuery("SELECT pg_try_advisory_lock($1) AS locked")
                    .execute(Tuple.of(LOCK_KEY)).await().atMost(startupLimit()).iterator().next().getBoolean("locked");
        } catch (RuntimeException unanswered) {
            // The lock may yet be granted to this session: give it up before the connection goes back
            // to the pool, or a pooled session would hold the writer's lock for ever, unused.
            connection.preparedQuery("SELECT pg_advisory_unlock_all()").execute()
                    .eventually(connection::close).subscribe().with(done -> { }, failed -> { });
            throw unanswered;
        }
        if (!locked) {
            connection.closeAndAwait();
            return false;
        }
        connection.closeHandler(() -> lockLost(connection));
        lockConnection = connection;
        return true;
    }

    /**
     * The lock's connection is gone. Holding the role, this process keeps it until another takes it
     * (the epoch fences it then). Still taking it (the epoch not raised yet, or not known to be), it
     * must lock again on a new connection, not go on asking on the dead one.
     */
    private synchronized void lockLost(SqlConnection connection) {
        if (lockConnection != connection) {
            return;
        }
        if (epoch > 0) {
            LOG.warn("Lost the journal's writer lock with its connection: this process keeps the writer role"
                    + " until another takes it (its writes are refused by PostgreSQL from then on)");
        } else {
            LOG.warn("Lost the journal's writer lock with its connection before taking the role; locking again");
            lockConnection = null;
        }
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
