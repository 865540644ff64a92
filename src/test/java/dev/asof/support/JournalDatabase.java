package dev.asof.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Gives the service under test a journal: a fresh PostgreSQL database, reached through a
 * {@link TcpProxy} that tests can take down and bring back ({@link #proxy()}).
 */
public class JournalDatabase implements QuarkusTestResourceLifecycleManager {
    private static volatile TcpProxy proxy;
    private static volatile String database;

    public static TcpProxy proxy() {
        return proxy;
    }

    public static String database() {
        return database;
    }

    /**
     * Holds an EXCLUSIVE lock on the journal table for {@code millis}: reads go on, every write
     * (an append, an erasure's rewrite) waits. Completes when the lock is given back.
     */
    public static CompletableFuture<Void> lockFor(long millis) throws SQLException {
        Connection connection = lock();
        return CompletableFuture.runAsync(() -> {
            try (connection) {
                Thread.sleep(millis);
                connection.rollback();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** An EXCLUSIVE lock on the journal table (reads go on, writes wait), held until the connection closes. */
    public static Connection lock() throws SQLException {
        Connection connection = Postgres.connect(database);
        connection.setAutoCommit(false);
        connection.createStatement().execute("LOCK TABLE asof_journal IN EXCLUSIVE MODE");
        return connection;
    }

    /** How many of the journal's rows match the SQL condition {@code where}. */
    public static long rows(String where) {
        return Postgres.queryLong(database, "SELECT count(*) FROM asof_journal WHERE " + where);
    }

    @Override
    public Map<String, String> start() {
        Postgres.Server server = Postgres.server();
        database = Postgres.freshDatabase();
        try {
            proxy = new TcpProxy(server.host(), server.port());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String url = new Postgres.Server("127.0.0.1", proxy.port(), server.user()).url(database);
        return Map.of("quarkus.datasource.reactive.url", url);
    }

    @Override
    public void stop() {
        try {
            proxy.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
