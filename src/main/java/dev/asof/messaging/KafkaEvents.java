package dev.asof.messaging;

import dev.asof.core.Refusal;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * Events from the Kafka topic {@code asof.kafka.events-topic}, one poll at a time: the records of
 * a poll are queued together and so group-committed together (with HTTP's events too). A poll is
 * acknowledged, and its offsets committed, only when each of its records is recorded or
 * dead-lettered; a crash before that delivers the records again. While the queue has no room the
 * method waits and the connector pauses the partitions ({@code pause-if-no-requests}). An event
 * without an id gets one from its record's topic id, partition and offset ({@link BrokerIds#kafka}).
 */
@ApplicationScoped
public class KafkaEvents {
    static final String CONNECTOR = "kafka";
    /** The problem+json of why a message was dead-lettered, beside the connector's {@code dead-letter-reason}. */
    public static final String PROBLEM_HEADER = "asof-problem";

    private final BrokerIngest ingest;
    private final KafkaSinks sinks;
    private final KafkaTopicIds topicIds;

    public KafkaEvents(BrokerIngest ingest, KafkaSinks sinks, KafkaTopicIds topicIds) {
        this.ingest = ingest;
        this.sinks = sinks;
        this.topicIds = topicIds;
    }

    @Incoming("kafka-events")
    @Blocking
    public CompletionStage<Void> consume(KafkaRecordBatch<String, byte[]> batch) throws InterruptedException {
        List<KafkaRecord<String, byte[]>> records = batch.getRecords();
        AtomicInteger unresolved = new AtomicInteger(records.size());
        for (KafkaRecord<String, byte[]> record : records) {
            RecordDelivery delivery = new RecordDelivery(record, () -> {
                if (unresolved.decrementAndGet() == 0) {
                    batch.ack();
                }
            });
            topicIds.reading(record.getTopic(), record.getPartition(), delivery.offset, delivery.generation);
            ingest.deliver(CONNECTOR, delivery);
        }
        return CompletableFuture.completedFuture(null);
    }

    private final class RecordDelivery implements BrokerIngest.Delivery {
        private final KafkaRecord<String, byte[]> record;
        private final long offset;
        private final int generation;
        private final Runnable resolved;

        RecordDelivery(KafkaRecord<String, byte[]> record, Runnable resolved) {
            IncomingKafkaRecordMetadata<?, ?> metadata = record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
            this.record = record;
            this.offset = metadata.getOffset();
            this.generation = metadata.getConsumerGroupGenerationId();
            this.resolved = resolved;
        }

        @Override
        public byte[] body() {
            return record.getPayload() == null ? new byte[0] : record.getPayload();
        }

        @Override
        public UUID missingId(int index) {
            return BrokerIds.kafka(topicIds.of(record.getTopic(), generation), record.getPartition(), offset, index);
        }

        @Override
        public String origin() {
            return record.getTopic() + "/" + record.getPartition() + "@" + offset;
        }

        @Override
        public CompletionStage<Void> deadLetter(Refusal why, String problemJson) {
            RecordHeaders headers = new RecordHeaders();
            record.getHeaders().forEach(headers::add);
            headers.add(new RecordHeader("dead-letter-reason", BrokerIngest.reason(why).getBytes(StandardCharsets.UTF_8)));
            headers.add(new RecordHeader(PROBLEM_HEADER, problemJson.getBytes(StandardCharsets.UTF_8)));
            headers.add(new RecordHeader("dead-letter-topic", record.getTopic().getBytes(StandardCharsets.UTF_8)));
            headers.add(new RecordHeader("dead-letter-partition",
                    Integer.toString(record.getPartition()).getBytes(StandardCharsets.UTF_8)));
            headers.add(new RecordHeader("dead-letter-offset",
                    Long.toString(offset).getBytes(StandardCharsets.UTF_8)));
            return sinks.deadLetter(Message.of(body(), Metadata.of(OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(record.getKey()).withHeaders(headers).build()))).subscribeAsCompletionStage();
        }

        @Override
        public void resolved() {
            resolved.run();
        }
    }
}
