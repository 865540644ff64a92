package dev.asof.messaging;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.asof.support.Events;
import dev.asof.support.OwnDatabase;
import dev.asof.support.RabbitBroker;
import dev.asof.support.Worker;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import dev.asof.ingest.IngestQueue;
import dev.asof.ingest.TransactWorker;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/** Events from a real RabbitMQ: recorded once, acknowledged after commit, bad ones dead-lettered with the reason. */
@QuarkusTest
@TestProfile(RabbitIngestTest.OnRabbit.class)
@EnabledIf(value = "dev.asof.support.RabbitBroker#reachable",
        disabledReason = "no RabbitMQ on 127.0.0.1:5672 (start one with 'rabbitmq-server -detached')")
class RabbitIngestTest {
    static final String QUEUE = "asof-events-test-" + UUID.randomUUID().toString().substring(0, 8);
    static final String DEAD = QUEUE + "-dlq";
    /** A topic exchange that routes {@code price.#} to the queue, as a publisher's own exchange would. */
    static final String ROUTES = QUEUE + "-routes";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class OnRabbit extends OwnDatabase {
        public OnRabbit() {
            super("asof-rabbit", "asof.queue.capacity", "10", "asof.rabbitmq.prefetch", "20",
                    "asof.rabbitmq.enabled", "true", "rabbitmq-host", "127.0.0.1",
                    "rabbitmq-username", "guest", "rabbitmq-password", "guest",
                    "asof.rabbitmq.events-queue", QUEUE, "asof.rabbitmq.dead-letter-queue", DEAD);
        }
    }

    @Inject
    TransactWorker worker;

    @Inject
    IngestQueue queue;

    @Inject
    MeterRegistry registry;

    @AfterEach
    void resumeWorker() {
        worker.resume();
    }

    @AfterAll
    static void deleteQueues() throws Exception {
        try (Connection connection = RabbitBroker.connect(); Channel channel = connection.createChannel()) {
            channel.queueDelete(QUEUE);
            channel.queueDelete(DEAD);
            channel.exchangeDelete(DEAD);
            channel.exchangeDelete(ROUTES);
        }
    }

    /** Issue 21's kinds come over RabbitMQ as over HTTP: a period, then an end (a redelivery of which is the same event). */
    @Test
    void aPeriodAndAnEndComeOverRabbit() throws Exception {
        String sku = sku("rperiod");
        Map<String, Object> period = Events.with(Events.with(price(sku, "9.99", "EUR"), "effectiveAt",
                "2026-11-27T00:00:00Z"), "effectiveUntil", "2026-12-02T00:00:00Z");
        Map<String, Object> end = Events.with(Events.with(Events.without(Events.without(price(sku, 1, "EUR"), "amount"),
                "currency"), "effectiveAt", "2026-12-02T00:00:00Z"), "ended", true);
        publish(JSON.writeValueAsBytes(period), UUID.randomUUID().toString());
        String endMessage = UUID.randomUUID().toString();
        publish(JSON.writeValueAsBytes(end), endMessage);
        publish(JSON.writeValueAsBytes(end), endMessage);
        Events.awaitT(UUID.fromString((String) end.get("id")));
        given().get("/prices/{sku}?validAt=2026-11-30T00:00:00Z", sku).then().statusCode(200)
                .body("amount", equalTo(9.99f)).body("effectiveUntil", equalTo("2026-12-02T00:00:00Z"));
        given().get("/prices/{sku}?validAt=2026-12-05T00:00:00Z", sku).then().statusCode(404)
                .body("title", equalTo("Price ended"));
        given().get("/prices/{sku}/history", sku).then().body("items.size()", equalTo(2));
    }

