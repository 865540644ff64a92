package dev.asof.messaging;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.support.Events;
import dev.asof.support.JournalDatabase;
import dev.asof.support.KafkaBroker;
import dev.asof.support.OwnDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Kafka's events while the journal's PostgreSQL is away: not recorded for now, so they wait and
 * are queued again, never dead-lettered; once it is back, each is recorded once, in order.
 */
@QuarkusTest
@TestProfile(BrokerFaultsTest.KafkaAndJournal.class)
class BrokerFaultsTest {
    static final String EVENTS = KafkaBroker.topic("fault-events");
    static final String DEAD = KafkaBroker.topic("fault-dead");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class KafkaAndJournal extends OwnDatabase {
        public KafkaAndJournal() {
            super("asof-broker-faults", "asof.journal.timeout", "1s", "asof.journal.answer-within", "4s",
                    "asof.kafka.events-topic", EVENTS, "asof.kafka.dead-letter-topic", DEAD,
                    "asof.kafka.changes-topic", KafkaBroker.topic("fault-changes"), "asof.kafka.enabled", "true");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(JournalDatabase.class), new TestResourceEntry(KafkaBroker.class));
        }
    }

    @Inject
    MeterRegistry registry;

    @Test
    void messagesWaitOutAJournalOutageAndAreRecordedOnceInOrderAfterIt() throws Exception {
        String sku = sku("outage");
        List<UUID> ids = new ArrayList<>();
        JournalDatabase.proxy().down();
        try {
            for (int i = 0; i < 3; i++) {
                Map<String, Object> event = price(sku, i + 1, "EUR");
                event.put("effectiveAt", "2026-0" + (i + 1) + "-01T00:00:00Z");
                ids.add(UUID.fromString((String) event.get("id")));
                KafkaBroker.send(EVENTS, sku, JSON.writeValueAsString(event));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> retried() > 0);
            given().when().get("/prices/" + sku).then().statusCode(404);
        } finally {
            JournalDatabase.proxy().up();
        }

        List<Long> ts = new ArrayList<>();
        for (UUID id : ids) {
            ts.add(Events.awaitT(id));
        }
        assertThat(ts).as("versions of one SKU, committed in the order they were sent").isSorted();
        assertThat(given().when().get("/prices/" + sku + "/history").then().statusCode(200).extract().jsonPath()
                .getList("items")).hasSize(3);
        assertThat(KafkaBroker.readAll(DEAD, Duration.ofSeconds(5))).as("nothing dead-lettered for an outage")
                .noneMatch(r -> ids.stream().anyMatch(id -> r.value().contains(id.toString())));
    }

    private double retried() {
        return BrokerOutcomes.count(registry, KafkaEvents.CONNECTOR, "retried");
    }
}
