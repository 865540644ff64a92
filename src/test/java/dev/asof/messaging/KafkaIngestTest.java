package dev.asof.messaging;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.ingest.IngestQueue;
import dev.asof.ingest.TransactWorker;
import dev.asof.support.Events;
import dev.asof.support.KafkaBroker;
import dev.asof.support.OwnDatabase;
import dev.asof.support.Worker;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Events from a real Kafka broker: the same validation, queue, worker and guarantees as HTTP's. */
@QuarkusTest
@TestProfile(KafkaIngestTest.OnKafka.class)
class KafkaIngestTest {
    static final String EVENTS = KafkaBroker.topic("events");
    static final String DEAD = KafkaBroker.topic("dead");
    static final String CHANGES = KafkaBroker.topic("changes");
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ERASE_TOKEN = "kafka-erase-token";

    /** A queue of 10 events, so that backpressure shows with a handful of messages. */
    public static class OnKafka extends OwnDatabase {
        public OnKafka() {
            super("asof-kafka", "asof.queue.capacity", "10", "asof.queue.max-batch", "10",
                    "asof.kafka.events-topic", EVENTS, "asof.kafka.dead-letter-topic", DEAD,
                    "asof.kafka.changes-topic", CHANGES, "asof.kafka.enabled", "true",
                    "asof.erase-tokens", "dpo:" + ERASE_TOKEN);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaBroker.class));
        }
    }

    @Inject
    TransactWorker worker;

    @Inject
    IngestQueue queue;

    @Inject
    KafkaClientService kafka;

    @AfterEach
    void resumeWorker() {
        worker.resume();
    }

    @Test
    void anEventFromKafkaIsCommittedAndReads() throws Exception {
        String sku = sku("kafka");
        Map<String, Object> event = price(sku, "12.50", "EUR");
        KafkaBroker.send(EVENTS, sku, JSON.writeValueAsString(event));

        long t = Events.awaitT(UUID.fromString((String) event.get("id")));
        given().when().get("/prices/" + sku).then().statusCode(200)
                .body("amount", equalTo(12.5f)).body("t", equalTo((int) t));
    }

    @Test
    void kafkaAndHttpEventsQueuedTogetherCommitInOneTransaction() throws Exception {
        Worker.hold(worker);
        Map<String, Object> overHttp = price(sku("http"), 1, "EUR");
        Map<String, Object> overKafka = price(sku("kafka"), 2, "EUR");
        given().contentType(ContentType.JSON).header("Prefer", "respond-async").body(overHttp)
                .when().post("/events").then().statusCode(202);
        KafkaBroker.send(EVENTS, "k", JSON.writeValueAsString(overKafka));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> queue.depth() == 2);
        worker.resume();

        assertThat(Events.awaitT(UUID.fromString((String) overKafka.get("id"))))
                .isEqualTo(Events.awaitT(UUID.fromString((String) overHttp.get("id"))));
    }

    @Test
    void anEventWithoutIdIsRecordedUnderAnIdDerivedFromItsTopicIdAndOffset() throws Exception {
        Map<String, Object> event = price(sku("no-id"), 3, "USD");
        event.remove("id");
        RecordMetadata at = KafkaBroker.send(EVENTS, "k", JSON.writeValueAsString(event));
        UUID derived = BrokerIds.kafka(KafkaBroker.topicId(EVENTS), at.partition(), at.offset(), 0);

        long t = Events.awaitT(derived);
        // The same message delivered again is the same event: a duplicate with the original t.
        event.put("id", derived.toString());
        given().contentType(ContentType.JSON).body(event).when().post("/events").then().statusCode(200)
                .body("events[0].status", equalTo("duplicate")).body("t", equalTo((int) t));
    }

    @Test
    void aPoisonMessageIsDeadLetteredWithItsReasonAndTheNextCommits() throws Exception {
        Map<String, Object> bad = price(sku("poison"), -5, "EUR");
        bad.put("colour", "red");
        Map<String, Object> good = price(sku("after-poison"), 5, "EUR");
        try (KafkaProducer<String, byte[]> producer = KafkaBroker.producer()) {
            producer.send(new ProducerRecord<>(EVENTS, "p", "{not json".getBytes()));
            producer.send(new ProducerRecord<>(EVENTS, "p", JSON.writeValueAsBytes(bad)));
            producer.send(new ProducerRecord<>(EVENTS, "p", JSON.writeValueAsBytes(good))).get();
        }

        Events.awaitT(UUID.fromString((String) good.get("id")));
        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            dead.clear();
            dead.addAll(KafkaBroker.readAll(DEAD, Duration.ofSeconds(5)));
            return dead.stream().anyMatch(r -> r.value().contains("colour"));
        });
        ConsumerRecord<String, String> notJson = dead.stream().filter(r -> r.value().equals("{not json")).findFirst()
                .orElseThrow();
        assertThat(KafkaBroker.header(notJson, "dead-letter-reason")).contains("not valid JSON");
        assertThat(KafkaBroker.header(notJson, "dead-letter-topic")).isEqualTo(EVENTS);
        ConsumerRecord<String, String> invalid = dead.stream().filter(r -> r.value().contains("colour")).findFirst()
                .orElseThrow();
        assertThat(KafkaBroker.header(invalid, "dead-letter-reason"))
                .contains("amount must be zero or more").contains("colour unknown field");
        JsonNode problem = JSON.readTree(KafkaBroker.header(invalid, KafkaEvents.PROBLEM_HEADER));
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("errors")).hasSize(2);
        assertThat(invalid.key()).isEqualTo("p");
    }

    @Test
    void metricsCountMessagesByOutcomeAndShowTheConsumersLag() throws Exception {
        Map<String, Object> good = price(sku("metrics"), 7, "EUR");
        KafkaBroker.send(EVENTS, "m", "{not json either");
        KafkaBroker.send(EVENTS, "m", JSON.writeValueAsString(good));
        Events.awaitT(UUID.fromString((String) good.get("id")));

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(counted(metrics, "recorded")).isGreaterThanOrEqualTo(1);
            assertThat(counted(metrics, "dead_lettered")).isGreaterThanOrEqualTo(1);
            // The Kafka client's own metrics, bound by Micrometer: how far the consumer is behind.
            assertThat(metrics).containsPattern("(?m)^kafka_consumer_fetch_manager_records_lag_max\\{[^}]*\\} ");
        });
    }

    private static double counted(String metrics, String outcome) {
        Matcher line = Pattern.compile("(?m)^asof_broker_messages_total\\{[^}]*"
                + "connector=\"kafka\"[^}]*outcome=\"" + outcome + "\"[^}]*\\} (\\S+)").matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }

    @Test
    void anIdRecordedWithOtherContentIsDeadLettered() throws Exception {
        Map<String, Object> first = price(sku("conflict"), 1, "EUR");
        given().contentType(ContentType.JSON).body(first).when().post("/events").then().statusCode(201);
        Map<String, Object> other = new HashMap<>(first);
        other.put("amount", 2);
        KafkaBroker.send(EVENTS, "c", JSON.writeValueAsString(other));

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> KafkaBroker.readAll(DEAD, Duration.ofSeconds(5))
                .stream().anyMatch(r -> r.value().contains((String) first.get("id"))
                        && "422".equals(statusOf(r))));
    }

    /** Issue 21's kinds come over Kafka as over HTTP; a withdrawal of nothing is dead-lettered as its 422. */
    @Test
    void aPeriodAnEndAndAWithdrawalComeOverKafka() throws Exception {
        String sku = sku("kperiod");
        Map<String, Object> regular = Events.with(price(sku, 12, "EUR"), "effectiveAt", "2026-01-01T00:00:00Z");
        Map<String, Object> promotion = Events.with(Events.with(price(sku, "9.99", "EUR"), "effectiveAt",
                "2026-11-27T00:00:00Z"), "effectiveUntil", "2026-12-02T00:00:00Z");
        Map<String, Object> end = Events.with(Events.with(Events.without(Events.without(price(sku, 1, "EUR"), "amount"),
                "currency"), "effectiveAt", "2027-01-01T00:00:00Z"), "ended", true);
        Map<String, Object> nothing = Events.with(Events.with(Events.without(Events.without(price(sku, 1, "EUR"),
                "amount"), "currency"), "effectiveAt", "2030-01-01T00:00:00Z"), "withdrawn", true);
        for (Map<String, Object> event : List.of(regular, promotion, end, nothing)) {
            KafkaBroker.send(EVENTS, sku, JSON.writeValueAsString(event));
        }
        Events.awaitT(UUID.fromString((String) end.get("id")));
        given().get("/prices/{sku}?validAt=2026-11-30T00:00:00Z", sku).then().statusCode(200)
                .body("amount", equalTo(9.99f)).body("effectiveUntil", equalTo("2026-12-02T00:00:00Z"));
        given().get("/prices/{sku}?validAt=2026-12-02T00:00:00Z", sku).then().body("amount", equalTo(12));
        given().get("/prices/{sku}?validAt=2027-06-01T00:00:00Z", sku).then().statusCode(404)
                .body("title", equalTo("Price ended"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> KafkaBroker.readAll(DEAD, Duration.ofSeconds(5))
                .stream().anyMatch(r -> r.value().contains((String) nothing.get("id")) && "422".equals(statusOf(r))));
    }

    @Test
    void whenTheQueueIsFullTheConsumerPausesAndLosesNothing() throws Exception {
        Worker.hold(worker);
        List<UUID> ids = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = KafkaBroker.producer()) {
            for (int i = 0; i < 40; i++) {
                Map<String, Object> event = price(sku("pressure"), i, "EUR");
                ids.add(UUID.fromString((String) event.get("id")));
                producer.send(new ProducerRecord<>(EVENTS, "b", JSON.writeValueAsBytes(event)));
            }
            producer.flush();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> queue.depth() == queue.capacity());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !pausedPartitions().isEmpty());
        assertThat(queue.depth()).isEqualTo(queue.capacity()); // bounded: the rest waits in Kafka, not on the heap

        worker.resume();
        for (UUID id : ids) {
            Events.awaitT(id);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> pausedPartitions().isEmpty());
    }

    @Test
    void everyTransactionIsPublishedToTheChangeTopicInOrder() throws Exception {
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON).body(price(sku("stream"), i, "EUR")).when().post("/events")
                    .then().statusCode(201);
        }
        long basis = given().when().get("/changes?after=0&limit=1000").then().extract().jsonPath().getLong("next");

        List<ConsumerRecord<String, String>> published = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            published.clear();
            published.addAll(KafkaBroker.readAll(CHANGES, Duration.ofSeconds(5)));
            return !published.isEmpty() && Long.parseLong(published.get(published.size() - 1).key()) >= basis;
        });
        List<Long> ts = published.stream().map(r -> Long.parseLong(KafkaBroker.header(r, ChangePublisher.T_HEADER)))
                .toList();
        assertThat(ts).isSorted().doesNotHaveDuplicates();
        List<Long> feed = allChangeTs(basis);
        assertThat(ts).containsAll(feed);
        ConsumerRecord<String, String> last = published.get(published.size() - 1);
        JsonNode fromTopic = JSON.readTree(last.value());
        JsonNode fromFeed = JSON.readTree(given().when().get("/changes?after=" + (fromTopic.get("t").asLong() - 1)
                + "&limit=1").then().extract().asString()).get("items").get(0);
        assertThat(fromTopic).isEqualTo(fromFeed);
        assertThat(last.key()).isEqualTo(fromTopic.get("t").asText());

        // Readiness tells how far the stream is behind; the connectors' checks stand beside it.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.find { it.name == 'change-stream' }.data.lag", equalTo(0))
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - readiness check' }.data.'kafka-events'",
                        equalTo("[OK]")));
    }

    /**
     * Issue 24: asof cannot rewrite what the change topic has published, so an erasure's own message
     * names every transaction whose message held an erased value; a consumer finds its copies by
     * those keys. The notice itself holds nothing of the customer.
     */
    @Test
    void anErasureIsNoticedOnTheChangeTopicByTheTransactionsWhoseMessagesHeldTheCustomer() throws Exception {
        String id = "kafka-erased-" + UUID.randomUUID();
        String name = "Kaja " + UUID.randomUUID();
        long first = given().contentType(ContentType.JSON).body(Events.with(Events.customer(id), "name", name))
                .post("/events").then().statusCode(201).extract().jsonPath().getLong("t");
        long second = given().contentType(ContentType.JSON).body(Events.with(Events.customer(id), "city", "Kalisz"))
                .post("/events").then().statusCode(201).extract().jsonPath().getLong("t");
        long erasure = given().header("Authorization", "Bearer " + ERASE_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("reason", "GDPR article 17")).post("/customers/" + id + "/erasure").then().statusCode(201)
                .extract().jsonPath().getLong("t");

        Map<Long, String> byT = new HashMap<>();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            byT.clear();
            for (ConsumerRecord<String, String> record : KafkaBroker.readAll(CHANGES, Duration.ofSeconds(5))) {
                byT.put(Long.parseLong(record.key()), record.value());
            }
            return byT.containsKey(erasure);
        });
        JsonNode notice = JSON.readTree(byT.get(erasure));
        List<Long> named = new ArrayList<>();
        notice.get("erasure").get("transactions").forEach(t -> named.add(t.asLong()));
        assertThat(named).containsExactly(first, second);
        assertThat(byT.get(erasure)).doesNotContain(name).doesNotContain("Kalisz").doesNotContain(id);
        assertThat(byT.get(first)).as("published before the erasure, and not rewritten").contains(name);
        assertThat(byT.get(second)).contains("Kalisz");
        JsonNode fromFeed = JSON.readTree(given().when().get("/changes?after=" + (erasure - 1) + "&limit=1").then()
                .extract().asString()).get("items").get(0);
        assertThat(notice).as("the topic's notice is the feed's").isEqualTo(fromFeed);
    }

    private Set<TopicPartition> pausedPartitions() {
        return kafka.getConsumer("kafka-events").paused().await().atMost(Duration.ofSeconds(5));
    }

    private static String statusOf(ConsumerRecord<String, String> record) {
        try {
            return JSON.readTree(KafkaBroker.header(record, KafkaEvents.PROBLEM_HEADER)).get("status").asText();
        } catch (Exception e) {
            return null;
        }
    }

    private static List<Long> allChangeTs(long upTo) {
        List<Long> ts = new ArrayList<>();
        long after = 0;
        while (after < upTo) {
            var page = given().when().get("/changes?after=" + after + "&limit=1000").then().extract().jsonPath();
            List<Number> got = page.getList("items.t", Number.class);
            if (got.isEmpty()) {
                break;
            }
            got.forEach(t -> ts.add(t.longValue()));
            after = page.getLong("next");
        }
        return ts;
    }
}
