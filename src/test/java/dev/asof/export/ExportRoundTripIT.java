package dev.asof.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asof.support.PackagedService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Export → import → compare, against fresh services: a generated history (prices, corrections,
 * periods, ends, withdrawals, events that change nothing; customers set, cleared, deleted) is
 * exported from one service as NDJSON and as CSV, each loaded into an empty service by POST /events,
 * and the copies answer as the original does — the price list now at several valid times, every
 * SKU's history (op by op, with its event ids), every customer and its history — and export the same events again,
 * line for line, each SKU's and customer's in the same order.
 */
class ExportRoundTripIT {
    private static final Duration READY = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SKUS = 12;
    private static final int CUSTOMERS = 5;
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void anExportLoadedIntoAnEmptyServiceAnswersAsTheOriginal() throws Exception {
        try (PackagedService original = start("export-original")) {
            load(original.base(), new Random(23));
            String ndjson = get(original.base(), "/events", "application/x-ndjson");
            String csv = get(original.base(), "/events", "text/csv");
            assertThat(ndjson.split("\n").length).isGreaterThan(150);
            Map<String, Object> answers = answers(original.base());
            try (PackagedService fromNdjson = start("export-copy-ndjson")) {
                post(fromNdjson.base(), "application/x-ndjson", chunks(ndjson, false));
                same(answers(fromNdjson.base()), answers);
                assertThat(bySubject(get(fromNdjson.base(), "/events", "application/x-ndjson"))).isEqualTo(bySubject(ndjson));
            }
            try (PackagedService fromCsv = start("export-copy-csv")) {
                post(fromCsv.base(), "text/csv", chunks(csv, true));
                same(answers(fromCsv.base()), answers);
                assertThat(bySubject(get(fromCsv.base(), "/events", "application/x-ndjson"))).isEqualTo(bySubject(ndjson));
            }
        }
    }

    /**
     * An events export as each SKU's and customer's events, in order: the copy batches its own
     * transactions, so events of different subjects may interleave otherwise, but never a subject's.
     */
    private static Map<String, List<String>> bySubject(String ndjson) throws Exception {
        Map<String, List<String>> events = new java.util.TreeMap<>();
        for (String line : ndjson.split("\n")) {
            JsonNode event = JSON.readTree(line);
            String subject = event.has("sku") ? "sku " + event.get("sku").asText() : "customer " + event.get("customerId").asText();
            events.computeIfAbsent(subject, s -> new ArrayList<>()).add(line);
        }
        return events;
    }

    /** Answer by answer, so that a difference names its question. */
    private static void same(Map<String, Object> copy, Map<String, Object> original) {
        assertThat(copy.keySet()).isEqualTo(original.keySet());
        original.forEach((question, answer) -> assertThat(copy.get(question)).as(question).isEqualTo(answer));
    }

    private static PackagedService start(String log) throws Exception {
        return PackagedService.start(PackagedService.freePort(), log, Map.of(), List.of("-Xmx512m")).awaitReady(READY);
    }

