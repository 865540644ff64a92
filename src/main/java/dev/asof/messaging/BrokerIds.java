package dev.asof.messaging;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.common.Uuid;

/**
 * The one rule for the id of an event that comes from a broker without an id of its own. The id is
 * derived, never random, from what names the message in the broker for good: a redelivery of the
 * message is then the same event (a duplicate, answered with the original t), and no other message
 * ever gets it. With the event's index in the message:
 * <ul>
 * <li>Kafka: the topic's <b>id</b>, then partition and offset. A topic deleted and created again
 *     under the same name starts its offsets at 0 again but has a new id, so the name alone would
 *     give a new record the id of an old one (dead-lettered as reused, or taken for a duplicate and
 *     never recorded). Which id a record's topic has: {@link KafkaTopicIds}.</li>
 * <li>RabbitMQ: the <b>queue</b> asof takes the message from, and the message-id its publisher set;
 *     not the routing key, which tells the route the message took into the queue (a message re-driven
 *     from the dead letters or moved by a shovel comes by another) and not which message it is.
 *     Without a message-id there is no id: a redelivery could not be told from a new message.</li>
 * </ul>
 * Each id is a name-based UUID over a text that starts with its scheme. Kafka's scheme is new with
 * the topic id ({@code kafka-topic-id:}); the ids of the scheme before it ({@code kafka:}, the
 * topic's name) are not recognised, so a record recorded but not yet acknowledged when an older asof
 * stopped is recorded again, once, by this one (the same content as a new version): upgrade with the
 * consumer caught up, or stopped gracefully, which commits what was recorded. RabbitMQ's text is the
 * one it always was; for messages published through the default exchange, as documented, the
 * routing key was the queue's name, so their ids do not change.
 */
final class BrokerIds {
    private BrokerIds() {
    }

    /** Event {@code index} of the Kafka record at {@code offset} in {@code partition} of the topic with id {@code topicId}. */
    static UUID kafka(Uuid topicId, int partition, long offset, int index) {
        return named("kafka-topic-id:" + topicId + ":" + partition + ":" + offset + ":" + index);
    }

    /** Event {@code index} of the RabbitMQ message {@code messageId} taken from {@code queue}; null without a message-id. */
    static UUID rabbitmq(String queue, String messageId, int index) {
        return messageId == null || messageId.isBlank() ? null
                : named("rabbitmq:" + queue + ":" + messageId + ":" + index);
    }

    private static UUID named(String text) {
        return UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
