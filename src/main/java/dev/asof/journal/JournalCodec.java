package dev.asof.journal;

import java.util.Objects;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asof.events.CustomerEvent;
import dev.asof.events.Event;
import dev.asof.events.Received;
import dev.asof.events.PriceEvent;
import dev.asof.events.TxData;
import datomic.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A batch as the journal keeps it, in one of four formats (the row's {@code format}):
 * <ul>
 * <li><b>5</b> (written now): as 4, and an erasure's batch (issue 24) names the attributes of its
 *     record ({@code :erasure/customer}, {@code :erasure/by}, {@code :erasure/reason},
 *     {@code :erasure/t}); rows an erasure rewrote hold placeholders ({@link dev.asof.datomic.PersonalData})
 *     in any format.</li>
 * <li><b>4</b>: the Datomic transaction data asof transacted, exactly
 *     ({@link TxDataCodec}). Replay transacts the same data, with only the instant set: it does not
 *     depend on how today's code turns events into datoms. It may name the attributes of valid
 *     periods, ends and withdrawals ({@code :price/effectiveUntil}, {@code :price/ended},
 *     {@code :price/period}, {@code :price/changedBy}) and retract a version's facts by its entity id (the same on replay,
 *     which keeps every t).</li>
 * <li><b>3</b>: the same, naming the attributes up to {@code :event/unchangedSku} and
 *     {@code :event/unchangedSubject}.</li>
 * <li><b>2</b> (issue 19's first release): the same, naming only the attributes of that release.</li>
 * <li><b>1</b> (older journals): the events as they were committed (id and valid time filled in),
 *     each with its content hash and, for customers, the fields it cleared. Replay rebuilds the
 *     transaction with {@link TxData#buildAsFormat1} (the same datoms and t as the code that built it
 *     then, but for which attribute names the subject of an event that changed nothing), and the
 *     journal's writer rewrites the row in the current format once it has applied it, so each old
 *     row depends on that code once.</li>
 * </ul>
 * The rule for a release that adds an attribute its transaction data may name: raise
 * {@link #FORMAT}. A release that reads only older formats then stops at such a row, naming it (a
 * rollback fails loudly), instead of having Datomic refuse the unknown attribute, which replay
 * would take for a batch rejected as data and pass by — dropping acknowledged events.
 */
public final class JournalCodec {
    /** The format {@link #write} produces. */
    public static final int FORMAT = 5;

    private final ObjectMapper mapper;

    public JournalCodec(ObjectMapper quarkusMapper) {
        // Amounts keep their scale through the journal: 0.1000 is replayed as 0.1000.
        this.mapper = quarkusMapper.copy()
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    /**
     * A batch's transaction data as the journal keeps it (format {@value #FORMAT}).
     *
     * @throws IllegalArgumentException when it holds a value the journal cannot give back exactly
     */
    public String write(List<?> txData) {
        return TxDataCodec.write(txData);
    }

    /** A journaled batch, decoded: what replay transacts for it. */
    public interface Replayable {
        /** The transaction data to apply on {@code db}, stamped {@code instant}. */
        List<Object> txData(Database db, Instant instant);

        /** True for a format-1 row, which its writer rewrites in the current format once applied. */
        boolean outdated();

        /** For an erasure's batch, the erased customer ({@code :erasure/customer}: its id's digest); else null. */
        default String erasure() {
            return null;
        }
    }

    /** Decodes a journaled batch in its format. Called off the replay's transacting thread. */
    public Replayable read(int format, String payload) {
        return switch (format) {
            case 1 -> {
                List<Received> events = readEvents(payload);
                yield new Replayable() {
                    @Override
                    public List<Object> txData(Database db, Instant instant) {
                        // A journal's database has one writer; the replay applies each batch to the database it was cut on.
                        return TxData.buildAsFormat1(db, events, instant);
                    }

                    @Override
                    public boolean outdated() {
                        return true;
                    }
                };
            }
            case 2, 3, 4, FORMAT -> {
                List<Object> txData = TxDataCodec.read(payload);
                String erasure = txData.stream().filter(s -> s instanceof java.util.Map<?, ?>)
                        .map(s -> ((java.util.Map<?, ?>) s).get(dev.asof.datomic.Attr.ERASURE_CUSTOMER))
                        .filter(Objects::nonNull).map(String.class::cast).findFirst().orElse(null);
                yield new Replayable() {
                    @Override
                    public List<Object> txData(Database db, Instant instant) {
                        return TxData.withInstant(txData, instant);
                    }

                    @Override
                    public boolean outdated() {
                        return false;
                    }

                    @Override
                    public String erasure() {
                        return erasure;
                    }
                };
            }
            default -> throw new IllegalStateException("Journal format " + format + " is newer than this asof knows ("
                    + FORMAT + "): run the newer release, or a release that reads it");
        };
    }

    /** Format 1: the events of a batch, as releases before issue 19 wrote them. */
    List<Received> readEvents(String json) {
        try {
            List<Received> events = new ArrayList<>();
            for (JsonNode node : mapper.readTree(json)) {
                ObjectNode fields = ((ObjectNode) node).deepCopy();
                String type = fields.remove("type").asText();
                String hash = fields.remove("hash").asText();
                JsonNode cleared = fields.remove("cleared");
                Event event;
                if ("price".equals(type)) {
                    event = mapper.treeToValue(fields, PriceEvent.class);
                } else {
                    Set<String> names = new LinkedHashSet<>();
                    cleared.forEach(name -> names.add(name.asText()));
                    event = mapper.treeToValue(fields, CustomerEvent.class).withCleared(names);
                }
                events.add(Received.of(event, hash));
            }
            return events;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A journal entry cannot be read", e);
        }
    }
}
