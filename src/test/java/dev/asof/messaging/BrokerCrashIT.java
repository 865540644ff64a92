package dev.asof.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.support.KafkaBroker;
import dev.asof.support.PackagedService;
import dev.asof.support.Postgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The packaged service consuming a Kafka topic is killed -9 mid-stream: between commits and the
 * offsets that acknowledge them, and between commits and their publication on the change topic.
 * Started again, every event is recorded exactly once, those recorded before the kill keep their t
 * (the redelivered ones answer duplicate), versions of a SKU are committed in offset order, and
 * the change topic holds every transaction once, in t order, as /changes tells it.
 */
class BrokerCrashIT {
    private static final int EVENTS = 10_000;
    private static final int SKUS = 400;
    private static final Duration READY = Duration.ofSeconds(90);
    private static final Pattern CREATED = Pattern.compile("asof_events_total\\{outcome=\"created\"[^}]*} ([0-9.E]+)");
    private static final Pattern DUPLICATES = Pattern.compile(
            "asof_broker_messages_total\\{connector=\"kafka\",outcome=\"duplicate\"[^}]*} ([0-9.E]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void killedMidStreamEveryEventIsRecordedOnceWithItsTAndTheChangeStreamIsWhole() throws Exception {
        String events = KafkaBroker.topic("crash-events");
        String changes = KafkaBroker.topic("crash-changes");
        Map<String, String> env = Map.of("DATABASE_URL", Postgres.server().url(Postgres.freshDatabase()),
                "KAFKA_BOOTSTRAP_SERVERS", KafkaBroker.servers(),
                "ASOF_KAFKA_EVENTS_TOPIC", events, "ASOF_KAFKA_CHANGES_TOPIC", changes,
                "ASOF_KAFKA_DEAD_LETTER_TOPIC", events + "-dlq", "ASOF_KAFKA_GROUP_ID", "crash-" + UUID.randomUUID());
        List<UUID> ids = prefill(events);
        int port = PackagedService.freePort();

        Map<UUID, Long> beforeKill;
        PackagedService first = PackagedService.start(port, "broker-crash-first", env, List.of("-Xmx1g"));
        try {
            first.awaitReady(READY);
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(() -> metric(first.base(), CREATED) >= EVENTS / 5);
            beforeKill = recorded(first.base());
        } finally {
            first.kill(); // SIGKILL, mid-stream
        }
        assertThat(beforeKill.size()).as("recorded before the kill").isBetween(EVENTS / 5, EVENTS - 1);

        try (PackagedService second = PackagedService.start(port, "broker-crash-second", env, List.of("-Xmx1g"))) {
            second.awaitReady(READY);
            Map<UUID, Long> after = new HashMap<>();
            Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                after.clear();
                after.putAll(recorded(second.base()));
                return after.size() >= EVENTS;
            });
            assertThat(after.keySet()).as("each event once, under its own or its derived id").hasSize(EVENTS)
                    .containsExactlyInAnyOrderElementsOf(ids);
            beforeKill.forEach((id, t) -> assertThat(after.get(id)).as("t of " + id).isEqualTo(t));
            assertThat(metric(second.base(), DUPLICATES)).as("messages delivered again after the kill").isPositive();
            for (int sku = 0; sku < SKUS; sku++) {
                List<Long> versions = new ArrayList<>();
                for (int i = sku; i < EVENTS; i += SKUS) {
                    versions.add(after.get(ids.get(i)));
                }
                assertThat(versions).as("versions of sku " + sku + " in offset order").isSorted();
            }

            List<JsonNode> feed = feed(second.base());
            long last = feed.get(feed.size() - 1).get("t").asLong();
            List<ConsumerRecord<String, String>> published = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                published.clear();
                published.addAll(KafkaBroker.readAll(changes, Duration.ofSeconds(20)));
                return !published.isEmpty() && Long.parseLong(published.get(published.size() - 1).key()) >= last;
            });
            assertThat(published.stream().map(r -> Long.parseLong(KafkaBroker.header(r, ChangePublisher.T_HEADER))).toList())
                    .as("published t, once each, in order").isEqualTo(feed.stream().map(tx -> tx.get("t").asLong()).toList());
            for (int i = 0; i < feed.size(); i++) {
                assertThat(JSON.readTree(published.get(i).value())).isEqualTo(feed.get(i));
            }
        }
    }

    /** Events on one partition: SKU i % SKUS, each version later than the one before; every tenth without an id. */
    private static List<UUID> prefill(String topic) throws Exception {
        List<UUID> ids = new ArrayList<>(EVENTS);
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>(EVENTS);
        try (KafkaProducer<String, byte[]> producer = KafkaBroker.producer()) {
            for (int i = 0; i < EVENTS; i++) {
                String sku = "crash-" + (i % SKUS);
                Map<String, Object> event = new LinkedHashMap<>();
                UUID id = i % 10 == 0 ? null : UUID.randomUUID();
                if (id != null) {
                    event.put("id", id.toString());
                }
                event.put("type", "price");
                event.put("sku", sku);
                event.put("amount", i);
                event.put("currency", "EUR");
                event.put("effectiveAt", start.plusSeconds(i).toString());
                ids.add(id);
                sent.add(producer.send(new ProducerRecord<>(topic, 0, sku, JSON.writeValueAsBytes(event))));
            }
            producer.flush();
        }
        Uuid topicId = KafkaBroker.topicId(topic);
        for (int i = 0; i < EVENTS; i++) {
            if (ids.get(i) == null) {
                RecordMetadata at = sent.get(i).get();
                ids.set(i, BrokerIds.kafka(topicId, at.partition(), at.offset(), 0));
            }
        }
        return ids;
    }

    /** Every recorded event's id and t, from /changes. */
    private Map<UUID, Long> recorded(String base) throws Exception {
        Map<UUID, Long> ts = new HashMap<>();
        for (JsonNode tx : feed(base)) {
            for (JsonNode event : tx.get("events")) {
                assertThat(ts.put(UUID.fromString(event.get("id").asText()), tx.get("t").asLong())).isNull();
            }
        }
        return ts;
    }

    /** Every transaction of /changes, in order. */
    private List<JsonNode> feed(String base) throws Exception {
        List<JsonNode> items = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = JSON.readTree(get(base + "/changes?limit=1000&after=" + after));
            if (page.get("items").isEmpty()) {
                return items;
            }
            page.get("items").forEach(items::add);
            after = page.get("next").asLong();
        }
    }

    private double metric(String base, Pattern pattern) throws Exception {
        Matcher matcher = pattern.matcher(get(base + "/q/metrics"));
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    private String get(String url) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }
}
