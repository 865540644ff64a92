package dev.asof.ingest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.asof.config.AsofConfig;
import dev.asof.core.Instants;
import dev.asof.core.FieldError;
import dev.asof.core.Refusal;
import dev.asof.core.Text;
import dev.asof.datomic.DatomicStore;
import dev.asof.events.CustomerEvent;
import dev.asof.events.TxData;
import dev.asof.events.validation.AddressableId;
import dev.asof.events.Event;
import dev.asof.events.PriceEvent;
import dev.asof.events.Received;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * Reads a POST /events body (one JSON event, a JSON array, NDJSON or CSV) into validated events.
 * All or nothing: one bad event rejects the whole body, with one error per bad field and the
 * event's index (and, for NDJSON, its line; for CSV, its row).
 */
@ApplicationScoped
public class EventReader {
    /** A price event's valid times, read by the one instant rule. */
    private static final List<String> PRICE_INSTANTS = List.of("effectiveAt", "effectiveUntil");
    /** An amount as a decimal string, as money APIs send it: the same digits (and exponent) a JSON number may have. */
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("-?[0-9]{1,40}(\\.[0-9]{1,24})?([eE][+-]?[0-9]{1,10})?");

    /** The JSON fields of each event type and their Java types; {@code cleared} is asof's own, never sent. */
    private static final Map<Class<? extends Event>, Map<String, Class<?>>> FIELDS = Map.of(
            PriceEvent.class, fieldsOf(PriceEvent.class),
            CustomerEvent.class, fieldsOf(CustomerEvent.class));

    private final ObjectMapper mapper;
    private final Validator validator;
    private final AsofConfig config;
    private final DatomicStore store;

    public EventReader(ObjectMapper quarkusMapper, Validator validator, AsofConfig config, DatomicStore store) {
        this.mapper = strict(quarkusMapper.copy());
        this.validator = validator;
        this.config = config;
        this.store = store;
    }

    /**
     * Whether the database already holds the event's subject (ever, deleted ones included) or the
     * event itself: ids recorded before the id rule (dev.asof.core.Text) — an id in another Unicode
     * form, with white space at an end, with a slash — stay readable, correctable and deletable, and
     * a redelivery of an event recorded then is answered duplicate. The rule binds new ids only.
     */
    private boolean recorded(Event event) {
        if (!store.servesReads()) {
            throw Refusal.unavailable("asof is starting: an id outside the id rule can be checked against what is"
                    + " recorded once it has started", 1);
        }
        return TxData.recorded(store.db(), event);
    }

    private static Map<String, Class<?>> fieldsOf(Class<? extends Record> type) {
        Map<String, Class<?>> fields = new java.util.HashMap<>();
        for (RecordComponent component : type.getRecordComponents()) {
            if (!component.getAccessor().isAnnotationPresent(JsonIgnore.class)) {
                fields.put(component.getName(), component.getType());
            }
        }
        return Map.copyOf(fields);
    }

