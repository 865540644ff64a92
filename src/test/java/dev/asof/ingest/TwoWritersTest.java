package dev.asof.ingest;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import datomic.Database;
import dev.asof.config.AsofConfig;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import dev.asof.datomic.TxClock;
import dev.asof.events.TxData;
import dev.asof.journal.Journal;
import dev.asof.journal.JournalCodec;
import dev.asof.support.OwnDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Datomic Pro runs several peers against one database: each has its own writer, and none of their
 * clocks decides an instant. Here a second writer (as another peer would) plans on a database
 * value taken before the first writer committed the same event id.
 */
@QuarkusTest
@TestProfile(TwoWritersTest.Own.class)
class TwoWritersTest {
    public static class Own extends OwnDatabase {
        public Own() {
            super("asof-two-writers");
        }
    }

    @Inject
    DatomicStore store;
    @Inject
    TxClock clock;
    @Inject
    IngestQueue queue;
    @Inject
    AsofConfig config;
    @Inject
    MeterRegistry registry;
    @Inject
    Journal journal;
    @Inject
    ObjectMapper mapper;
    @Inject
    EventReader reader;

    @Test
    void twoWritersTakingOneEventIdAtOnceRecordItOnceAndAnswerDuplicate() throws Exception {
        Map<String, Object> event = price(sku("race"), 1, "EUR");
        Database before = store.db(); // the other peer's view, before this peer commits the event
        long t = post(event).statusCode(201).extract().jsonPath().getLong("t");

        TransactWorker otherPeer = new TransactWorker(store, clock, queue, config, registry, journal, mapper);
        Submission same = new Submission(reader.readJson(mapper.writeValueAsBytes(event), Instant.now()), n -> { });
        otherPeer.process(store.connection(), before, same.pending());

        IngestResult result = same.done().get(10, TimeUnit.SECONDS);
        assertThat(result.events().get(0).status()).isEqualTo(IngestResult.DUPLICATE);
        assertThat(result.events().get(0).t()).isEqualTo(t);
        Database now = store.db();
        UUID id = UUID.fromString((String) event.get("id"));
        assertThat(StreamSupport.stream(now.datoms(Database.AVET, Attr.EVENT_ID, id).spliterator(), false).count())
                .as("one recorded event").isEqualTo(1);
        assertThat(StreamSupport.stream(now.history().datoms(Database.AVET, Attr.EVENT_ID, id).spliterator(), false).count())
                .as("asserted once, in one transaction, never merged into").isEqualTo(1);
    }

    @Test
    void whenTheTransactorStampsThePeerAnswersTheInstantDatomicRecorded() throws Exception {
        TxClock transactorStamps = new TxClock(Clock.offset(Clock.systemUTC(), java.time.Duration.ofDays(-365)));
        transactorStamps.start(Instant.EPOCH, false);
        BatchCommit commit = new BatchCommit(store, transactorStamps, journal, new JournalCodec(mapper), config,
                (events, nanos) -> { }, why -> { });
        Map<String, Object> event = price(sku("stamp"), 1, "EUR");
        Submission submission = new Submission(reader.readJson(mapper.writeValueAsBytes(event), Instant.now()), n -> { });
        assertThat(commit.commit(store.connection(), store.db(), submission.pending())).isEqualTo(BatchCommit.Outcome.RESOLVED);
        IngestResult result = submission.done().get(10, TimeUnit.SECONDS);
        Database db = store.db();
        assertThat(result.txInstant()).isEqualTo(Facts.txInstant(db, result.t()));
        assertThat(result.txInstant()).as("not the peer's own (skewed) clock")
                .isAfter(Instant.now().minus(java.time.Duration.ofDays(1)));
        assertThat(TxData.build(db, submission.events(), null, false).toString()).doesNotContain(":db/txInstant");
    }

    /**
     * Whether an event changes anything is judged on the writer's database value; another peer's
     * transaction may land between that value and the commit. Where peers share storage, an event
     * that seems to change nothing is therefore recorded in the history index like any other.
     */
    @Test
    void whereOtherPeersWriteAnEventThatSeemsToChangeNothingStaysInTheHistoryIndex() throws Exception {
        Map<String, Object> event = price(sku("peers"), 1, "EUR");
        event.put("effectiveAt", "2026-01-01T00:00:00Z");
        post(event).statusCode(201);
        Map<String, Object> again = new java.util.LinkedHashMap<>(event);
        again.put("id", UUID.randomUUID().toString());
        Submission same = new Submission(reader.readJson(mapper.writeValueAsBytes(again), Instant.now()), n -> { });
        Database db = store.db();

        assertThat(TxData.build(db, same.events(), null, true).toString()).as("the only writer")
                .contains(":event/unchangedSku").doesNotContain(":event/sku");
        assertThat(TxData.build(db, same.events(), null, false).toString()).as("one of several peers")
                .contains(":event/sku").doesNotContain(":event/unchangedSku");
    }
}
