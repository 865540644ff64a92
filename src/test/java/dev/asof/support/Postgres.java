package dev.asof.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * A real PostgreSQL for tests: the one named by {@code TEST_DATABASE_URL} (e.g.
 * {@code postgresql://postgres@127.0.0.1:5432/postgres}) when set, otherwise PostgreSQL 17 started
 * from Maven artifacts (io.zonky), once per test JVM. Each caller gets a database of its own.
 */
public final class Postgres {
    private static EmbeddedPostgres embedded;

    private Postgres() {
    }

    /** host:port, user, of the server. */
    public record Server(String host, int port, String user) {
        public String url(String database) {
            return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
        }

        public String jdbc(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?user=" + user;
        }
    }

    public static synchronized Server server() {
        String given = System.getenv("TEST_DATABASE_URL");
        if (given != null && !given.isBlank()) {
            URI uri = URI.create(given.replaceFirst("^postgres(ql)?://", "http://"));
            String user = uri.getUserInfo() == null ? "postgres" : uri.getUserInfo().split(":")[0];
            return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user);
        }
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Server("localhost", embedded.getPort(), "postgres");
    }

    /** Creates an empty database and returns its name. */
    public static String freshDatabase() {
        String name = "asof_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("postgres", "CREATE DATABASE " + name);
        return name;
    }

    /**
     * Creates a copy of {@code template} (a database nobody is connected to) and returns its name:
     * a journal written once serves several tests.
     */
    public static String copyOf(String template) {
        String name = "asof_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("postgres", "CREATE DATABASE " + name + " TEMPLATE " + template);
        return name;
    }

    /**
     * A JDBC connection to {@code database}. The driver is called directly: DriverManager only
     * offers drivers of the caller's class loader, and Quarkus tests load classes in their own.
     */
    public static Connection connect(String database) throws SQLException {
        return new org.postgresql.Driver().connect(server().jdbc(database), new java.util.Properties());
    }

    public static void execute(String database, String sql) {
        try (Connection connection = connect(database)) {
            connection.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long queryLong(String database, String sql) {
        try (Connection connection = connect(database);
                var rs = connection.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Everything {@code database} holds, as text: {@code pg_dump}'s output when this machine's
     * pg_dump can dump the server (the server given by TEST_DATABASE_URL, as CI runs), otherwise
     * every row of every table in the public schema as JSON (the embedded server, whose binaries
     * bring no pg_dump), said on standard output.
     */
    public static String dump(String database) {
        Server server = server();
        if (System.getenv("TEST_DATABASE_URL") != null) {
            try {
                Process dump = new ProcessBuilder("pg_dump", "-h", server.host(), "-p", String.valueOf(server.port()), "-U",
                        server.user(), database).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                byte[] out = dump.getInputStream().readAllBytes();
                if (dump.waitFor() == 0) {
                    return new String(out, java.nio.charset.StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                // no pg_dump here: read the tables instead
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        System.out.println("Postgres.dump: no pg_dump for this server; reading every table's rows instead");
        StringBuilder all = new StringBuilder();
        try (Connection connection = connect(database)) {
            List<String> tables = new java.util.ArrayList<>();
            try (var rs = connection.createStatement().executeQuery(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (var rs = connection.createStatement().executeQuery("SELECT row_to_json(t)::text FROM " + table + " t")) {
                    while (rs.next()) {
                        all.append(table).append(' ').append(rs.getString(1)).append('\n');
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return all.toString();
    }
}
