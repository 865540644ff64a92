package dev.asof.ingest;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Concurrent single-event requests share transactions, and every acknowledged event is in the database. */
@QuarkusTest
class GroupCommitTest {
    private static final int REQUESTS = 400;
    private static final int CLIENTS = 32;

    @Inject
    TransactWorker worker;

    @Test
    void concurrentSingleEventPostsAreCommittedInFewerTransactions() throws Exception {
        String prefix = sku("group");
        long transactionsBefore = worker.committedTransactions();
        List<Callable<Response>> calls = new ArrayList<>();
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Map<String, Object> event = price(prefix + "-" + i, i, "EUR");
            events.add(event);
            calls.add(() -> given().contentType(ContentType.JSON).body(event).post("/events"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<Response>> responses;
        try {
            responses = pool.invokeAll(calls);
        } finally {
            pool.shutdown();
        }

        Set<Long> ts = new HashSet<>();
        for (Future<Response> response : responses) {
            assertThat(response.get().statusCode()).isEqualTo(201);
            ts.add(response.get().jsonPath().getLong("t"));
        }
        long transactions = worker.committedTransactions() - transactionsBefore;
        assertThat(transactions).as("group commit: fewer transactions than events").isLessThan(REQUESTS);
        assertThat(ts).hasSizeLessThan(REQUESTS);

        for (int i = 0; i < REQUESTS; i++) {
            given().get("/prices/{sku}", events.get(i).get("sku")).then()
                    .statusCode(200)
                    .body("amount", equalTo(i))
                    .body("t", equalTo(responses.get(i).get().jsonPath().getInt("t")));
        }
    }
}
