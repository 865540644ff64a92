package dev.asof.datomic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.support.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Datomic Pro on PostgreSQL storage, up to the transactor: URIs, storage table, transactor settings. */
class SqlStorageTest {
    private static final String HEROKU = "postgres://u1x:p%40ss:w0rd@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d9abc";

    @Test
    void herokuDatabaseUrlBecomesATlsJdbcUrlForDatomic() {
        assertThat(SqlStorage.datomicUri("datomic:sql://asof", HEROKU)).isEqualTo(
                "datomic:sql://asof?jdbc:postgresql://ec2-1-2-3-4.compute-1.amazonaws.com:5432/d9abc"
                        + "?user=u1x&password=p%40ss%3Aw0rd&ssl=true&sslmode=require");
    }

    @Test
    void localDatabaseNeedsNoTls() {
        assertThat(SqlStorage.datomicUri("datomic:sql://asof", "postgresql://postgres@127.0.0.1/test"))
                .isEqualTo("datomic:sql://asof?jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    }

    @Test
    void aFullUriOrAMemUriIsKeptAsGiven() {
        String full = "datomic:sql://asof?jdbc:postgresql://db:5432/datomic?user=datomic&password=x";
        assertThat(SqlStorage.datomicUri(full, HEROKU)).isEqualTo(full);
        assertThat(SqlStorage.datomicUri("datomic:mem://asof", HEROKU)).isEqualTo("datomic:mem://asof");
    }

    @Test
    void sqlWithoutAnyStorageIsAClearError() {
        assertThatThrownBy(() -> SqlStorage.datomicUri("datomic:sql://asof", null))
                .hasMessageContaining("DATABASE_URL");
        assertThatThrownBy(() -> SqlStorage.parse("mysql://x@y/z")).hasMessageNotContaining("x@y");
    }

    @Test
    void credentialsNeverAppearWhenAUriIsLogged() {
        String uri = SqlStorage.datomicUri("datomic:sql://asof", HEROKU);
        assertThat(DatomicUris.redact(uri)).doesNotContain("p%40ss").doesNotContain("w0rd").contains("password=***");
        assertThat(DatomicUris.redact(HEROKU)).doesNotContain("p%40ss");
    }

    @Test
    void transactorGetsTheSameStorage() {
        String properties = SqlStorage.transactorProperties(HEROKU, "0.0.0.0", 4334, "1g");
        assertThat(properties)
                .contains("protocol=sql")
                .contains("sql-url=jdbc:postgresql://ec2-1-2-3-4.compute-1.amazonaws.com:5432/d9abc\n")
                .contains("sql-user=u1x\n")
                .contains("sql-password=p@ss:w0rd\n")
                .contains("sql-driver-params=ssl=true;sslmode=require")
                .contains("port=4334");
    }

    @Test
    void storageTableIsDatomicsAndCreatingItTwiceIsHarmless() throws Exception {
        String database = Postgres.freshDatabase();
        Postgres.execute(database, SqlStorage.KVS_TABLE);
        Postgres.execute(database, SqlStorage.KVS_TABLE);
        List<String> columns = new ArrayList<>();
        try (Connection connection = Postgres.connect(database);
                ResultSet rs = connection.createStatement().executeQuery(
                        "SELECT column_name || ' ' || data_type FROM information_schema.columns"
                                + " WHERE table_name = 'datomic_kvs' ORDER BY ordinal_position")) {
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
        }
        assertThat(columns).containsExactly("id text", "rev integer", "map text", "val bytea");
        assertThat(Postgres.queryLong(database,
                "SELECT count(*) FROM information_schema.table_constraints WHERE table_name = 'datomic_kvs'"
                        + " AND constraint_type = 'PRIMARY KEY'")).isEqualTo(1);
    }
}
