package dev.asof.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.PackagedService;
import dev.asof.support.Postgres;
import dev.asof.support.ServiceHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two packaged processes on one journal, as in a deploy where the old and the new one overlap: the
 * second serves reads from what it replayed and waits for the writer role; when the first loses
 * its lock connection, the second takes the role, replays what the first wrote and takes writes;
 * the first is fenced by PostgreSQL and never appends again; no acknowledged event moves its t. A
 * customer the second replayed with its values and the first erased meanwhile is erased in the
 * second too when it takes over (issue 24).
 */
class WriterRoleIT {
    /** Generous: a loaded CI host can take minutes to start the service. */
    private static final Duration READY = Duration.ofSeconds(300);
    private static final String ERASE_TOKEN = "role-erase-token";

    /** Every acknowledged event: its body, and its t. */
    private final Map<String, Long> acked = new LinkedHashMap<>();
    private final Map<String, String> bodies = new LinkedHashMap<>();

    @Test
    void aSecondProcessTakesTheWriterRoleAndTheFirstIsFenced() throws Exception {
        String database = Postgres.freshDatabase();
        String url = Postgres.server().url(database);
        int portA = PackagedService.freePort();
        int portB = PackagedService.freePort();
        ServiceHttp a = new ServiceHttp("http://127.0.0.1:" + portA);
        ServiceHttp b = new ServiceHttp("http://127.0.0.1:" + portB);
        String sku = "ROLE-" + UUID.randomUUID().toString().substring(0, 8);
        try (PackagedService first = start(portA, "role-a", url)) {
            first.awaitReady(READY);
            for (int i = 0; i < 5; i++) {
                created(a, sku + "-a" + i);
            }
            // A customer the second process replays with its values, erased by the first one afterwards.
            String customer = "/customers/" + sku + "-erased";
            String person = "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"customer\",\"customerId\":\"" + sku
                    + "-erased\",\"name\":\"Wanda Writerrole\"}";
            HttpResponse<String> personCreated = a.post(person);
            assertThat(personCreated.statusCode()).as(personCreated.body()).isEqualTo(201);
            record(person, personCreated);
            try (PackagedService second = start(portB, "role-b", url)) {
                second.awaitReady(READY); // ready: it serves reads
                assertThat(ServiceHttp.json(b.get("/prices/" + sku + "-a4")).get("t").asLong())
                        .as("the second process reads what it replayed").isEqualTo(acked.values().stream().toList().get(4));
                HttpResponse<String> refused = b.post(ServiceHttp.price(UUID.randomUUID(), sku + "-b", "1", "2020-01-01T00:00:00Z"));
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(refused.body()).contains("writer role");
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                created(a, sku + "-a5"); // the first one still writes
                assertThat(b.get(customer).body()).as("replayed before the erasure").contains("Wanda Writerrole");
                HttpResponse<String> erased = a.erase(customer, ERASE_TOKEN, "GDPR article 17");
                assertThat(erased.statusCode()).as(erased.body()).isEqualTo(201);

                // The first one's lock connection dies unnoticed (a network cut, a PostgreSQL failover).
                assertThat(Postgres.queryLong(database, "SELECT count(pg_terminate_backend(pid)) FROM pg_locks"
                        + " WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).isEqualTo(1);
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                HttpResponse<String> taken;
                String body = ServiceHttp.price(UUID.randomUUID(), sku + "-b0", "1", "2020-01-01T00:00:00Z");
                do {
                    Thread.sleep(500);
                    taken = b.post(body);
                } while (taken.statusCode() == 503 && System.nanoTime() < deadline);
                assertThat(taken.statusCode()).as(taken.body()).isEqualTo(201);
                record(body, taken);
                assertThat(ServiceHttp.json(b.get("/prices/" + sku + "-a5")).get("t").asLong())
                        .as("the second process replayed the tail the first one wrote")
                        .isEqualTo(acked.get(idOf(sku + "-a5")));
                // That tail held the erasure of values the second process had replayed: it erased them too.
                assertThat(b.get(customer).statusCode()).isEqualTo(410);
                HttpResponse<String> history = b.get(customer + "/history");
                assertThat(history.statusCode()).isEqualTo(200);
                assertThat(history.body()).doesNotContain("Wanda").contains("\"erased\":true");

                // The first one is fenced: its append is refused by PostgreSQL, and it takes no write after.
                String late = UUID.randomUUID().toString();
                HttpResponse<String> fenced = a.post(ServiceHttp.price(UUID.fromString(late), sku + "-late", "1",
                        "2020-01-01T00:00:00Z"));
                assertThat(fenced.statusCode()).as(fenced.body()).isEqualTo(503);
                assertThat(fenced.body()).containsIgnoringCase("another process took the journal's writer role");
                // Refused by PostgreSQL's fence (its events failed), or before queueing if the floor promise
                // met the fence first.
                assertThat(ServiceHttp.json(fenced).at("/events/0/status").asText()).isIn("failed", "");
                HttpResponse<String> after = a.post(ServiceHttp.price(UUID.randomUUID(), sku + "-later", "1",
                        "2020-01-01T00:00:00Z"));
                assertThat(after.statusCode()).as(after.body()).isEqualTo(503);
                assertThat(after.body()).contains("another process");
                HttpResponse<String> readiness = a.get("/q/health/ready");
                assertThat(readiness.statusCode()).isEqualTo(503);
                assertThat(readiness.body()).contains("another process");
                assertThat(Postgres.queryLong(database, "SELECT count(*) FROM asof_journal WHERE payload::text LIKE '%"
                        + late + "%'")).as("the fenced process appended nothing").isZero();
                for (int i = 1; i < 4; i++) {
                    created(b, sku + "-b" + i);
                }
                first.kill();
            }
        }
        // A fresh process replays the one history: every acknowledged event keeps its t.
        try (PackagedService fresh = start(portA, "role-fresh", url)) {
            fresh.awaitReady(READY);
            for (Map.Entry<String, Long> event : acked.entrySet()) {
                HttpResponse<String> again = a.post(bodies.get(event.getKey()));
                assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
                assertThat(ServiceHttp.json(again).get("t").asLong()).as(event.getKey()).isEqualTo(event.getValue());
            }
            System.out.printf("WriterRoleIT: %d acknowledged events across two writers, all at their t%n", acked.size());
        }
    }

    private final Map<String, String> idsBySku = new LinkedHashMap<>();

    private void created(ServiceHttp http, String sku) throws Exception {
        String body = ServiceHttp.price(UUID.randomUUID(), sku, "1", "2020-01-01T00:00:00Z");
        HttpResponse<String> answer = http.post(body);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        record(body, answer);
        idsBySku.put(sku, ServiceHttp.json(answer).at("/events/0/id").asText());
    }

    private void record(String body, HttpResponse<String> answer) {
        String id = ServiceHttp.json(answer).at("/events/0/id").asText();
        acked.put(id, ServiceHttp.json(answer).get("t").asLong());
        bodies.put(id, body);
    }

    private String idOf(String sku) {
        return idsBySku.get(sku);
    }

    private static PackagedService start(int port, String log, String url) throws Exception {
        return PackagedService.start(port, log, Map.of("DATABASE_URL", url, "ASOF_ERASE_TOKENS", "dpo:" + ERASE_TOKEN),
                List.of("-Xmx512m"));
    }
}