    /**
     * A generated history, most of it in NDJSON requests of one to six events (so transactions hold
     * several); withdrawals alone (one of nothing is refused, and passed by).
     */
    private void load(String base, Random random) throws Exception {
        String[] starts = {"2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-06-01T00:00:00Z",
                "2026-09-01T00:00:00Z", "2027-01-01T00:00:00Z"};
        List<ObjectNode> sent = new ArrayList<>();
        List<ObjectNode> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ObjectNode event = JSON.createObjectNode();
            int kind = random.nextInt(20);
            if (kind == 0 && !sent.isEmpty()) {
                // The same content again under a new id: changes nothing, and is still an event.
                event = sent.get(random.nextInt(sent.size())).deepCopy();
            } else if (kind < 6) {
                event.put("type", "customer").put("customerId", "c-" + random.nextInt(CUSTOMERS));
                switch (random.nextInt(4)) {
                    case 0 -> event.put("deleted", true);
                    case 1 -> event.putNull(random.nextBoolean() ? "city" : "email");
                    default -> event.put("name", "Name, \"" + random.nextInt(5) + "\"")
                            .put("city", random.nextBoolean() ? "Paris" : "Zürich")
                            .put("email", "n" + random.nextInt(3) + "@example.com");
                }
            } else {
                String start = starts[random.nextInt(starts.length)];
                event.put("type", "price").put("sku", "S-" + random.nextInt(SKUS)).put("effectiveAt", start);
                switch (random.nextInt(8)) {
                    case 0 -> event.put("ended", true);
                    case 1 -> event.put("withdrawn", true);
                    case 2 -> event.put("amount", random.nextInt(50) + "." + random.nextInt(10) + "0").put("currency", "EUR")
                            .put("effectiveUntil", java.time.Instant.parse(start).plus(Duration.ofDays(20)).toString());
                    default -> event.put("amount", new java.math.BigDecimal(random.nextInt(500)).movePointLeft(2))
                            .put("currency", random.nextInt(6) == 0 ? "USD" : "EUR");
                }
                if (random.nextInt(4) == 0) {
                    event.put("source", "pricing");
                }
            }
            event.put("id", UUID.randomUUID().toString());
            if (event.has("withdrawn")) {
                // Alone: a withdrawal of nothing is refused (422), and would take a batch with it.
                HttpResponse<String> answer = send(base, "application/json", event.toString());
                assertThat(answer.statusCode()).as(answer.body()).isIn(200, 201, 422);
                if (answer.statusCode() != 422) {
                    sent.add(event);
                }
                continue;
            }
            batch.add(event);
            // Most go in requests of several events, so that the original's transactions hold several.
            if (batch.size() >= 1 + random.nextInt(6)) {
                flush(base, batch, sent);
            }
        }
        flush(base, batch, sent);
    }

    private void flush(String base, List<ObjectNode> batch, List<ObjectNode> sent) throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        StringBuilder ndjson = new StringBuilder();
        batch.forEach(event -> ndjson.append(event).append('\n'));
        HttpResponse<String> answer = send(base, "application/x-ndjson", ndjson.toString());
        assertThat(answer.statusCode()).as(answer.body()).isIn(200, 201);
        sent.addAll(batch);
        batch.clear();
    }

    private HttpResponse<String> send(String base, String type, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/events")).header("Content-Type", type)
                .header("Authorization", PackagedService.AUTHORIZATION).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What a client can ask of the service, without its t's and instants (a copy records its own). */
    private Map<String, Object> answers(String base) throws Exception {
        Map<String, Object> answers = new LinkedHashMap<>();
        for (String valid : List.of("2026-02-01T00:00:00Z", "2026-06-15T00:00:00Z", "2027-06-01T00:00:00Z")) {
            JsonNode page = JSON.readTree(get(base, "/prices?limit=1000&validAt=" + valid, "application/json"));
            answers.put("prices@" + valid, without(page.get("items"), "t", "txInstant", "basisT", "asOf"));
        }
        for (int s = 0; s < SKUS; s++) {
            JsonNode history = JSON.readTree(get(base, "/prices/S-" + s + "/history?limit=1000", "application/json"));
            answers.put("history S-" + s, without(history.get("items"), "t", "txInstant"));
        }
        for (int c = 0; c < CUSTOMERS; c++) {
            HttpResponse<String> customer = client.send(HttpRequest.newBuilder(URI.create(base + "/customers/c-" + c)).build(),
                    HttpResponse.BodyHandlers.ofString());
            answers.put("customer c-" + c, customer.statusCode() + " "
                    + (customer.statusCode() == 200 ? without(JSON.readTree(customer.body()), "t", "txInstant", "basisT", "asOf") : ""));
            HttpResponse<String> history = client.send(HttpRequest.newBuilder(URI.create(base + "/customers/c-" + c
                    + "/history?limit=1000")).build(), HttpResponse.BodyHandlers.ofString());
            answers.put("customer history c-" + c, history.statusCode() + " "
                    + (history.statusCode() == 200 ? without(JSON.readTree(history.body()).get("items"), "t", "txInstant") : ""));
        }
        return answers;
    }

    private static String without(JsonNode node, String... fields) {
        JsonNode copy = node.deepCopy();
        List<JsonNode> objects = new ArrayList<>();
        if (copy.isArray()) {
            copy.forEach(objects::add);
        } else {
            objects.add(copy);
        }
        for (JsonNode object : objects) {
            ((ObjectNode) object).remove(Arrays.asList(fields));
        }
        return copy.toString();
    }

    private String get(String base, String path, String accept) throws Exception {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", accept)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(200);
        return answer.body();
    }

    /** The export cut into bodies of at most 1,000 events (each CSV chunk with the header row). */
    private static List<String> chunks(String export, boolean csv) {
        String separator = csv ? "\r\n" : "\n";
        List<String> lines = new ArrayList<>(Arrays.asList(export.split(separator)));
        String header = csv ? lines.remove(0) + separator : "";
        List<String> chunks = new ArrayList<>();
        for (int from = 0; from < lines.size(); from += 1000) {
            chunks.add(header + String.join(separator, lines.subList(from, Math.min(lines.size(), from + 1000))) + separator);
        }
        return chunks;
    }

    private void post(String base, String type, List<String> bodies) throws Exception {
        for (String body : bodies) {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                    .header("Content-Type", type).header("Authorization", PackagedService.AUTHORIZATION)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        }
    }
}