    /** Events are read exactly as sent: no guessing of types, no unknown fields, no duplicate keys. */
    private static ObjectMapper strict(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS,
                DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        mapper.disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
                DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        // Hostile input stops at the parser: no deep nesting, no thousand-digit numbers, no huge strings.
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(16).maxNumberLength(64).maxStringLength(100_000).build());
        // Amounts are kept exactly, scale included: 0.1000 stays 0.1000.
        mapper.configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        mapper.setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
        mapper.getFactory().disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION.mappedFeature());
        for (LogicalType textual : List.of(LogicalType.Textual, LogicalType.Boolean, LogicalType.Float,
                LogicalType.Integer, LogicalType.DateTime)) {
            mapper.coercionConfigFor(textual)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert)
                .setCoercion(CoercionInputShape.Float, CoercionAction.TryConvert);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.TryConvert);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
        return mapper;
    }

    /** One JSON event or a JSON array of events; an event without an id gets a random one. */
    public List<Received> readJson(byte[] body, Instant receivedAt) {
        return readJson(body, receivedAt, index -> UUID.randomUUID());
    }

    /**
     * One JSON event or a JSON array of events, as a broker message holds them. An event without an
     * id gets {@code missingId} of its index: an id derived from the message's place in the broker,
     * so that a redelivery cannot record it twice. Where {@code missingId} has none (null), the event
     * is invalid; what {@code missingId} throws (it may need the broker) goes to the caller.
     */
    public List<Received> readJson(byte[] body, Instant receivedAt, IntFunction<UUID> missingId) {
        tooLarge(body, config.limits().jsonBytes(), "JSON");
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (IOException e) {
            throw Refusal.invalid("The body is not valid JSON: " + JsonErrors.describe(e), null);
        }
        if (root == null || root.isMissingNode()) {
            throw Refusal.invalid("The body is empty; send one event or an array of events", null);
        }
        List<JsonNode> nodes = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(nodes::add);
            if (nodes.isEmpty()) {
                throw Refusal.invalid("The array holds no events", null);
            }
            if (nodes.size() > config.limits().jsonEvents()) {
                throw tooMany(config.limits().jsonEvents(), "a JSON array");
            }
        } else {
            nodes.add(root);
        }
        return bind(nodes, null, receivedAt, missingId);
    }

    /**
     * NDJSON: one event a line. Blank lines are skipped but counted: the line limit bounds the
     * work and memory a body can cause, whatever its lines hold. Lines are parsed from the bytes
     * as they stand, never copied into one big string.
     */
    public List<Received> readNdjson(byte[] body, Instant receivedAt) {
        tooLarge(body, config.limits().ndjsonBytes(), "NDJSON");
        List<JsonNode> nodes = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        int lineNo = 0;
        int limit = config.limits().ndjsonEvents();
        for (int start = 0; start < body.length; ) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            lineNo++;
            if (lineNo > limit) {
                throw new Refusal(Refusal.Reason.TOO_LARGE, "Too many lines", "At most " + limit + " lines (blank ones"
                        + " included) are accepted in an NDJSON body; split the batch");
            }
            int from = start;
            int to = end;
            start = end + 1;
            while (from < to && isBlank(body[from])) {
                from++;
            }
            while (to > from && isBlank(body[to - 1])) {
                to--;
            }
            if (from == to) {
                continue;
            }
            lines.add(lineNo);
            try {
                nodes.add(mapper.readTree(body, from, to - from));
            } catch (IOException e) {
                nodes.add(null);
                errors.add(new FieldError(nodes.size() - 1, lineNo, null, "not valid JSON: " + JsonErrors.describe(e)));
            }
        }
        if (nodes.isEmpty()) {
            throw Refusal.invalid("The body holds no events", null);
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return bind(nodes, lines, receivedAt, index -> UUID.randomUUID());
    }

    /** CSV as RFC 4180 writes it (Jackson's CSV module): each record as its cells, quoting and CRLF handled there. */
    private static final ObjectReader CSV_ROWS = dev.asof.core.JsonBuffers.shared(new CsvMapper()).enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .readerFor(String[].class).with(CsvSchema.emptySchema());
    /** The columns a CSV header may name: {@code type} and every event field. */
    private static final Set<String> CSV_COLUMNS;
    private static final String CLEAR = CustomerEvent.CLEAR;
    /** Columns whose cells are true or false (a spreadsheet's TRUE and FALSE too). */
    private static final Set<String> CSV_BOOLEANS;

    static {
        Set<String> columns = new java.util.TreeSet<>(List.of("type", CLEAR));
        Set<String> booleans = new java.util.HashSet<>();
        FIELDS.values().forEach(fields -> fields.forEach((name, type) -> {
            columns.add(name);
            if (type == Boolean.class || type == boolean.class) {
                booleans.add(name);
            }
        }));
        CSV_COLUMNS = java.util.Collections.unmodifiableSet(columns);
        CSV_BOOLEANS = Set.copyOf(booleans);
    }

    /**
     * CSV ({@code text/csv}, UTF-8, RFC 4180: quoted cells may hold commas, quotes doubled, line
     * breaks; CRLF or LF; a byte-order mark is passed by): a header row naming event fields, then
     * one event a row, read by the same rules and limits as NDJSON — at most
     * asof.limits.ndjson-events rows (blank ones included) and asof.limits.ndjson-bytes. Without a
     * {@code type} column every row is a price event. An empty cell is an absent field; a
     * {@code clear} column names the customer fields a row clears (JSON's null); amounts are decimal text, kept exactly as
     * written; {@code ended}, {@code withdrawn} and {@code deleted} are true or false. Errors name
     * the row (the header is row 1) and the column; a row with more or fewer cells than the header
     * names is refused, as is a header naming an unknown field or one field twice.
     */
    public List<Received> readCsv(byte[] body, Instant receivedAt) {
        tooLarge(body, config.limits().ndjsonBytes(), "CSV");
        int limit = config.limits().ndjsonEvents();
        List<JsonNode> nodes = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        int row = 1;
        try (MappingIterator<String[]> records = CSV_ROWS.readValues(body)) {
            String[] header = records.hasNextValue() ? records.nextValue() : null;
            if (header == null || blank(header)) {
                throw Refusal.invalid("The body holds no header row: the first row names the event fields,"
                        + " such as sku,amount,currency,effectiveAt", null);
            }
            header[0] = header[0].startsWith("\uFEFF") ? header[0].substring(1) : header[0];
            header(header, errors);
            if (!errors.isEmpty()) {
                throw invalid(errors);
            }
            boolean typed = List.of(header).contains("type");
            while (records.hasNextValue()) {
                String[] cells = records.nextValue();
                row++;
                if (row - 1 > limit) {
                    throw new Refusal(Refusal.Reason.TOO_LARGE, "Too many rows", "At most " + limit + " rows (blank"
                            + " ones included, the header not) are accepted in a CSV body; split the batch");
                }
                if (blank(cells)) {
                    continue;
                }
                rows.add(row);
                if (cells.length != header.length) {
                    nodes.add(null);
                    errors.add(new FieldError(nodes.size() - 1, null, row, null, "has " + cells.length
                            + (cells.length == 1 ? " cell" : " cells") + " where the header names " + header.length
                            + " columns"));
                    continue;
                }
                ObjectNode event = JsonNodeFactory.instance.objectNode();
                if (!typed) {
                    event.put("type", "price");
                }
                for (int i = 0; i < cells.length; i++) {
                    if (cells[i].isEmpty()) {
                        continue;
                    }
                    if (CLEAR.equals(header[i])) {
                        continue; // below, once the row's values are in
                    }
                    boolean bool = CSV_BOOLEANS.contains(header[i]);
                    if (bool && ("true".equalsIgnoreCase(cells[i]) || "false".equalsIgnoreCase(cells[i]))) {
                        event.put(header[i], Boolean.parseBoolean(cells[i].toLowerCase(java.util.Locale.ROOT)));
                    } else {
                        event.put(header[i], cells[i]);
                    }
                }
                int clear = List.of(header).indexOf(CLEAR);
                if (clear >= 0 && !cells[clear].isEmpty()) {
                    for (String field : cells[clear].trim().split(" +")) {
                        if (!CustomerEvent.ATTRIBUTES.contains(field) || event.hasNonNull(field)) {
                            errors.add(new FieldError(nodes.size(), null, row, CLEAR, "names '" + field + "': a clear"
                                    + " cell names, space-separated, customer fields this row does not set, of "
                                    + String.join(", ", new java.util.TreeSet<>(CustomerEvent.ATTRIBUTES))));
                        } else {
                            event.putNull(field);
                        }
                    }
                }
                nodes.add(event);
            }
        } catch (IOException | RuntimeJsonMappingException e) {
            throw invalid(List.of(new FieldError(null, null, row + 1, null, "not valid CSV: " + csvProblem(e))));
        }
        if (nodes.isEmpty()) {
            throw Refusal.invalid("The body holds no events: a header row, then one event a row", null);
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        try {
            return bind(nodes, rows, receivedAt, index -> UUID.randomUUID());
        } catch (Refusal refused) {
            if (refused.errors() == null) {
                throw refused;
            }
            // bind tells where an event stood as its line: in CSV that is its row.
            throw invalid(refused.errors().stream().map(FieldError::asRow).toList());
        }
    }

    /** The columns a CSV body's header may name (an events export writes each of them). */
    public static Set<String> csvColumns() {
        return CSV_COLUMNS;
    }

    /** What the CSV parser found wrong, in its words without the input (a quote never closed, bytes not UTF-8). */
    private static String csvProblem(Exception e) {
        Throwable cause = e instanceof RuntimeJsonMappingException && e.getCause() != null ? e.getCause() : e;
        String message = cause instanceof JsonProcessingException json ? json.getOriginalMessage() : cause.getMessage();
        if (message == null) {
            return cause.getClass().getSimpleName();
        }
        return message.length() > 200 ? message.substring(0, 200) + "…" : message;
    }

    /** Every column a known field, none twice, none unnamed. */
    private static void header(String[] header, List<FieldError> errors) {
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < header.length; i++) {
            String name = header[i];
            if (name.isEmpty()) {
                errors.add(new FieldError(null, null, 1, null, "column " + (i + 1) + " has no name in the header"));
            } else if (!CSV_COLUMNS.contains(name)) {
                String separated = header.length == 1 && name.contains(";")
                        ? "; this header looks separated by semicolons, and CSV here is comma-separated (RFC 4180)"
                        : "";
                errors.add(new FieldError(null, null, 1, name, "is not an event field; a header names some of "
                        + String.join(", ", CSV_COLUMNS) + separated));
            } else if (!seen.add(name)) {
                errors.add(new FieldError(null, null, 1, name, "is named twice in the header"));
            }
        }
    }

    /** A row of nothing but empty cells (a blank line reads as one empty cell). */
    private static boolean blank(String[] cells) {
        for (String cell : cells) {
            if (!cell.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    private List<Received> bind(List<JsonNode> nodes, List<Integer> lines, Instant receivedAt,
            IntFunction<UUID> missingId) {
        List<Received> events = new ArrayList<>(nodes.size());
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Integer line = lines == null ? null : lines.get(i);
            int before = errors.size();
            Event event = bindOne(nodes.get(i), i, line, receivedAt, errors);
            UUID id = event == null || event.id() != null ? null : missingId.apply(i);
            if (event != null && event.id() == null && id == null) {
                errors.add(new FieldError(i, line, "id", "is required here: nothing else identifies this event if"
                        + " the message is delivered again"));
            }
            if (errors.size() == before) {
                events.add(received(event, id, receivedAt));
            }
        }
        repeatedIds(events, lines, errors);
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return events;
    }

    /** The same id twice in one request is a mistake, not an idempotent retry: both places are named. */
    private static void repeatedIds(List<Received> events, List<Integer> lines, List<FieldError> errors) {
        if (!errors.isEmpty()) {
            return; // indexes of events are only known when every event bound
        }
        Map<UUID, Integer> first = new java.util.HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            Integer earlier = first.putIfAbsent(events.get(i).event().id(), i);
            if (earlier != null) {
                errors.add(new FieldError(i, lines == null ? null : lines.get(i), "id",
                        "repeats the id of event " + earlier + (lines == null ? "" : " (line " + lines.get(earlier) + ")")
                                + "; each event needs an id of its own"));
            }
        }
    }

    /**
     * Reads instant field {@code name} by the one rule ({@link Instants}), in place; false (and an
     * error entry) when it breaks it. Not Jackson's reading: it would take "1700000000" as epoch
     * seconds and fold :60 into :59. (Datomic keeps milliseconds: a finer fraction, as
     * Instant.now() or Python's isoformat() send, is cut to the millisecond when received.)
     */
    private static boolean instant(ObjectNode fields, String name, int index, Integer line, List<FieldError> errors) {
        JsonNode value = fields.get(name);
        String why = null;
        if (!value.isTextual()) {
            why = "must be " + Instants.FORM + ", as a string";
        } else {
            try {
                fields.put(name, Instants.parse(value.asText()).toString());
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
            }
        }
        if (why == null) {
            return true;
        }
        errors.add(new FieldError(index, line, name, why));
        fields.remove(name);
        return false;
    }

    private Event bindOne(JsonNode node, int index, Integer line, Instant receivedAt, List<FieldError> errors) {
        if (!(node instanceof ObjectNode object)) {
            errors.add(new FieldError(index, line, null, "an event must be a JSON object"));
            return null;
        }
        JsonNode type = object.get("type");
        Class<? extends Event> kind;
        if (type == null || type.isNull()) {
            errors.add(new FieldError(index, line, "type", "is required: price or customer"));
            return null;
        } else if ("price".equals(type.asText()) && type.isTextual()) {
            kind = PriceEvent.class;
        } else if ("customer".equals(type.asText()) && type.isTextual()) {
            kind = CustomerEvent.class;
        } else {
            errors.add(new FieldError(index, line, "type", "must be price or customer"));
            return null;
        }
        ObjectNode fields = object; // the tree is this request's own
        fields.remove("type");
        boolean badAmount = false;
        if (kind == PriceEvent.class && fields.get("amount") instanceof com.fasterxml.jackson.databind.node.TextNode text) {
            // "19.99": exact, as money APIs send amounts for JavaScript clients; the same rules as a number then apply.
            java.math.BigDecimal amount = null;
            if (DECIMAL.matcher(text.textValue()).matches()) {
                try {
                    amount = new java.math.BigDecimal(text.textValue());
                } catch (NumberFormatException exponentPastAnInt) {
                    amount = java.math.BigDecimal.ONE.scaleByPowerOfTen(1000); // any amount this large is out of range below
                }
            }
            if (amount != null) {
                fields.put("amount", amount);
            } else {
                errors.add(new FieldError(index, line, "amount", "must be a number or a decimal string, such as 19.99 or \"19.99\""));
                fields.remove("amount");
                badAmount = true;
            }
        }
        Set<String> badInstants = new LinkedHashSet<>();
        if (kind == PriceEvent.class) {
            for (String name : PRICE_INSTANTS) {
                if (fields.hasNonNull(name) && !instant(fields, name, index, line, errors)) {
                    badInstants.add(name);
                }
            }
        }
        Set<String> reported = badFields(fields, kind, false, index, line, errors);
        reported.addAll(badInstants);
        if (badAmount) {
            reported.add("amount");
        }
        Event event;
        try {
            event = mapper.treeToValue(fields, kind);
        } catch (JsonProcessingException wrongType) {
            // Rare path: find every field of the wrong type, not only the first Jackson met.
            reported.addAll(badFields(fields, kind, true, index, line, errors));
            try {
                event = mapper.treeToValue(fields, kind);
            } catch (JsonProcessingException e) {
                errors.add(new FieldError(index, line, null, JsonErrors.describe(e)));
                return null;
            }
        }
        if (event instanceof PriceEvent price) {
            if (price.amount() != null && price.amount().precision() - price.amount().scale() > 30) {
                // 9.2E+1010671858 is short to send and has a billion digits: refused for its size, once.
                errors.add(new FieldError(index, line, "amount", "is out of range: at most 30 digits before the decimal point"));
                reported.add("amount");
            }
            // Which of the four kinds it is (a price, a period, an end, a withdrawal): one entry a field.
            // An effectiveAt already reported bad is not stood in for by the time received.
            Instant start = reported.contains("effectiveAt") ? null : receivedAt;
            for (Map.Entry<String, String> problem : price.shapeProblems(start).entrySet()) {
                if (reported.add(problem.getKey())) {
                    errors.add(new FieldError(index, line, problem.getKey(), problem.getValue()));
                }
            }
        }
        if (event instanceof CustomerEvent customer) {
            Set<String> cleared = new LinkedHashSet<>();
            Iterator<Map.Entry<String, JsonNode>> it = fields.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().isNull() && CustomerEvent.ATTRIBUTES.contains(field.getKey())) {
                    cleared.add(field.getKey());
                }
            }
            customer = customer.withCleared(cleared);
            event = customer;
            if (customer.isDeletion() && (!cleared.isEmpty() || customer.name() != null || customer.email() != null
                    || customer.tier() != null || customer.country() != null || customer.city() != null)) {
                errors.add(new FieldError(index, line, "deleted", "a deletion carries no other customer fields"));
            }
        }
        Event bound = event;
        Set<String> named = new java.util.HashSet<>(reported);
        validator.validate(event).stream()
                .filter(v -> !(v.getConstraintDescriptor().getAnnotation() instanceof AddressableId) || !recorded(bound))
                .sorted(Comparator.comparing((ConstraintViolation<Event> v) -> v.getPropertyPath().toString())
                        .thenComparing(v -> v.getMessage()))
                .filter(v -> named.add(v.getPropertyPath().toString())) // one entry a field
                .forEach(v -> errors.add(new FieldError(index, line, v.getPropertyPath().toString(), message(v))));
        return event;
    }

    /**
     * Reports every unknown field and, when {@code checkTypes}, every field whose value does not
     * bind to its type (each bound on its own). Removes the fields it reports, so that the rest can
     * be bound and validated, and returns their names.
     */
    private Set<String> badFields(ObjectNode fields, Class<? extends Event> kind, boolean checkTypes, int index,
            Integer line, List<FieldError> errors) {
        Map<String, Class<?>> known = FIELDS.get(kind);
        Set<String> reported = new LinkedHashSet<>();
        Iterator<Map.Entry<String, JsonNode>> it = fields.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> field = it.next();
            Class<?> type = known.get(field.getKey());
            String textProblem;
            if (type == null) {
                errors.add(new FieldError(index, line, Text.shown(field.getKey()), "unknown field"));
                reported.add(field.getKey());
            } else if ((textProblem = field.getValue().isTextual() ? Text.problem(field.getValue().asText()) : null) != null) {
                // Text has one rule (dev.asof.core.Text), whatever the field and however the event came.
                errors.add(new FieldError(index, line, field.getKey(), textProblem));
                reported.add(field.getKey());
            } else if (checkTypes && !field.getValue().isNull()) {
                try {
                    mapper.treeToValue(field.getValue(), type);
                } catch (JsonProcessingException e) {
                    errors.add(new FieldError(index, line, field.getKey(), wrongType(type)));
                    reported.add(field.getKey());
                }
            }
        }
        reported.forEach(fields::remove);
        return reported;
    }


    private static Received received(Event event, UUID missingId, Instant receivedAt) {
        String hash = ContentHash.of(event);
        if (event.id() == null) {
            event = event.withId(missingId);
        }
        if (event instanceof PriceEvent price) {
            event = price.recordedAt(receivedAt);
        }
        return Received.of(event, hash);
    }

    private static String message(ConstraintViolation<?> violation) {
        return violation.getMessage();
    }

    private static String wrongType(Class<?> target) {
        return switch (target.getSimpleName()) {
            case "UUID" -> "must be a UUID string";
            case "BigDecimal" -> "must be a number or a decimal string, such as 19.99 or \"19.99\"";
            case "Instant" -> "must be " + Instants.FORM;
            case "Boolean", "boolean" -> "must be true or false";
            case "String" -> "must be a string";
            default -> "has the wrong type or format";
        };
    }

    private static Refusal invalid(List<FieldError> errors) {
        return Refusal.invalid(
                errors.size() == 1 ? "1 invalid field; nothing was accepted"
                        : errors.size() + " invalid fields; nothing was accepted",
                errors);
    }

    private static void tooLarge(byte[] body, int limit, String kind) {
        if (body.length > limit) {
            throw new Refusal(Refusal.Reason.TOO_LARGE, "Request too large", "A " + kind + " body may hold at most "
                    + limit + " bytes; split it");
        }
    }

    private static Refusal tooMany(int limit, String what) {
        return new Refusal(Refusal.Reason.TOO_LARGE, "Too many events",
                "At most " + limit + " events are accepted in " + what + "; split the batch");
    }
}
