package dev.asof.journal;

import clojure.lang.Keyword;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Datomic transaction data as JSON, losslessly, for the journal's formats 2 and 3: what asof transacted,
 * so that a replay transacts the very same data whatever today's code would build from the events.
 *
 * <p>The shapes: a list is a JSON array; a string is a JSON string, written with every character
 * beyond ASCII escaped ({@code \}{@code uXXXX}), so that any Java string — a lone surrogate
 * included — reads back equal (UTF-8 text could not carry a lone surrogate; PostgreSQL's
 * {@code json} type keeps escapes as written); a boolean is a JSON boolean. Every other value is a
 * JSON object with one member naming its type: {@code {"kw": "price/key"}} (a keyword, without its
 * colon), {@code {"dec": "19.9900"}} (a BigDecimal, its scale kept), {@code {"inst": 1764000000000}}
 * (a {@code java.util.Date}, epoch milliseconds), {@code {"uuid": "…"}}, {@code {"long": "42"}},
 * and {@code {"map": [[key, value], …]}} (a map, its entries in order). Anything else is refused
 * when written: a value the journal cannot give back exactly must never be acknowledged.
 */
final class TxDataCodec {
    private static final JsonFactory JSON = dev.asof.core.JsonBuffers.shared(
            JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build());

    private TxDataCodec() {
    }

    /** @throws IllegalArgumentException for a value outside the shapes above */
    static String write(List<?> txData) {
        StringWriter out = new StringWriter(txData.size() * 96);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            value(json, txData);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** @throws IllegalStateException when the text is not transaction data in these shapes */
    static List<Object> read(String text) {
        try (JsonParser json = JSON.createParser(text)) {
            json.nextToken();
            Object value = read(json);
            if (!(value instanceof List<?> list)) {
                throw new IllegalStateException("Journal transaction data is not a list");
            }
            @SuppressWarnings("unchecked")
            List<Object> txData = (List<Object>) list;
            return txData;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Journal transaction data cannot be read: " + e.getMessage(), e);
        }
    }

    private static void value(JsonGenerator json, Object value) throws IOException {
        if (value instanceof String s) {
            json.writeString(s);
        } else if (value instanceof Boolean b) {
            json.writeBoolean(b);
        } else if (value instanceof List<?> list) {
            json.writeStartArray();
            for (Object item : list) {
                value(json, item);
            }
            json.writeEndArray();
        } else if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            json.writeArrayFieldStart("map");
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                json.writeStartArray();
                value(json, entry.getKey());
                value(json, entry.getValue());
                json.writeEndArray();
            }
            json.writeEndArray();
            json.writeEndObject();
        } else if (value instanceof Keyword keyword) {
            tagged(json, "kw", keyword.sym.toString());
        } else if (value instanceof BigDecimal decimal) {
            tagged(json, "dec", decimal.toString());
        } else if (value instanceof Date date) {
            json.writeStartObject();
            json.writeNumberField("inst", date.getTime());
            json.writeEndObject();
        } else if (value instanceof UUID uuid) {
            tagged(json, "uuid", uuid.toString());
        } else if (value instanceof Long || value instanceof Integer) {
            tagged(json, "long", value.toString());
        } else {
            throw new IllegalArgumentException("The journal cannot keep a " + (value == null ? "null" : value.getClass().getName())
                    + " in transaction data");
        }
    }

    private static void tagged(JsonGenerator json, String type, String text) throws IOException {
        json.writeStartObject();
        json.writeStringField(type, text);
        json.writeEndObject();
    }

    private static Object read(JsonParser json) throws IOException {
        JsonToken token = json.currentToken();
        switch (token) {
            case VALUE_STRING:
                return json.getText();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                while (json.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(json));
                }
                return list;
            }
            case START_OBJECT: {
                String type = json.nextFieldName();
                json.nextToken();
                Object value = switch (type == null ? "" : type) {
                    case "map" -> map(json);
                    case "kw" -> Keyword.intern(json.getText());
                    case "dec" -> new BigDecimal(json.getText());
                    case "inst" -> new Date(json.getLongValue());
                    case "uuid" -> UUID.fromString(json.getText());
                    case "long" -> Long.valueOf(json.getText());
                    default -> throw new IllegalStateException("unknown value type " + type);
                };
                if (json.nextToken() != JsonToken.END_OBJECT) {
                    throw new IllegalStateException("a tagged value holds one member");
                }
                return value;
            }
            default:
                throw new IllegalStateException("unexpected " + token);
        }
    }

    private static Map<Object, Object> map(JsonParser json) throws IOException {
        if (json.currentToken() != JsonToken.START_ARRAY) {
            throw new IllegalStateException("a map is a list of entries");
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        while (json.nextToken() != JsonToken.END_ARRAY) {
            List<?> entry = (List<?>) read(json);
            if (entry.size() != 2) {
                throw new IllegalStateException("a map entry is a key and a value");
            }
            map.put(entry.get(0), entry.get(1));
        }
        return map;
    }
}
