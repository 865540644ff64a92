package dev.asof.messaging;

import dev.asof.core.Refusal;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The id of the topic a Kafka record was read from: what tells a topic from one deleted before it
 * under the same name, for {@link BrokerIds#kafka}. Records do not carry it and the consumer does
 * not tell it, so it is asked of the broker (Admin {@code describeTopics}) when an event without id
 * first needs it, and kept as long as the records in hand can only come from that topic. It is
 * asked again:
 * <ul>
 * <li>when the records' consumer group generation changes (the connector stamps each record with the
 *     generation of the poll that fetched it). A consumer that finds its topic gone rebalances, and is
 *     assigned the new topic in a later generation; records fetched from the old topic before that
 *     and handled after it still carry the old generation, and keep the old id;</li>
 * <li>when a partition's offsets go back within a generation: the connector never seeks back by
 *     itself, so the log under the name has started again (a consumer that missed the rebalance and
 *     reset to the new topic's start).</li>
 * </ul>
 * Two narrow cases are left, both needing a topic deleted and created again quickly:
 * <ul>
 * <li>Re-created, and filled past this consumer's position, before the consumer notices (its next
 *     fetch from the deleted topic fails; paused, at its next metadata refresh): the new
 *     records' offsets go on from where it was, with no rebalance, and keep the old id. Those offsets
 *     are past what this consumer read of the old topic, so their ids meet no event it recorded; but a
 *     redelivery of them after a restart, which asks again, records them a second time (and had an
 *     earlier owner of the partition read further than this one before a rebalance, its events have
 *     the same ids).</li>
 * <li>The answer comes after the fetch: were the topic re-created between the fetch of the record
 *     that asks and the answer, that record (of the old topic) takes the new topic's id, which the new
 *     topic's record at the same offset takes too.</li>
 * </ul>
 * Asking on every poll would not close the first gap, would open the second on every poll, and
 * would cost a round trip each; keeping the answer while the records can only come from the same
 * topic is the better trade.
 *
 * <p>Used by the one consumer thread of {@link KafkaEvents}, record by record, in order.
 */
@ApplicationScoped
class KafkaTopicIds {
    private static final Duration ASK_WITHIN = Duration.ofSeconds(10);

    private record Known(Uuid id, int generation) {
    }

    private final Instance<Map<String, Object>> kafka;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> nextOffset = new ConcurrentHashMap<>();
    private Admin admin;

    KafkaTopicIds(@Identifier("default-kafka-broker") Instance<Map<String, Object>> kafka) {
        this.kafka = kafka;
    }

    /**
     * Notes the record about to be handled, before any event of it asks {@link #of}: forgets the
     * topic's id when the record may come from another topic under the same name than the one asked.
     */
    void reading(String topic, int partition, long offset, int generation) {
        Long expected = nextOffset.put(new TopicPartition(topic, partition), offset + 1);
        Known id = known.get(topic);
        if (id != null && (id.generation() != generation || expected != null && offset < expected)) {
            known.remove(topic);
        }
    }

    /**
     * The id of {@code topic} for the record last noted by {@link #reading}, asking the broker if it is
     * not known. When the broker does not answer (or no longer has the topic), a retryable
     * {@link Refusal}: the message waits and is read again.
     */
    Uuid of(String topic, int generation) {
        Known id = known.get(topic);
        if (id == null) {
            id = new Known(ask(topic), generation);
            known.put(topic, id);
        }
        return id.id();
    }

    private Uuid ask(String topic) {
        try {
            return admin().describeTopics(List.of(topic)).allTopicNames()
                    .get(ASK_WITHIN.toMillis(), TimeUnit.MILLISECONDS).get(topic).topicId();
        } catch (ExecutionException | TimeoutException e) {
            throw unknown(topic, e instanceof ExecutionException ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unknown(topic, e);
        }
    }

    private static Refusal unknown(String topic, Throwable why) {
        return new Refusal(Refusal.Reason.UNAVAILABLE, "Topic id unknown",
                "The id of Kafka topic " + topic + " could not be read (" + why + "): events without an id wait for it");
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> settings = new HashMap<>(kafka.get());
            settings.keySet().retainAll(AdminClientConfig.configNames());
            admin = Admin.create(settings);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
