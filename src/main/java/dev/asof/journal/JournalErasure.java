package dev.asof.journal;

import clojure.lang.Keyword;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asof.datomic.Attr;
import dev.asof.datomic.CustomerErasure;
import dev.asof.datomic.PersonalData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A journal row with one customer's personal values replaced by the placeholders the erasure gives
 * them ({@link CustomerErasure}), statement by statement, so that its replay transacts what the
 * erased database holds: the same statements, entities and t. Only statements about the customer
 * change — its upserts ({@code :customer/id}), retractions through its lookup ref or entity ids, and
 * its events' subject and hash — so another customer with the same name keeps it.
 */
final class JournalErasure {
    private static final ObjectMapper JSON = dev.asof.core.JsonBuffers.shared(new ObjectMapper());

    private JournalErasure() {
    }

    /** The text to look for in a row's JSON, as each format writes the id: rows that lack it are not read. */
    static List<String> needles(String customerId) {
        String escaped = TxDataCodec.write(List.of(customerId));
        String plain;
        try {
            plain = JSON.writeValueAsString(customerId);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return List.of(escaped.substring(2, escaped.length() - 2), plain.substring(1, plain.length() - 1));
    }

    /** The row rewritten, or null when it holds nothing of the customer. */
    static String rewrite(int format, String payload, CustomerErasure plan) {
        if (format == 1) {
            return rewriteEvents(payload, plan);
        }
        List<Object> txData = TxDataCodec.read(payload);
        List<Object> rewritten = rewrite(txData, plan);
        return rewritten.equals(txData) ? null : TxDataCodec.write(rewritten);
    }

    /** Transaction data with the customer's personal values replaced (a new list; the given one is kept). */
    static List<Object> rewrite(List<Object> txData, CustomerErasure plan) {
        String subject = "customer:" + plan.customerId();
        Set<Object> events = new HashSet<>(plan.events());
        for (Object statement : txData) {
            if (statement instanceof List<?> list && list.size() == 4 && Attr.DB_ADD.equals(list.get(0))
                    && isSubject(list.get(2)) && subject.equals(list.get(3))) {
                events.add(list.get(1));
            } else if (statement instanceof Map<?, ?> map
                    && (subject.equals(map.get(Attr.EVENT_SUBJECT)) || subject.equals(map.get(Attr.EVENT_UNCHANGED_SUBJECT)))) {
                events.add(map.get(Attr.DB_ID));
            }
        }
        List<Object> out = new ArrayList<>(txData.size());
        for (Object statement : txData) {
            if (statement instanceof Map<?, ?> map) {
                boolean customer = plan.customerId().equals(map.get(Attr.CUSTOMER_ID)) || plan.customers().contains(map.get(Attr.DB_ID));
                boolean event = events.contains(map.get(Attr.DB_ID));
                Map<Object, Object> copy = new LinkedHashMap<>();
                map.forEach((attr, value) -> copy.put(attr, erased(customer, event, attr, value, plan)));
                out.add(copy);
            } else if (statement instanceof List<?> list && list.size() == 4
                    && (Attr.DB_ADD.equals(list.get(0)) || Attr.DB_RETRACT.equals(list.get(0)))) {
                Object e = list.get(1);
                boolean customer = isLookup(e, plan) || plan.customers().contains(e);
                boolean event = events.contains(e);
                out.add(List.of(list.get(0), customer ? entity(e, plan) : e, list.get(2),
                        erased(customer, event, list.get(2), list.get(3), plan)));
            } else if (statement instanceof List<?> list && list.size() == 2 && Attr.DB_RETRACT_ENTITY.equals(list.get(0))) {
                out.add(List.of(list.get(0), entity(list.get(1), plan)));
            } else {
                out.add(statement);
            }
        }
        return out;
    }

    private static boolean isSubject(Object attr) {
        return Attr.EVENT_SUBJECT.equals(attr) || Attr.EVENT_UNCHANGED_SUBJECT.equals(attr);
    }

    private static boolean isLookup(Object e, CustomerErasure plan) {
        return e instanceof List<?> ref && ref.size() == 2 && Attr.CUSTOMER_ID.equals(ref.get(0))
                && plan.customerId().equals(ref.get(1));
    }

    /** The customer's lookup ref by its erased id; anything else as it is. */
    private static Object entity(Object e, CustomerErasure plan) {
        return isLookup(e, plan) ? List.of(Attr.CUSTOMER_ID, PersonalData.erasedId(plan.customerId())) : e;
    }

    private static Object erased(boolean customer, boolean event, Object attr, Object value, CustomerErasure plan) {
        if (attr instanceof Keyword keyword && (customer && PersonalData.CUSTOMER.contains(keyword)
                || event && PersonalData.EVENT.contains(keyword))) {
            return plan.placeholder(keyword, value);
        }
        return value;
    }

    /** A format-1 row (events as sent): the customer's events with its id, personal fields and hash replaced. */
    private static String rewriteEvents(String payload, CustomerErasure plan) {
        try {
            ArrayNode events = (ArrayNode) JSON.readTree(payload);
            boolean changed = false;
            for (JsonNode node : events) {
                ObjectNode event = (ObjectNode) node;
                if (!"customer".equals(event.path("type").asText()) || !plan.customerId().equals(event.path("customerId").asText())) {
                    continue;
                }
                changed = true;
                event.put("customerId", PersonalData.erasedId(plan.customerId()));
                event.put("hash", PersonalData.ERASED_HASH);
                for (Map.Entry<String, Keyword> field : Map.of("name", Attr.CUSTOMER_NAME, "email", Attr.CUSTOMER_EMAIL,
                        "city", Attr.CUSTOMER_CITY).entrySet()) {
                    JsonNode value = event.get(field.getKey());
                    if (value != null && value.isTextual()) {
                        event.put(field.getKey(), plan.placeholder(field.getValue(), value.asText()));
                    }
                }
            }
            return changed ? JSON.writeValueAsString(events) : null;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A journal row cannot be read", e);
        }
    }
}
