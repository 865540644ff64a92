package dev.asof.datomic;

import java.util.concurrent.atomic.AtomicInteger;
import datomic.Connection;
import datomic.Database;
import datomic.Peer;
import datomic.Util;
import dev.asof.config.AsofConfig;
import dev.asof.core.FieldError;
import dev.asof.core.Refusal;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import jakarta.enterprise.inject.Instance;
import io.vertx.mutiny.sqlclient.Pool;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Owns the peer's connection to the one Datomic database asof serves: creates it when it is
 * missing, puts the schema in place, and hands out database values. Connecting happens once, at
 * start-up, because Datomic's first call compiles Clojure sources for several seconds.
 *
 * <p>The store opens in two steps. It <b>serves reads</b> ({@link #openForReads}) once it holds
 * everything acknowledged: the journal replay opens it, after replaying, or at once when there is
 * no journal; until then every read and write is refused as unavailable, with why, so that the
 * HTTP port can open at once without anyone seeing a database still missing acknowledged events. It
 * <b>takes writes</b> ({@link #takeWrites}) once this process is the writer: at once without a
 * journal; with one, once it holds the journal's writer role and has replayed what the previous
 * writer wrote. A process fenced out of the role stops taking writes for good ({@link #stopWrites}).
 */
@ApplicationScoped
public class DatomicStore {
    private static final Logger LOG = Logger.getLogger(DatomicStore.class);
    /** Fresh mem databases stamp their bootstrap 1970; the schema does the same, so replays keep every later instant. */
    private static final Date SCHEMA_INSTANT = new Date(0);

    private final AsofConfig config;
    private final Optional<String> databaseUrl;
    private final Instance<Pool> pools;
    private volatile Connection connection;
    /** The URI of the database {@link #connection} serves; a mem database an erasure copied has a new one. */
    private volatile String uri;
    private final AtomicInteger copies = new AtomicInteger();
    private volatile TxIndex txIndex;
    private volatile boolean sharedStorage;
    private volatile boolean open;
    private volatile boolean writes;
    private volatile String opening = "connecting to Datomic";
    private volatile String lineage;
    /** While reads are served but writes are not: why (waiting for the writer role, fenced out of it). */
    private volatile String noWrites = "the writer is starting";
    private final Event<Opened> opened;
    private final Event<WritesTaken> writesTaken;

    /** Fired once, when the store serves reads: whatever follows commits starts then. */
    public record Opened(Database db) {
    }

    /** Fired once, when this process starts taking writes: the transact worker starts then. */
    public record WritesTaken(Database db) {
    }

    public DatomicStore(AsofConfig config, @ConfigProperty(name = "DATABASE_URL") Optional<String> databaseUrl,
            Instance<Pool> pools, Event<Opened> opened, Event<WritesTaken> writesTaken) {
        this.opened = opened;
        this.writesTaken = writesTaken;
        this.config = config;
        this.databaseUrl = databaseUrl;
        this.pools = pools;
    }

    void start(@Observes @Priority(10) StartupEvent event) {
        String uri = SqlStorage.datomicUri(config.datomicUri(), databaseUrl.orElse(null));
        if (SqlStorage.isSql(uri) && databaseUrl.isPresent()) {
            // Datomic's storage table, created when missing (Datomic's own DDL), through the reactive client.
            pools.get().query(SqlStorage.KVS_TABLE).execute().await().atMost(java.time.Duration.ofSeconds(10));
        }
        long started = System.nanoTime();
        boolean created = Peer.createDatabase(uri);
        Connection conn = Peer.connect(uri);
        installSchema(conn);
        txIndex = TxIndex.load(conn.db());
        sharedStorage = !uri.startsWith("datomic:mem:");
        this.uri = uri;
        connection = conn;
        opening = "restoring the database";
        LOG.infof("Datomic %s %s, schema in place, basis t=%d (%d ms)", DatomicUris.redact(uri),
                created ? "created" : "connected", conn.db().basisT(), (System.nanoTime() - started) / 1_000_000);
    }

    void stop(@Observes @Priority(9000) ShutdownEvent event) {
        Connection conn = connection;
        connection = null;
        open = false;
        writes = false;
        if (conn != null) {
            conn.release();
        }
    }

    /**
     * True when the database lives in storage a transactor serves (Datomic Pro): other peers may
     * write it, and the transactor, not this peer, stamps transaction instants.
     */
    public boolean isSharedStorage() {
        return sharedStorage;
    }

    /** True once the store serves reads: connected, and holding everything acknowledged. */
    public boolean servesReads() {
        return open;
    }

    /** True while this process takes writes (it is the journal's writer, or there is no journal). */
    public boolean takesWrites() {
        return open && writes;
    }

    /** Why writes are refused while reads are served (unavailable answers, readiness data). */
    public String whyNoWrites() {
        return open ? noWrites : whyNotOpen();
    }

    /** While the store is not open: what it is doing (for readiness data). */
    public String opening() {
        return opening;
    }

    /** Why reads and writes are refused while the store is not open (unavailable answers). */
    public String whyNotOpen() {
        return "asof is starting (" + opening + "); retry shortly";
    }

    /**
     * The identity of the line of database values this process serves ({@link Lineage}): positions
     * asof hands out carry it, so that one resumed against another database is told, not starved.
     */
    public String lineage() {
        String known = lineage;
        if (known == null) {
            throw new StoreUnavailableException(whyNotOpen());
        }
        return known;
    }

    /**
     * The newest database value, once it holds {@code t}: a position a client names (as {@code
     * name}) that lies past this peer's basis is first checked with the transactor ({@code sync}),
     * since another peer may have seen a transaction this one has not yet; still past it, it is
     * refused as invalid, naming the basis — or, by a process that is not the writer (it waits for
     * the journal's writer role and holds only what it replayed), as unavailable: retry.
     */
    public Database reaching(long t, String name) {
        Database now = db();
        if (t > now.basisT() && sharedStorage) {
            try {
                now = connection().sync().get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception unsynced) {
                // answered from what this peer holds
            }
        }
        if (t > now.basisT() && !takesWrites()) {
            // A process waiting for the journal's writer role holds what it replayed when it started; the
            // writer holds more. A position from the writer is a point this process has not reached yet.
            throw Refusal.unavailable("This process holds the database up to t=" + now.basisT() + " (" + whyNoWrites()
                    + "); " + name + "=" + t + " may lie beyond it on the writer: retry", 1);
        }
        if (t > now.basisT()) {
            throw Refusal.invalid(name + "=" + t + " lies beyond the database basis (t=" + now.basisT() + ", recorded "
                    + Facts.txInstant(now, now.basisT()) + "); ask for a point at or before it",
                    List.of(new FieldError(null, null, name, "lies beyond the basis t=" + now.basisT())));
        }
        return now;
    }

    /** The connection now, or null before start and after stop; for listeners that follow a {@link #replace}. */
    public Connection current() {
        return connection;
    }

    /** A copy of this mem database with one customer's personal facts replaced ({@link #copyErasing}). */
    public record Copy(String uri, Connection connection) {
    }

    /**
     * Copies this {@code datomic:mem} database, every personal fact of the customer {@code plan}
     * names replaced by its placeholder ({@link MemRebuild}): same transactions, t and entity ids.
     * The copy is not served until {@link #replace}. Called by the one writer (nothing is
     * transacted meanwhile), or by the replay before the store opens.
     */
    public Copy copyErasing(CustomerErasure plan) {
        if (sharedStorage) {
            throw new IllegalStateException("Only a datomic:mem database is erased by copying it; Datomic Pro excises");
        }
        String base = uri.replaceFirst("-erased-\\d+$", "");
        String copyUri = base + "-erased-" + copies.incrementAndGet();
        Connection source = connection;
        long started = System.nanoTime();
        Connection copy = MemRebuild.copy(source, copyUri, plan::valueOf);
        LOG.infof("Copied the database up to t=%d without one customer's personal data in %d ms", copy.db().basisT(),
                (System.nanoTime() - started) / 1_000_000);
        return new Copy(copyUri, copy);
    }

    /**
     * Serves {@code copy} from now on, and deletes the database it replaces: once reads in flight on
     * it end and a collection runs, nothing of it is left in the heap. The copy has the same t and
     * instants, so the time index and the lineage stay.
     */
    public void replace(Copy copy) {
        Connection old = connection;
        String oldUri = uri;
        connection = copy.connection();
        uri = copy.uri();
        try {
            old.removeTxReportQueue();
            old.release();
            Peer.deleteDatabase(oldUri);
        } catch (RuntimeException e) {
            LOG.warn("The database an erasure replaced could not be deleted; it is no longer served", e);
        }
    }

    /** Drops a copy that will not be served. */
    public void discard(Copy copy) {
        MemRebuild.discard(copy.connection(), copy.uri());
    }

    /** The connection; only the transact worker writes through it. */
    public Connection connection() {
        Connection conn = connection;
        if (!open || conn == null) {
            throw new StoreUnavailableException(whyNotOpen());
        }
        return conn;
    }

    /**
     * The connection before the store opens, for the one who restores it (the journal replay);
     * {@code progress} says what it is doing, for readiness and unavailable answers meanwhile.
     */
    public Connection restoring(String progress) {
        if (connection == null) {
            throw new IllegalStateException("Datomic is not connected yet");
        }
        opening = progress;
        return connection;
    }

    /**
     * Serves reads from now on, and fires {@link Opened}; writes wait for {@link #takeWrites}, and
     * are refused meanwhile with {@code whyNoWrites}. {@code journal}: the identity of the journal
     * this database was restored from (null without one), which names its {@link #lineage}.
     */
    public void openForReads(String whyNoWrites, String journal) {
        Connection conn = connection;
        if (conn == null) {
            throw new IllegalStateException("Datomic is not connected yet");
        }
        lineage = Lineage.of(journal != null ? "journal:" + journal : "datomic:" + conn.db().id());
        LOG.infof("Database lineage %s (%s)", lineage, journal != null ? "the journal's" : "this Datomic database's");
        noWrites = whyNoWrites;
        open = true;
        opened.fire(new Opened(conn.db()));
    }

    /**
     * Fires {@link WritesTaken} (the transact worker starts), then takes writes: a write, or a
     * readiness probe, never finds writes taken and no worker yet.
     */
    public void takeWrites() {
        writesTaken.fire(new WritesTaken(connection().db()));
        writes = true;
    }

    /** Takes no write again (another process took the writer role); reads go on. */
    public void stopWrites(String why) {
        noWrites = why;
        writes = false;
    }

    /** Every transaction's t and instant, for time travel (the replay records into it before opening). */
    public TxIndex txIndex() {
        if (txIndex == null) {
            throw new StoreUnavailableException(whyNotOpen());
        }
        return txIndex;
    }

    /**
     * Datomic refused a transaction for its data ({@code :db.error/…}: a predicate, a unique
     * conflict with what another peer recorded, …), as opposed to failing to run it. Datomic signals
     * the first kind as IllegalArgumentException, and some (unique conflicts) as IllegalStateException
     * carrying a {@code :db.error/} message.
     */
    public static boolean rejectedAsData(Throwable cause) {
        return !aheadOfItsClock(cause) && (cause instanceof IllegalArgumentException
                || (cause instanceof IllegalStateException && cause.getMessage() != null
                        && cause.getMessage().startsWith(":db.error/")));
    }

    /**
     * Datomic refused a transaction instant from its own future ({@code :db.error/future-tx-instant}):
     * the clock stepped back between the stamp and the transaction. Not the data's fault, and not
     * for ever: the same transaction applies once the clock gets there (a replay waits for it).
     */
    public static boolean aheadOfItsClock(Throwable cause) {
        return cause != null && cause.getMessage() != null && cause.getMessage().contains(":db.error/future-tx-instant");
    }

    /**
     * Transacts {@code txData}, stamped by the writer's clock, sending it again while Datomic refuses
     * its instant as being from its future ({@link #aheadOfItsClock}: the clock stepped back after the
     * stamp), for up to {@code maxWait} ({@code asof.clock.max-wait}). Past that the failure stands, and
     * it is not a rejection of the data. Every transaction stamped by the writer's clock now goes
     * through here: a batch of events, an erasure's record (a replay waits for the clock before it
     * transacts instead, and an erasure's copy transacts instants already recorded).
     *
     * @return the transaction's result map ({@link Connection#DB_AFTER} and the rest)
     * @throws ExecutionException Datomic's failure: a rejection, or its clock still behind the stamp
     */
    public static Map<?, ?> transactWhenDue(Connection conn, List<Object> txData, java.time.Duration maxWait)
            throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (true) {
            try {
                return conn.transact(txData).get();
            } catch (ExecutionException e) {
                if (!aheadOfItsClock(e.getCause()) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** The newest database value this peer knows. Resolve it once per request and pass it down. */
    public Database db() {
        return connection().db();
    }

    static void installSchema(Connection conn) {
        List<?> schema = readSchema();
        Database db = conn.db();
        boolean complete = schema.stream().allMatch(attr -> installed(db, (Map<?, ?>) attr));
        if (complete) {
            return;
        }
        List<Object> tx = new ArrayList<>(schema);
        boolean fresh = db.basisT() < 1000; // nothing but Datomic's bootstrap
        if (fresh) {
            tx.add(Util.map(Attr.DB_ID, "datomic.tx", Attr.TX_INSTANT, SCHEMA_INSTANT));
        }
        try {
            Database after = (Database) conn.transact(tx).get().get(Connection.DB_AFTER);
            if (!fresh) {
                // An attribute that became indexed (issue 23: :price/effectiveAt and :price/effectiveUntil)
                // is in AVET for what was recorded before only once Datomic has indexed again: reads
                // that seek it (the price-list diff) wait for that here, before anything is served.
                LOG.info("Schema changed on an existing database: waiting for Datomic to index it");
                conn.syncIndex(after.basisT()).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("Could not install asof's schema", e);
        }
    }

    /** True when the database holds this attribute with every property the schema gives it. */
    private static boolean installed(Database db, Map<?, ?> attr) {
        Object ident = attr.get(Attr.DB_IDENT);
        if (db.entid(ident) == null) {
            return false;
        }
        datomic.Entity entity = db.entity(ident);
        return attr.entrySet().stream().allMatch(property -> property.getValue().equals(entity.get(property.getKey())));
    }

    private static List<?> readSchema() {
        try (Reader reader = new InputStreamReader(
                DatomicStore.class.getResourceAsStream("/asof/schema.edn"), StandardCharsets.UTF_8)) {
            return (List<?>) Util.readAll(reader).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