    @Test
    void anEventFromRabbitIsRecordedUnderAnIdDerivedFromItsMessageId() throws Exception {
        String sku = sku("rabbit");
        Map<String, Object> event = price(sku, "7.25", "EUR");
        event.remove("id");
        String messageId = UUID.randomUUID().toString();
        publish(JSON.writeValueAsBytes(event), messageId);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().when().get("/prices/" + sku).then().statusCode(200).body("amount", equalTo(7.25f)));
        UUID derived = BrokerIds.rabbitmq(QUEUE, messageId, 0);
        long t = Events.awaitT(derived);
        // Delivered again (a crash before the ack), the same message is the same event.
        publish(JSON.writeValueAsBytes(event), messageId);
        event.put("id", derived.toString());
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().contentType(ContentType.JSON)
                .body(event).when().post("/events").then().statusCode(200).body("t", equalTo((int) t)));
        given().when().get("/prices/" + sku + "/history").then().statusCode(200).body("items.size()", equalTo(1));
    }

    @Test
    void theSameMessageReachingTheQueueByAnotherRouteIsTheSameEvent() throws Exception {
        String sku = sku("route");
        Map<String, Object> event = price(sku, "4.10", "EUR");
        event.remove("id");
        byte[] body = JSON.writeValueAsBytes(event);
        String messageId = UUID.randomUUID().toString();
        try (Connection connection = RabbitBroker.connect(); Channel channel = connection.createChannel()) {
            channel.exchangeDeclare(ROUTES, "topic", true);
            channel.queueBind(QUEUE, ROUTES, "price.#");
        }
        publish(ROUTES, "price.eu", body, messageId);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Events.priceHistory(sku).size() == 1);
        // The id names the queue the message was taken from, not the route it took there.
        assertThat(Events.priceHistory(sku).get(0).get("eventId"))
                .isEqualTo(BrokerIds.rabbitmq(QUEUE, messageId, 0).toString());

        // The same message again by another route: re-driven from the dead letters, or moved by a
        // shovel, through the default exchange; its routing key is now the queue's name.
        double duplicates = duplicates();
        publish("", QUEUE, body, messageId);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> duplicates() > duplicates);
        assertThat(Events.priceHistory(sku)).hasSize(1);
    }

    @Test
    void aPoisonMessageIsDeadLetteredWithItsReasonAndTheNextIsRecorded() throws Exception {
        Map<String, Object> bad = price(sku("poison"), "lots", "EUR");
        Map<String, Object> noId = price(sku("no-id"), 1, "EUR");
        noId.remove("id");
        Map<String, Object> good = price(sku("good"), 2, "EUR");
        publish(JSON.writeValueAsBytes(bad), null);
        publish(JSON.writeValueAsBytes(noId), null);
        publish(JSON.writeValueAsBytes(good), null);

        Events.awaitT(UUID.fromString((String) good.get("id")));
        List<GetResponse> dead = new ArrayList<>();
        try (Connection connection = RabbitBroker.connect(); Channel channel = connection.createChannel()) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                GetResponse next = channel.basicGet(DEAD, true);
                if (next != null) {
                    dead.add(next);
                }
                return dead.size() >= 2;
            });
        }
        assertThat(dead).anySatisfy(m -> {
            assertThat(new String(m.getBody())).contains("lots");
            assertThat(m.getProps().getHeaders().get("dead-letter-reason").toString())
                    .contains("amount must be a number or a decimal string");
            assertThat(JSON.readTree(m.getProps().getHeaders().get(KafkaEvents.PROBLEM_HEADER).toString())
                    .get("status").asInt()).isEqualTo(400);
        });
        assertThat(dead).anySatisfy(m -> assertThat(m.getProps().getHeaders().get("dead-letter-reason").toString())
                .contains("id is required here"));
    }

    @Test
    void whenTheQueueIsFullRabbitHoldsTheRestBackAndNothingIsLost() throws Exception {
        Worker.hold(worker);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Map<String, Object> event = price(sku("pressure"), i, "EUR");
            ids.add(UUID.fromString((String) event.get("id")));
            publish(JSON.writeValueAsBytes(event), null);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> queue.depth() == queue.capacity());
        // Unacknowledged deliveries stop at the prefetch (20): the rest stay in RabbitMQ, not on asof's heap.
        try (Connection connection = RabbitBroker.connect(); Channel channel = connection.createChannel()) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.queueDeclarePassive(QUEUE).getMessageCount() == 20);
        }
        assertThat(queue.depth()).isEqualTo(queue.capacity());

        worker.resume();
        for (UUID id : ids) {
            Events.awaitT(id);
        }
    }

    private static void publish(byte[] body, String messageId) throws Exception {
        publish("", QUEUE, body, messageId);
    }

    private static void publish(String exchange, String routingKey, byte[] body, String messageId) throws Exception {
        try (Connection connection = RabbitBroker.connect(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .deliveryMode(2).messageId(messageId).build();
            channel.basicPublish(exchange, routingKey, props, body);
            channel.waitForConfirmsOrDie(5000);
        }
    }

    private double duplicates() {
        return BrokerOutcomes.count(registry, RabbitEvents.CONNECTOR, "duplicate");
    }
}
