package dev.asof.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import clojure.lang.Keyword;
import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.events.TxData;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The journal keeps transaction data losslessly: for generated transactions in the shapes asof
 * builds (statements, entity maps, lookup refs, the transaction entity) holding generated values —
 * strings of any UTF-16 code units (lone surrogates, NUL, quotes, backslashes, characters beyond
 * the BMP), decimals of any scale, instants, UUIDs, keywords — what is read back equals what was
 * written, value for value and type for type. Each seed is one generated case.
 */
class TxDataCodecTest {
    private static final Keyword[] ATTRS = {Attr.PRICE_KEY, Attr.PRICE_AMOUNT, Attr.CUSTOMER_NAME, Attr.EVENT_ID,
            Attr.EVENT_EFFECTIVE_AT, Attr.kw("x.y/z-w")};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void whatIsReadBackEqualsWhatWasWritten(long seed) {
        Random random = new Random(seed);
        List<Object> txData = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(40); i < n; i++) {
            txData.add(statement(random));
        }
        Map<Object, Object> tx = new HashMap<>();
        tx.put(Attr.DB_ID, "datomic.tx");
        tx.put(Attr.TX_INSTANT, new Date(random.nextLong() >>> 20));
        tx.put(Attr.TX_SOURCES, List.of(string(random), string(random)));
        txData.add(tx);

        String written = TxDataCodec.write(txData);
        List<Object> read = TxDataCodec.read(written);

        assertThat(read).as("seed %d", seed).isEqualTo(txData);
        assertSameTypes(read, txData);
        assertThat(written).as("pure ASCII: no encoding between here and PostgreSQL can alter it")
                .matches("\\p{ASCII}*");
    }

    /**
     * Format 2 rows (the release before the unchanged-event attributes) replay as they are; a row in
     * a format newer than this release stops the replay naming it, rather than be taken for a batch
     * Datomic rejected as data (a rollback must fail loudly, not pass acknowledged events by).
     */
    @Test
    void theFormatBeforeReadsAsItWasAndANewerOneIsRefusedByName() {
        JournalCodec codec = new JournalCodec(new com.fasterxml.jackson.databind.ObjectMapper());
        List<Object> txData = List.of(Util.list(Attr.DB_ADD, "v", Attr.PRICE_AMOUNT, new BigDecimal("1.50")),
                new HashMap<>(Map.of(Attr.DB_ID, "datomic.tx")));
        String payload = codec.write(txData);
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        for (int format = 2; format <= JournalCodec.FORMAT; format++) {
            JournalCodec.Replayable replayable = codec.read(format, payload);
            assertThat(replayable.outdated()).as("format %d", format).isFalse();
            assertThat(replayable.txData(null, at)).as("format %d", format)
                    .isEqualTo(TxData.withInstant(txData, at));
        }
        assertThatThrownBy(() -> codec.read(JournalCodec.FORMAT + 1, payload))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("newer than this asof knows")
                .isNotInstanceOf(IllegalArgumentException.class);
        assertThat(dev.asof.datomic.DatomicStore.rejectedAsData(catchThrowable(() -> codec.read(JournalCodec.FORMAT + 1,
                payload)))).as("not a rejection as data").isFalse();
    }

    @Test
    void aDecimalKeepsItsScaleAndALoneSurrogateStaysItself() {
        List<Object> txData = List.of(Util.list(Attr.DB_ADD, "v", Attr.PRICE_AMOUNT, new BigDecimal("0.1000")),
                Util.list(Attr.DB_ADD, "c", Attr.CUSTOMER_NAME, "s2-\ud800"));
        List<Object> read = TxDataCodec.read(TxDataCodec.write(txData));
        assertThat(((List<?>) read.get(0)).get(3).toString()).isEqualTo("0.1000");
        assertThat(((List<?>) read.get(1)).get(3)).isEqualTo("s2-\ud800").isNotEqualTo("s2-?");
    }

    @Test
    void aValueTheJournalCannotGiveBackIsRefusedWhenWritten() {
        assertThatThrownBy(() -> TxDataCodec.write(List.of(Util.list(Attr.DB_ADD, "v", Attr.PRICE_AMOUNT, 1.5d))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Double");
    }

    @Test
    void replayStampsTheTransactionWithTheInstantItIsGiven() {
        List<Object> txData = TxDataCodec.read(TxDataCodec.write(List.of(
                Util.list(Attr.DB_ADD, "v", Attr.PRICE_AMOUNT, BigDecimal.ONE),
                Map.of(Attr.DB_ID, "datomic.tx", Attr.TX_INSTANT, new Date(1000)))));
        Instant clamped = Instant.parse("2026-11-30T10:00:00.123Z");
        List<Object> stamped = TxData.withInstant(txData, clamped);
        assertThat(((Map<?, ?>) stamped.get(1)).get(Attr.TX_INSTANT)).isEqualTo(Date.from(clamped));
        assertThat(stamped.get(0)).isEqualTo(txData.get(0));
    }

    private static Object statement(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> Util.list(Attr.DB_ADD, "subject-" + UUID.randomUUID(), pick(random), value(random));
            case 1 -> Util.list(Attr.DB_RETRACT, Util.list(Attr.CUSTOMER_ID, string(random)), pick(random), value(random));
            case 2 -> Util.list(Attr.DB_RETRACT_ENTITY, Util.list(Attr.CUSTOMER_ID, string(random)));
            default -> {
                Map<Object, Object> entity = new HashMap<>();
                entity.put(Attr.DB_ID, "subject-" + UUID.randomUUID());
                for (int i = 0, n = random.nextInt(5); i < n; i++) {
                    entity.put(pick(random), value(random));
                }
                yield entity;
            }
        };
    }

    private static Object value(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> string(random);
            case 1 -> new BigDecimal(new BigInteger(random.nextInt(80) + 1, random), random.nextInt(12) - 2);
            case 2 -> new Date(random.nextLong() >> 12);
            case 3 -> new UUID(random.nextLong(), random.nextLong());
            case 4 -> pick(random);
            case 5 -> random.nextLong();
            default -> random.nextBoolean();
        };
    }

    private static Keyword pick(Random random) {
        return ATTRS[random.nextInt(ATTRS.length)];
    }

    /** Any UTF-16 code units: lone surrogates and pairs, NUL and controls, JSON's special characters. */
    private static String string(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = 0, n = random.nextInt(24); i < n; i++) {
            switch (random.nextInt(6)) {
                case 0 -> s.append((char) (0xD800 + random.nextInt(0x800)));
                case 1 -> s.appendCodePoint(0x10000 + random.nextInt(0x100000));
                case 2 -> s.append((char) random.nextInt(0x20));
                case 3 -> s.append("\"\\/'".charAt(random.nextInt(4)));
                case 4 -> s.append((char) random.nextInt(0x10000));
                default -> s.append((char) ('a' + random.nextInt(26)));
            }
        }
        return s.toString();
    }

    private static void assertSameTypes(Object read, Object written) {
        if (written instanceof List<?> list) {
            assertThat(read).isInstanceOf(List.class);
            for (int i = 0; i < list.size(); i++) {
                assertSameTypes(((List<?>) read).get(i), list.get(i));
            }
        } else if (written instanceof Map<?, ?> map) {
            assertThat(read).isInstanceOf(Map.class);
            map.forEach((k, v) -> assertSameTypes(((Map<?, ?>) read).get(k), v));
        } else {
            assertThat(read).isInstanceOf(written instanceof Integer ? Long.class : written.getClass());
        }
    }
}
