package dev.asof.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.config.AsofConfig;
import dev.asof.config.OwnedThreads;
import dev.asof.core.AsOf;
import dev.asof.datomic.DatomicStore;
import dev.asof.log.ChangeSignal;
import dev.asof.log.TxLog;
import dev.asof.log.TxView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Publishes every committed transaction, in t order, to the Kafka topic
 * {@code asof.kafka.changes-topic}: one message per transaction, the same JSON as an item of
 * {@code /changes} (always whole: {@link TxLog#after} never splits a transaction into parts, and
 * reads at most 256 of them, fewer once they hold asof.changes.page-datoms datoms), keyed by its t, with t in the {@value #T_HEADER} header, all on partition 0
 * (one partition is what keeps a total order), and the lineage of its database in {@value #LINEAGE_HEADER}.
 *
 * <p>Datomic's Log is the outbox. At start, and after any failed send, the publisher reads the
 * last t the topic holds and goes on from the transaction after it, so a crash between commit and
 * publish republishes and never skips: at least once, in order; consumers dedupe on lineage and t. It runs on
 * its own thread, woken by each transaction, and never slows the transact worker; how far it is
 * behind (basis t minus last published t) is the gauge {@code asof.changes.lag} and readiness data.
 */
@ApplicationScoped
public class ChangePublisher {
    private static final Logger LOG = Logger.getLogger(ChangePublisher.class);
    public static final String T_HEADER = "asof-t";
    /** The lineage of the database the message's t belongs to ({@code dev.asof.datomic.Lineage}). */
    public static final String LINEAGE_HEADER = "asof-lineage";
    private static final int CHUNK = 256;
    private static final Duration SEND_LIMIT = Duration.ofSeconds(60);

    private final TxLog log;
    private final ChangeSignal signal;
    private final DatomicStore store;
    private final AsofConfig config;
    private final ObjectMapper json;
    private final Instance<Map<String, Object>> kafka;
    private final KafkaSinks sink;
    private final Counter published;
    private final LinkedBlockingQueue<Long> wake = new LinkedBlockingQueue<>();
    private volatile long lastPublished = -1;
    /** Every transaction up to here has been looked at (those without events have no message). */
    private volatile long examined;
    private volatile String trouble = "not started";
    private volatile boolean running;
    private Cancellable signals;
    private Thread thread;

    public ChangePublisher(TxLog log, ChangeSignal signal, DatomicStore store, AsofConfig config, ObjectMapper json,
            @Identifier("default-kafka-broker") Instance<Map<String, Object>> kafka, KafkaSinks sink, MeterRegistry registry) {
        this.sink = sink;
        this.log = log;
        this.signal = signal;
        this.store = store;
        this.config = config;
        this.json = json;
        this.kafka = kafka;
        this.published = Counter.builder("asof.changes.published")
                .description("Transactions published to the Kafka change stream (republished ones included)")
                .register(registry);
        Gauge.builder("asof.changes.lag", this, ChangePublisher::lag)
                .description("How far the Kafka change stream is behind, in t: basis t minus the last t published (-1: off or not started)")
                .strongReference(true)
                .register(registry);
    }

    public boolean enabled() {
        return config.kafka().enabled() && config.kafka().publishChanges();
    }

    /**
     * Starts with the writer role, not with reads: a process waiting for the role (a deploy's
     * overlap) would publish from a stale position beside the writer, and the topic would lose its
     * one-copy t order.
     */
    void start(@Observes @Priority(40) DatomicStore.WritesTaken event) {
        if (!enabled()) {
            return;
        }
        running = true;
        signals = signal.signals().subscribe().with(wake::offer);
        thread = OwnedThreads.start("asof-change-publisher", this::run, true);
    }

    void stop(@Observes @Priority(10) ShutdownEvent event) {
        running = false;
        if (signals != null) {
            signals.cancel();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** The last t known to be in the topic, or -1 before the publisher has read it back. */
    public long lastPublished() {
        return lastPublished;
    }

    /** Basis t minus the last t published (t counts entities too, not only transactions), or -1 when off or not started. */
    public long lag() {
        long done = lastPublished;
        return done < 0 || !store.servesReads() ? -1 : Math.max(0, store.db().basisT() - Math.max(done, examined));
    }

    /** Why the publisher is behind, or null when it is keeping up. */
    public String trouble() {
        return trouble;
    }

    private void run() {
        long pause = 500;
        while (running) {
            try {
                if (lastPublished < 0) {
                    lastPublished = lastTInTopic();
                    LOG.infof("Change stream: the topic %s holds transactions up to t=%d; publishing from there",
                            config.kafka().changesTopic(), lastPublished);
                }
                trouble = null;
                long basis = log.basisT();
                List<TxView> next = log.after(lastPublished, CHUNK);
                if (next.isEmpty()) {
                    examined = basis; // nothing with events up to here: transactions of asof's own have no message
                    wake.poll(1, TimeUnit.SECONDS);
                    wake.clear();
                    continue;
                }
                publish(next);
                lastPublished = next.get(next.size() - 1).t();
                pause = 500;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                trouble = "publishing failed: " + e;
                LOG.warnf("Change stream: %s; reading the topic back in %d ms", e, pause);
                lastPublished = -1; // resume from what the topic holds, whatever part of the chunk landed
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    return;
                }
                pause = Math.min(pause * 2, 30_000);
            }
        }
    }

    private void publish(List<TxView> transactions) throws Exception {
        List<CompletableFuture<Void>> sends = new ArrayList<>(transactions.size());
        for (TxView tx : transactions) {
            String t = Long.toString(tx.t());
            RecordHeaders headers = new RecordHeaders();
            headers.add(new RecordHeader(T_HEADER, t.getBytes(StandardCharsets.UTF_8)));
            headers.add(new RecordHeader(LINEAGE_HEADER, store.lineage().getBytes(StandardCharsets.UTF_8)));
            OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(t).withPartition(0).withHeaders(headers).build();
            sends.add(sink.change(Message.of(json.writeValueAsString(tx), Metadata.of(metadata)))
                    .subscribeAsCompletionStage());
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(SEND_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        published.increment(transactions.size());
    }

    /**
     * Reads back the t of the topic's last message (0 when it holds none), creating the topic with
     * one partition if missing. A last message of another lineage (or, from before lineages, past
     * this database's basis) was published from a database that is not this one — a {@code
     * datomic:mem} database that started again: this one is published from its first transaction,
     * each message naming its lineage, for consumers deduplicating on lineage and t.
     */
    private long lastTInTopic() throws Exception {
        String topic = config.kafka().changesTopic();
        Map<String, Object> settings = new HashMap<>(kafka.get());
        settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (Admin admin = Admin.create(settings)) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1))).all().get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
                return 0;
            }
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
            long begin = consumer.beginningOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
            if (end <= begin) {
                return 0;
            }
            consumer.seek(partition, end - 1);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Header t = record.headers().lastHeader(T_HEADER);
                    if (t != null) {
                        long last = AsOf.t(T_HEADER, new String(t.value(), StandardCharsets.UTF_8));
                        Header lineage = record.headers().lastHeader(LINEAGE_HEADER);
                        String theirs = lineage == null ? null : new String(lineage.value(), StandardCharsets.UTF_8);
                        if (theirs != null ? !theirs.equals(store.lineage()) : last > log.basisT()) {
                            LOG.warnf("Change stream: the topic's last message (t=%d) is of database lineage %s, not this"
                                    + " one's (%s): publishing this database from its first transaction", last,
                                    theirs == null ? "(none: before lineages)" : theirs, store.lineage());
                            return 0;
                        }
                        return last;
                    }
                }
            }
            throw new IllegalStateException("the last message of " + topic + " could not be read back");
        }
    }
}
