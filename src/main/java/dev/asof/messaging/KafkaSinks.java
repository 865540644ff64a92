package dev.asof.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.annotations.OnOverflow;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * asof's two channels out to Kafka, in a bean of their own that is created on its first send.
 * When Kafka is off the channels are disabled and this bean is never created (an emitter whose
 * channel is disabled cannot be injected); and the change publisher starts when the database
 * opens, which can be before Reactive Messaging has wired its channels.
 */
@ApplicationScoped
class KafkaSinks {
    @Channel("kafka-changes")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    MutinyEmitter<String> changes;

    @Channel("kafka-dead-letters")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    MutinyEmitter<byte[]> deadLetters;

    /** Completes when Kafka has the message. */
    Uni<Void> change(Message<String> message) {
        return changes.sendMessage(message);
    }

    /** Completes when Kafka has the message. */
    Uni<Void> deadLetter(Message<byte[]> message) {
        return deadLetters.sendMessage(message);
    }
}
