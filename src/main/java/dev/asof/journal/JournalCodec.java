package dev.asof.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asof.ingest.CustomerEvent;
import dev.asof.ingest.Event;
import dev.asof.ingest.EventReader.Received;
import dev.asof.ingest.PriceEvent;
import dev.asof.ingest.TxData;
import datomic.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A batch as the journal keeps it, in one of two formats (the row's {@code format}):
 * <ul>
 * <li><b>2</b> (written since issue 19): the Datomic transaction data asof transacted, exactly
 *     ({@link TxDataCodec}). Replay transacts the same data, with only the instant set: it does not
 *     depend on how today's code turns events into datoms.</li>
 * <li><b>1</b> (older journals): the events as they were committed (id and valid time filled in),
 *     each with its content hash and, for customers, the fields it cleared. Replay rebuilds the
 *     transaction with {@link TxData#build}, the code that built it then, and the journal's writer
 *     rewrites the row as format 2 once it has applied it, so each old row depends on that code once.</li>
 * </ul>
 */
public final class JournalCodec {
    /** The format {@link #write} produces. */
    public static final int FORMAT = 2;

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

        /** True for a format-1 row, which its writer rewrites as format 2 once applied. */
        boolean outdated();
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
                        return TxData.build(db, events, instant, true);
                    }

                    @Override
                    public boolean outdated() {
                        return true;
                    }
                };
            }
            case FORMAT -> {
                List<Object> txData = TxDataCodec.read(payload);
                yield new Replayable() {
                    @Override
                    public List<Object> txData(Database db, Instant instant) {
                        return TxData.withInstant(txData, instant);
                    }

                    @Override
                    public boolean outdated() {
                        return false;
                    }
                };
            }
            default -> throw new IllegalStateException("Journal format " + format + " is newer than this asof knows ("
                    + FORMAT + "): run the newer release, or a release that reads it");
        };
    }

    /** Format 1: the events of a batch, as releases before format 2 wrote them. */
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
