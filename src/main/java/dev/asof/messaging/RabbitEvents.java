package dev.asof.messaging;

import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.annotations.OnOverflow;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * Events from the RabbitMQ queue {@code asof.rabbitmq.events-queue}. Each message is queued as it
 * comes, so that the worker group-commits the messages that arrive together; each is acknowledged
 * once its events are recorded (or it is dead-lettered). At most {@code asof.rabbitmq.prefetch}
 * messages are unacknowledged at once: beyond them RabbitMQ holds the rest back, and while the
 * ingest queue is full this consumer waits and takes none. An event without an id gets one from the
 * queue's name and the message's message-id ({@link BrokerIds#rabbitmq}).
 */
@ApplicationScoped
public class RabbitEvents {
    static final String CONNECTOR = "rabbitmq";

    private final BrokerIngest ingest;
    private final Sink sink;
    private final String queue;

    public RabbitEvents(BrokerIngest ingest, Sink sink, AsofConfig config) {
        this.ingest = ingest;
        this.sink = sink;
        this.queue = config.rabbitmq().eventsQueue();
    }

    @Incoming("rabbitmq-events")
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) throws InterruptedException {
        ingest.deliver(CONNECTOR, new MessageDelivery(message));
        return CompletableFuture.completedFuture(null);
    }

    private final class MessageDelivery implements BrokerIngest.Delivery {
        private final Message<byte[]> message;
        private final IncomingRabbitMQMetadata metadata;

        MessageDelivery(Message<byte[]> message) {
            this.message = message;
            this.metadata = message.getMetadata(IncomingRabbitMQMetadata.class).orElseThrow();
        }

        @Override
        public byte[] body() {
            return message.getPayload() == null ? new byte[0] : message.getPayload();
        }

        @Override
        public UUID missingId(int index) {
            return BrokerIds.rabbitmq(queue, metadata.getMessageId().orElse(null), index);
        }

        @Override
        public String origin() {
            return "queue " + queue + ", routing key " + metadata.getRoutingKey()
                    + metadata.getMessageId().map(id -> ", message id " + id).orElse("");
        }

        @Override
        public CompletionStage<Void> deadLetter(Refusal why, String problemJson) {
            Map<String, Object> headers = new HashMap<>(metadata.getHeaders());
            headers.put("dead-letter-reason", BrokerIngest.reason(why));
            headers.put(KafkaEvents.PROBLEM_HEADER, problemJson);
            headers.put("dead-letter-routing-key", metadata.getRoutingKey());
            OutgoingRabbitMQMetadata.Builder out = OutgoingRabbitMQMetadata.builder().withHeaders(headers)
                    .withDeliveryMode(2);
            metadata.getMessageId().ifPresent(out::withMessageId);
            metadata.getContentType().ifPresent(out::withContentType);
            return sink.deadLetter(Message.of(body(), Metadata.of(out.build()))).subscribeAsCompletionStage();
        }

        @Override
        public void resolved() {
            message.ack();
        }
    }

    /** The dead-letter channel, created on its first send (see {@link KafkaSinks} for why). */
    @ApplicationScoped
    static class Sink {
        @Channel("rabbitmq-dead-letters")
        @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
        MutinyEmitter<byte[]> deadLetters;

        Uni<Void> deadLetter(Message<byte[]> message) {
            return deadLetters.sendMessage(message);
        }
    }
}
