package dev.asof.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.config.OwnedThreads;
import dev.asof.core.FieldError;
import dev.asof.core.Refusal;
import dev.asof.http.ProblemMapper;
import dev.asof.ingest.EventReader;
import dev.asof.events.Received;
import dev.asof.ingest.IngestResult;
import dev.asof.ingest.IngestService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * What every broker connector shares, so that a broker's event is held to the HTTP path's
 * promises. A message's events are read like a {@code POST /events} body, queued on the same
 * bounded queue and committed by the same worker, group-committed with everything else. Then:
 * <ul>
 * <li><b>recorded</b> (committed, or found recorded already): the connector may acknowledge it;</li>
 * <li><b>cannot be recorded</b> (invalid, an id recorded with other content, rejected by Datomic: a
 *     refusal whose reason is not {@link Refusal.Reason#retryable() retryable}): dead-lettered with
 *     the reason, then acknowledged, so that one bad message never blocks the rest;</li>
 * <li><b>not recorded for now</b> (storage unavailable, the outcome unknown: a retryable reason):
 *     queued again after a pause, with the same ids, until it is recorded or the service stops;</li>
 * <li><b>not readable for now</b> (an id derived from the broker's answer, and the broker did not
 *     answer): read again after a pause, holding up the messages behind it, as waiting for room does;</li>
 * <li><b>the service stops</b>: left unacknowledged; the broker delivers it again after the restart,
 *     where its ids make it a duplicate if it had committed.</li>
 * </ul>
 * A dead letter carries the refusal as the problem+json the REST edge would answer ({@link ProblemMapper#problem}).
 * A message queued again after a storage failure may commit after later messages that were
 * already queued when the failure came back; that window exists only at the end of an outage.
 */
@ApplicationScoped
public class BrokerIngest {
    private static final Logger LOG = Logger.getLogger(BrokerIngest.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    /** One message as a connector hands it over, and what the connector does with its outcome. */
    public interface Delivery {
        byte[] body();

        /**
         * The id for event {@code index} of the message when the event has none ({@link BrokerIds}), or null
         * when the message gives none; a retryable {@link Refusal} when it cannot be told now.
         */
        UUID missingId(int index);

        /** Where the message came from (topic, partition, offset; queue, delivery tag), for logs; never its content. */
        String origin();

        /** Sends the message to the dead-letter destination with {@code why} in its headers; completes when the broker has it. */
        CompletionStage<Void> deadLetter(Refusal why, String problemJson);

        /** Its events are recorded, or it is dead-lettered: the connector may acknowledge it. */
        void resolved();
    }

    private final EventReader reader;
    private final IngestService ingest;
    private final Clock clock;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService retries = OwnedThreads.scheduler("asof-broker-retry");
    private volatile boolean stopping;

    public BrokerIngest(EventReader reader, IngestService ingest, Clock clock, ObjectMapper json, MeterRegistry registry) {
        this.reader = reader;
        this.ingest = ingest;
        this.clock = clock;
        this.json = json;
        this.registry = registry;
    }

    /**
     * Reads, validates and queues one message, waiting for room as long as it takes (the caller, a
     * connector's consumer thread, stops pulling meanwhile). Returns once the message is queued or
     * dead-lettered; its commit is awaited apart, so that the next message can join the same batch.
     */
    public void deliver(String connector, Delivery delivery) throws InterruptedException {
        List<Received> events = null;
        for (int attempt = 0; events == null; attempt++) {
            try {
                events = reader.readJson(delivery.body(), clock.instant(), delivery::missingId);
            } catch (Refusal refused) {
                if (!refused.reason().retryable()) {
                    deadLetter(connector, delivery, refused);
                    return;
                }
                // Readable later (a derived id needs the broker, which did not answer): read again here,
                // in order, as the consumer would wait for room.
                if (stopping) {
                    count(connector, "left_for_redelivery");
                    return;
                }
                count(connector, "retried");
                LOG.warnf("A %s message (%s) cannot be read for now (%s); read again in %d ms", connector,
                        delivery.origin(), refused.getMessage(), retryDelay(attempt));
                Thread.sleep(retryDelay(attempt));
            }
        }
        submit(connector, delivery, events, 0);
    }

    private void submit(String connector, Delivery delivery, List<Received> events, int attempt)
            throws InterruptedException {
        try {
            ingest.submitWaiting(events).whenComplete((result, error) -> outcome(connector, delivery, events, attempt,
                    result, error));
        } catch (Refusal refused) {
            if (refused.reason().retryable()) {
                count(connector, "left_for_redelivery"); // shutting down: the broker delivers it again
            } else {
                deadLetter(connector, delivery, refused);
            }
        }
    }

    private void outcome(String connector, Delivery delivery, List<Received> events, int attempt, IngestResult result,
            Throwable error) {
        if (error == null) {
            count(connector, result.allDuplicates() ? "duplicate" : "recorded");
            delivery.resolved();
            return;
        }
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        Refusal refusal = cause instanceof Refusal r ? r
                : new Refusal(Refusal.Reason.INTERNAL, "Internal error", String.valueOf(cause));
        if (refusal.reason() == Refusal.Reason.GONE) {
            erased(connector, delivery);
        } else if (!refusal.reason().retryable()) {
            deadLetter(connector, delivery, refusal);
        } else if (stopping || ingest.closing()) {
            count(connector, "left_for_redelivery");
        } else {
            count(connector, "retried");
            long delay = retryDelay(attempt);
            LOG.warnf("A %s message (%s) is not recorded for now (%s); queued again in %d ms", connector,
                    delivery.origin(), refusal.getMessage(), delay);
            retries.schedule(() -> {
                try {
                    submit(connector, delivery, events, attempt + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, delay, TimeUnit.MILLISECONDS);
        }
    }

    private static long retryDelay(int attempt) {
        return Math.min(LONGEST_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(attempt, 10));
    }

    /**
     * A message about a customer whose personal data was erased (issue 24): acknowledged and
     * dropped, never dead-lettered, since a dead letter would keep the person's data again.
     */
    private void erased(String connector, Delivery delivery) {
        count(connector, "erased");
        LOG.infof("A %s message (%s) is about an erased customer: dropped, not dead-lettered", connector,
                delivery.origin());
        delivery.resolved();
    }

    private void deadLetter(String connector, Delivery delivery, Refusal why) {
        count(connector, "dead_lettered");
        LOG.warnf("A %s message (%s) cannot be recorded and goes to the dead letters: %s", connector,
                delivery.origin(), reason(why));
        delivery.deadLetter(why, problemJson(why)).whenComplete((ok, error) -> {
            if (error == null) {
                delivery.resolved();
            } else {
                // Not acknowledged: the broker delivers it again after a restart, and it is dead-lettered then.
                LOG.errorf(error, "A %s message (%s) could not be dead-lettered; it stays unacknowledged",
                        connector, delivery.origin());
            }
        });
    }

    /** The reason as one line, with every field error: what a dead-letter header says. */
    static String reason(Refusal why) {
        StringBuilder text = new StringBuilder(why.getMessage());
        if (why.errors() != null) {
            for (FieldError error : why.errors()) {
                text.append("; ").append(error.index() == null ? "" : "event " + error.index() + " ")
                        .append(error.field() == null ? "" : error.field() + " ").append(error.message());
            }
        }
        return text.toString();
    }

    private String problemJson(Refusal why) {
        try {
            return json.writeValueAsString(ProblemMapper.problem(why));
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }

    private void count(String connector, String outcome) {
        counters.computeIfAbsent(connector + "/" + outcome, key -> Counter.builder("asof.broker.messages")
                .description("Broker messages by outcome: recorded, duplicate, dead_lettered, retried (queued or read"
                        + " again after storage or the broker failed), left_for_redelivery (the service stopped first)")
                .tag("connector", connector)
                .tag("outcome", outcome)
                .register(registry)).increment();
    }

    void stop(@Observes @Priority(5) ShutdownEvent event) {
        stopping = true;
        retries.shutdownNow();
    }
}
