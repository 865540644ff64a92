package dev.asof.ingest;

import static dev.asof.support.Events.customer;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import clojure.lang.Symbol;
import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A transaction Datomic rejects fails only the requests whose events caused it; the others in the
 * same batch are committed and the worker goes on. Datomic is made to reject a value that passed
 * validation by an attribute predicate (clojure.string/blank?) put on :customer/city for this test.
 */
@QuarkusTest
@TestProfile(TransactFailureTest.Own.class)
class TransactFailureTest {
    private static final Object CITY_PRED = Util.map(Attr.DB_ID, Attr.CUSTOMER_CITY,
            Attr.kw("db.attr/preds"), Symbol.intern("clojure.string/blank?"));

    public static class Own extends OwnDatabase {
        public Own() {
            super("asof-tx-failure");
        }
    }

    @Inject
    TransactWorker worker;

    @Inject
    IngestQueue queue;

    @Inject
    DatomicStore store;

    @AfterEach
    void cleanUp() throws Exception {
        worker.resume();
        store.connection().transact(List.of(Util.list(Attr.DB_RETRACT, Attr.CUSTOMER_CITY,
                Attr.kw("db.attr/preds"), Symbol.intern("clojure.string/blank?")))).get();
    }

    @Test
    void rejectedTransactionFailsOnlyItsOwnRequest() throws Exception {
        store.connection().transact(List.of(CITY_PRED)).get();
        worker.pause();
        List<CompletableFuture<Response>> prices = new ArrayList<>();
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> event = price(sku("innocent"), i, "EUR");
            events.add(event);
            prices.add(send(event));
        }
        CompletableFuture<Response> rejected = send(with(customer("atl-" + UUID.randomUUID()), "city", "Atlantis"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == 4);
        worker.resume();

        Response failure = rejected.get();
        assertThat(failure.statusCode()).isEqualTo(422);
        assertThat(failure.contentType()).startsWith("application/problem+json");
        assertThat(failure.jsonPath().getString("detail")).contains("Datomic rejected");
        assertThat(failure.asString()).doesNotContain("at datomic.").doesNotContain("Exception");
        for (int i = 0; i < 3; i++) {
            assertThat(prices.get(i).get().statusCode()).isEqualTo(201);
            given().get("/prices/{sku}", events.get(i).get("sku")).then().statusCode(200);
        }

        // The worker goes on.
        given().contentType("application/json").body(price(sku("after"), 1, "EUR")).post("/events")
                .then().statusCode(201);
    }

    private static CompletableFuture<Response> send(Map<String, Object> event) {
        return CompletableFuture.supplyAsync(() ->
                given().contentType("application/json").body(event).post("/events"));
    }
}
