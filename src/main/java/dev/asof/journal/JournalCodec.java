package dev.asof.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asof.ingest.CustomerEvent;
import dev.asof.ingest.Event;
import dev.asof.ingest.EventReader.Received;
import dev.asof.ingest.PriceEvent;
import dev.asof.ingest.TxData;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A batch as the journal keeps it: the events exactly as they were committed (id and valid time
 * filled in), each with its content hash and, for customers, the fields it cleared.
 */
public final class JournalCodec {
    private final ObjectMapper mapper;

    public JournalCodec(ObjectMapper quarkusMapper) {
        // Amounts keep their scale through the journal: 0.1000 is replayed as 0.1000.
        this.mapper = quarkusMapper.copy()
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    public String write(List<Received> batch) {
        ArrayNode events = mapper.createArrayNode();
        for (Received received : batch) {
            ObjectNode node = mapper.valueToTree(received.event());
            node.put("type", received.event() instanceof PriceEvent ? "price" : "customer");
            node.put("hash", received.hash());
            if (received.event() instanceof CustomerEvent customer) {
                node.putPOJO("cleared", customer.cleared());
            }
            events.add(node);
        }
        return events.toString();
    }

    public List<Received> read(String json) {
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
