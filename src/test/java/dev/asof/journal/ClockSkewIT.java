package dev.asof.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asof.support.PackagedService;
import dev.asof.support.Postgres;
import dev.asof.support.ServiceHttp;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Restarts on hosts whose clocks differ, with the journal on: a settled answer stays settled when
 * the next process's clock is slower, and a journal stamped ahead of the local clock is replayed
 * once the clock gets there, instead of stopping every start-up.
 */
class ClockSkewIT {
    /** Generous: a loaded CI host can take minutes to start the service. */
    private static final Duration READY = Duration.ofSeconds(300);
    private static final String VALID_AT = "2020-06-01T00:00:00Z";
    private static final String ERASE_TOKEN = "skew-erase-token";

    @Test
    void aSettledAnswerStaysByteIdenticalAfterARestartOnASlowerClock() throws Exception {
        String database = Postgres.freshDatabase();
        String url = Postgres.server().url(database);
        int port = PackagedService.freePort();
        ServiceHttp http = new ServiceHttp("http://127.0.0.1:" + port);
        String sku = "CLK-" + UUID.randomUUID().toString().substring(0, 8);
        String path;
        String settled;
        long startedAt = System.nanoTime();
        Duration startUp;
        try (PackagedService first = start(port, "skew-first", url, "PT0S")) {
            first.awaitReady(READY);
            startUp = Duration.ofNanos(System.nanoTime() - startedAt);
            HttpResponse<String> created = http.post(ServiceHttp.price(UUID.randomUUID(), sku, "1", "2020-01-01T00:00:00Z"));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            Instant recorded = Instant.parse(ServiceHttp.json(created).get("txInstant").asText());
            path = "/prices/" + sku + "?asOf=" + recorded.plusMillis(1500) + "&validAt=" + VALID_AT;
            settled = awaitSettled(http, path);
            assertThat(settled).contains("\"amount\":1");
            HttpResponse<String> customer = http.post("{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"customer\","
                    + "\"customerId\":\"" + sku + "\",\"name\":\"Cleo Clock\"}");
            assertThat(customer.statusCode()).as(customer.body()).isEqualTo(201);
            first.kill();
        }
        // The next host's clock is 15 s slower, counted from when it is up (a start-up takes about as long as the first).
        try (PackagedService slower = start(port, "skew-slower", url, "-PT" + (startUp.toSeconds() + 15) + "S")) {
            slower.awaitReady(READY);
            assertThat(ServiceHttp.whole(http.get(path))).as("the settled answer after the restart").isEqualTo(settled);
            // A correction for the same valid time, and an erasure (issue 24), both stamped by the writer's
            // clock: each waits for the clock, or is refused for now (nothing recorded, nothing erased), never stamped back.
            String correction = ServiceHttp.price(UUID.randomUUID(), sku, "2", "2020-01-01T00:00:00Z");
            String customer = "/customers/" + sku;
            HttpResponse<String> answer = http.post(correction);
            HttpResponse<String> erased = http.erase(customer, ERASE_TOKEN, "GDPR article 17");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while ((answer.statusCode() == 503 || erased.statusCode() == 503) && System.nanoTime() < deadline) {
                if (answer.statusCode() == 503) {
                    assertThat(answer.headers().firstValue("Retry-After")).as(answer.body()).isPresent();
                    assertThat(ServiceHttp.json(answer).at("/events/0/status").asText()).as(answer.body()).isEqualTo("failed");
                }
                if (erased.statusCode() == 503) {
                    assertThat(erased.headers().firstValue("Retry-After")).as(erased.body()).isPresent();
                    assertThat(erased.body()).contains("nothing was erased");
                    assertThat(http.get(customer).statusCode()).isEqualTo(200);
                }
                Thread.sleep(1000);
                answer = answer.statusCode() == 503 ? http.post(correction) : answer;
                erased = erased.statusCode() == 503 ? http.erase(customer, ERASE_TOKEN, "GDPR article 17") : erased;
            }
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
            Instant stamped = Instant.parse(ServiceHttp.json(answer).get("txInstant").asText());
            Instant asOf = Instant.parse(path.substring(path.indexOf("asOf=") + 5, path.indexOf('&')));
            assertThat(stamped).as("the correction's instant").isAfter(asOf);
            assertThat(ServiceHttp.whole(http.get(path))).as("the settled answer after the correction").isEqualTo(settled);
            assertThat(erased.statusCode()).as(erased.body()).isEqualTo(201);
            assertThat(Instant.parse(ServiceHttp.json(erased).get("erasedAt").asText())).as("the erasure's instant")
                    .isAfter(asOf);
            assertThat(http.get(customer).statusCode()).isEqualTo(410);
            assertThat(Postgres.queryLong(database, "SELECT count(*) FROM asof_journal WHERE payload::text LIKE"
                    + " '%erasure/reason%'")).as("the refused attempts left no row; the erasure, one").isEqualTo(1);
        }
    }

