package dev.asof.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

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
