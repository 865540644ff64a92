package dev.asof.health;

import dev.asof.messaging.ChangePublisher;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The Kafka change stream's state: off, or the last t published and how far it is behind. Up
 * while it publishes, even when behind (the Log keeps every transaction, nothing is lost by
 * waiting); down while it cannot reach the topic, with the reason. The connectors' own checks
 * (Kafka and RabbitMQ channels) come from Reactive Messaging beside this one.
 */
@Readiness
@ApplicationScoped
public class ChangeStreamReadiness implements HealthCheck {
    private final ChangePublisher publisher;

    public ChangeStreamReadiness(ChangePublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("change-stream");
        if (!publisher.enabled()) {
            return builder.up().withData("kafka", "off").build();
        }
        String trouble = publisher.trouble();
        builder.status(trouble == null).withData("lastPublishedT", publisher.lastPublished())
                .withData("lag", publisher.lag());
        if (trouble != null) {
            builder.withData("trouble", trouble);
        }
        return builder.build();
    }
}