    @Test
    void aJournalStampedAheadOfTheClockIsReplayedOnceTheClockGetsThere() throws Exception {
        String database = Postgres.freshDatabase();
        String url = Postgres.server().url(database);
        int port = PackagedService.freePort();
        ServiceHttp http = new ServiceHttp("http://127.0.0.1:" + port);
        String sku = "AHEAD-" + UUID.randomUUID().toString().substring(0, 8);
        long startedAt = System.nanoTime();
        Duration startUp;
        try (PackagedService first = start(port, "ahead-first", url, "PT0S")) {
            first.awaitReady(READY);
            startUp = Duration.ofNanos(System.nanoTime() - startedAt);
            assertThat(http.post(ServiceHttp.price(UUID.randomUUID(), sku, "1", "2020-01-01T00:00:00Z")).statusCode())
                    .isEqualTo(201);
        }
        // A batch written by a host whose clock ran ahead of this one: still ahead when the next start replays it.
        Instant ahead = Instant.now().plus(startUp.multipliedBy(2)).plusSeconds(10);
        String events;
        try (Connection connection = Postgres.connect(database);
                ResultSet row = connection.createStatement().executeQuery(
                        "SELECT payload::text, format FROM asof_journal WHERE payload::text LIKE '%" + sku + "%'")) {
            row.next();
            // The same transaction data for another SKU, under another event id (the only UUID in it).
            java.util.regex.Matcher eventId = java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
                    .matcher(row.getString(1));
            assertThat(eventId.find()).isTrue();
            events = row.getString(1).replace(sku, sku + "-next").replace(eventId.group(), UUID.randomUUID().toString());
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO asof_journal (batch_id, tx_instant,"
                    + " event_count, payload, format) VALUES (?, ?, 1, ?::json, ?)")) {
                insert.setObject(1, UUID.randomUUID());
                insert.setTimestamp(2, Timestamp.from(ahead));
                insert.setString(3, events);
                insert.setShort(4, row.getShort(2));
                insert.executeUpdate();
            }
        }
        try (PackagedService restarted = start(port, "ahead-restarted", url, "PT0S")) {
            String why = null;
            long deadline = System.nanoTime() + READY.toNanos();
            while (System.nanoTime() < deadline) {
                HttpResponse<String> ready;
                try {
                    ready = http.get("/q/health/ready");
                } catch (java.io.IOException starting) {
                    Thread.sleep(200);
                    continue;
                }
                if (ready.statusCode() == 200) {
                    break;
                }
                if (ready.body().contains("waiting for the clock")) {
                    why = ready.body();
                }
                Thread.sleep(200);
            }
            restarted.awaitReady(Duration.ofSeconds(1));
            assertThat(why).as("readiness said why it waited").isNotNull().contains(ahead.toString().substring(0, 19));
            assertThat(Instant.now()).as("ready only once the clock passed the batch's instant").isAfterOrEqualTo(ahead);
            JsonNode price = ServiceHttp.json(http.get("/prices/" + sku + "-next"));
            assertThat(price.get("amount").asInt()).isEqualTo(1);
            HttpResponse<String> next = http.post(ServiceHttp.price(UUID.randomUUID(), sku, "3", "2020-01-01T00:00:00Z"));
            assertThat(next.statusCode()).as(next.body()).isEqualTo(201);
            assertThat(Instant.parse(ServiceHttp.json(next).get("txInstant").asText())).isAfterOrEqualTo(ahead);
        }
    }

    /** Reads {@code path} until it is answered immutable; that answer, whole. */
    private static String awaitSettled(ServiceHttp http, String path) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<String> answer = http.get(path);
            if (answer.headers().firstValue("Cache-Control").orElse("").contains("immutable")) {
                return ServiceHttp.whole(answer);
            }
            assertThat(System.nanoTime()).as("settled within 30 s: " + ServiceHttp.whole(answer)).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static PackagedService start(int port, String log, String url, String offset) throws Exception {
        return PackagedService.start(port, log, Map.of("DATABASE_URL", url, "ASOF_TESTING_CLOCK_OFFSET", offset,
                "ASOF_ERASE_TOKENS", "dpo:" + ERASE_TOKEN),
                List.of("-Xmx512m"));
    }
}
