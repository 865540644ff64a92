package dev.asof.datomic;

import datomic.Connection;
import datomic.Peer;

/** Fresh mem databases with asof's schema, stamped as the service stamps it (for tests in other packages). */
public final class TestDatabases {
    private TestDatabases() {
    }

    public static Connection fresh(String uri) {
        Peer.createDatabase(uri);
        Connection conn = Peer.connect(uri);
        DatomicStore.installSchema(conn);
        return conn;
    }

    /** Every datom of every database value, by entity, attribute, t and assertion, values included. */
    public static java.util.List<String> datoms(datomic.Database db) {
        return MemRebuildTest.datoms(db);
    }

    /** Every transaction's datoms as the Log holds them, in its order. */
    public static java.util.List<String> log(Connection conn) {
        return MemRebuildTest.log(conn);
    }
}
