package dev.asof.datomic;

import static org.assertj.core.api.Assertions.assertThat;

import datomic.Connection;
import datomic.Database;
import datomic.Datom;
import datomic.Peer;
import datomic.Util;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A database made before :price/effectiveAt and :price/effectiveUntil were indexed (issue 23): once
 * asof has put its schema in place, the versions recorded before are in their AVET index, which the
 * price-list diff seeks.
 */
class SchemaUpgradeTest {

    @Test
    void versionsRecordedBeforeTheIndexesAreInThemOnceTheSchemaIsInPlace() throws Exception {
        String uri = "datomic:mem://schema-upgrade-" + UUID.randomUUID();
        Peer.createDatabase(uri);
        Connection conn = Peer.connect(uri);
        try {
            List<Object> old = new ArrayList<>();
            try (Reader reader = new InputStreamReader(getClass().getResourceAsStream("/asof/schema.edn"),
                    StandardCharsets.UTF_8)) {
                for (Object attr : (List<?>) Util.readAll(reader).get(0)) {
                    Map<Object, Object> before = new java.util.HashMap<>((Map<?, ?>) attr);
                    if (Attr.PRICE_EFFECTIVE_AT.equals(before.get(Attr.DB_IDENT))
                            || Attr.PRICE_EFFECTIVE_UNTIL.equals(before.get(Attr.DB_IDENT))) {
                        before.remove(Util.read(":db/index"));
                        before.remove(Util.read(":db/doc"));
                    }
                    old.add(before);
                }
            }
            conn.transact(old).get();
            Date start = Date.from(java.time.Instant.parse("2026-06-01T00:00:00Z"));
            Date until = Date.from(java.time.Instant.parse("2026-07-01T00:00:00Z"));
            conn.transact(List.of(Util.map(Attr.DB_ID, "v", Attr.PRICE_KEY, PriceKeys.of("OLD", start.getTime()),
                    Attr.PRICE_EFFECTIVE_AT, start, Attr.PRICE_EFFECTIVE_UNTIL, until))).get();
            assertThat(indexed(conn.db(), Attr.PRICE_EFFECTIVE_AT, start)).as("not indexed before").isFalse();

            DatomicStore.installSchema(conn);

            assertThat(indexed(conn.db(), Attr.PRICE_EFFECTIVE_AT, start)).isTrue();
            assertThat(indexed(conn.db(), Attr.PRICE_EFFECTIVE_UNTIL, until)).isTrue();
        } finally {
            conn.release();
            Peer.deleteDatabase(uri);
        }
    }

    private static boolean indexed(Database db, Object attr, Date value) {
        try {
            for (Datom datom : db.datoms(Database.AVET, attr, value)) {
                return datom.v().equals(value);
            }
            return false;
        } catch (RuntimeException notIndexed) {
            return false; // Datomic refuses an AVET read of an attribute that is not indexed
        }
    }
}
