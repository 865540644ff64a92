package dev.asof.messaging;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.support.Events;
import dev.asof.support.KafkaBroker;
import dev.asof.support.OwnDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Events without an id from a Kafka topic that is deleted and created again under the same name:
 * its offsets start at 0 again, so the place of a record (topic, partition, offset) names two
 * different records over time. The ids asof derives must keep them apart, and still give a record
 * read again the id it had the first time.
 */
@QuarkusTest
@TestProfile(KafkaTopicRecreatedTest.OnKafka.class)
class KafkaTopicRecreatedTest {
    static final String EVENTS = KafkaBroker.topic("recreated-events");
    static final String DEAD = KafkaBroker.topic("recreated-dead");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class OnKafka extends OwnDatabase {
        public OnKafka() {
            super("asof-kafka-recreated", "asof.kafka.events-topic", EVENTS, "asof.kafka.dead-letter-topic", DEAD,
                    "asof.kafka.changes-topic", KafkaBroker.topic("recreated-changes"), "asof.kafka.enabled", "true");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaBroker.class));
        }
    }

    @Inject
    KafkaClientService kafka;

    @Inject
    MeterRegistry registry;

    @Test
    void anEventWithoutIdAtAnOffsetTheOldTopicUsedIsRecordedAsANewEvent() throws Exception {
        String skuBefore = sku("before");
        RecordMetadata first = KafkaBroker.send(EVENTS, "k", withoutId(price(skuBefore, 1, "EUR")));
        UUID firstId = recordedEventId(skuBefore);
        Uuid oldTopic = KafkaBroker.topicId(EVENTS);
        assertThat(firstId).isEqualTo(BrokerIds.kafka(oldTopic, first.partition(), first.offset(), 0));

        KafkaBroker.recreate(EVENTS);
        String skuAfter = sku("after");
        RecordMetadata second = KafkaBroker.send(EVENTS, "k", withoutId(price(skuAfter, 2, "EUR")));
        assertThat(second.partition()).isEqualTo(first.partition());
        assertThat(second.offset()).as("the new topic's offsets start again: this one held an event without id")
                .isLessThanOrEqualTo(first.offset());

        // The group's committed offset of the old topic may outlive it (its deletion races the
        // rebalance), and would skip the new topic's first records: read the new topic from this
        // record, as an operator resets a group after re-creating its topic.
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            if (!Events.priceHistory(skuAfter).isEmpty()) {
                return true;
            }
            try {
                kafka.getConsumer("kafka-events").seek(new TopicPartition(EVENTS, second.partition()), second.offset())
                        .await().atMost(Duration.ofSeconds(5));
            } catch (RuntimeException notAssignedYet) {
                // the rebalance after the re-creation is still going on: try again
            }
            return false;
        });
        UUID secondId = recordedEventId(skuAfter);
        assertThat(secondId).isNotEqualTo(firstId)
                .isEqualTo(BrokerIds.kafka(KafkaBroker.topicId(EVENTS), second.partition(), second.offset(), 0));
        assertThat(KafkaBroker.readAll(DEAD, Duration.ofSeconds(5))).noneMatch(r -> r.value().contains(skuAfter));
    }

    @Test
    void aRecordReadAgainKeepsItsDerivedIdAndIsADuplicate() throws Exception {
        String sku = sku("again");
        RecordMetadata at = KafkaBroker.send(EVENTS, "a", withoutId(price(sku, 3, "EUR")));
        UUID id = recordedEventId(sku);
        assertThat(id).isEqualTo(BrokerIds.kafka(KafkaBroker.topicId(EVENTS), at.partition(), at.offset(), 0));
        double duplicates = duplicates();

        // What a redelivery does (a crash before the offset commit, a rebalance): the same record again.
        kafka.getConsumer("kafka-events").seek(new TopicPartition(at.topic(), at.partition()), at.offset())
                .await().atMost(Duration.ofSeconds(10));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> duplicates() > duplicates);

        List<Map<String, Object>> history = Events.priceHistory(sku);
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("eventId")).isEqualTo(id.toString());
    }

    private static String withoutId(Map<String, Object> event) throws Exception {
        event.remove("id");
        return JSON.writeValueAsString(event);
    }

    /** Waits until the SKU has a recorded price; the id of the event that recorded it. */
    private static UUID recordedEventId(String sku) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !Events.priceHistory(sku).isEmpty());
        List<Map<String, Object>> history = Events.priceHistory(sku);
        assertThat(history).hasSize(1);
        return UUID.fromString((String) history.get(0).get("eventId"));
    }

    private double duplicates() {
        return BrokerOutcomes.count(registry, KafkaEvents.CONNECTOR, "duplicate");
    }
}
