package dev.asof.log;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.http.TestHTTPResource;
import dev.asof.support.ServerSentEvents;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Log as a change feed: pages after a t, and a live stream resumable by Last-Event-ID. */
@QuarkusTest
class ChangeFeedTest {

    @TestHTTPResource("/changes/stream")
    URL stream;

    @Test
    void changesAfterTAreInOrderAndResumable() {
        long before = post(price(sku("feed"), 1, "EUR")).statusCode(201).extract().jsonPath().getLong("t");
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> event = price(sku("feed"), i, "EUR");
            events.add(event);
            post(event).statusCode(201);
        }
        JsonPath first = given().get("/changes?after={t}&limit=3", before).then().statusCode(200)
                .header("Link", containsString("after=")).extract().jsonPath();
        List<Long> ts = new ArrayList<>(first.getList("items.t", Long.class));
        List<String> ids = new ArrayList<>(first.getList("items.events.id.flatten()", String.class));
        long next = first.getLong("next");
        JsonPath second = given().get("/changes?after={t}&limit=3", next).then().statusCode(200).extract().jsonPath();
        ts.addAll(second.getList("items.t", Long.class));
        ids.addAll(second.getList("items.events.id.flatten()", String.class));
        assertThat(ts).isSorted().doesNotHaveDuplicates().allMatch(t -> t > before);
        assertThat(ids).containsAll(events.stream().map(e -> (String) e.get("id")).toList());
        given().get("/changes?after=-1").then().statusCode(400);
    }

    @Test
    void streamSendsNewTransactionsAndResumesFromLastEventId() throws Exception {
        long start = post(price(sku("sse"), 1, "EUR")).statusCode(201).extract().jsonPath().getLong("t");
        Map<String, Object> a = price(sku("sse"), 2, "EUR");
        Map<String, Object> b = price(sku("sse"), 3, "EUR");
        long ta = post(a).statusCode(201).extract().jsonPath().getLong("t");
        long tb = post(b).statusCode(201).extract().jsonPath().getLong("t");

        List<String[]> received = read(start, 2);
        assertThat(received).extracting(e -> ServerSentEvents.t(e[0])).containsExactly(Long.toString(ta), Long.toString(tb));
        assertThat(received.get(0)[1]).contains((String) a.get("id"));

        // Resume after a: b comes again, nothing before it; then live events follow.
        CompletableFuture<List<String[]>> resumed = CompletableFuture.supplyAsync(() -> read(ta, 2));
        Thread.sleep(500);
        Map<String, Object> c = price(sku("sse"), 4, "EUR");
        long tc = post(c).statusCode(201).extract().jsonPath().getLong("t");
        List<String[]> after = resumed.get(20, TimeUnit.SECONDS);
        assertThat(after).extracting(e -> ServerSentEvents.t(e[0])).containsExactly(Long.toString(tb), Long.toString(tc));
    }

    @Test
    void changesAlwaysAnswerWhereToResumeAlsoAtTheTail() {
        long t = post(price(sku("tail"), 1, "EUR")).statusCode(201).extract().jsonPath().getLong("t");
        long basis = given().get("/q/health/ready").then().extract().jsonPath().getLong("checks.find { it.name == 'datomic' }.data.basisT");
        given().get("/changes?after={t}", basis).then().statusCode(200)
                .body("items", org.hamcrest.Matchers.empty()).body("next", org.hamcrest.Matchers.equalTo((int) basis));
        given().get("/changes?after={t}", t - 1).then().statusCode(200)
                .body("next", org.hamcrest.Matchers.greaterThanOrEqualTo((int) t));
        for (String bad : List.of("", "abc", "1.5", " ")) {
            given().queryParam("after", bad).get("/changes").then().statusCode(400)
                    .contentType("application/problem+json").body("errors[0].field", org.hamcrest.Matchers.equalTo("after"));
        }
    }

    @Test
    void emptyOrMalformedLastEventIdIs400NotAReplayOfEverything() throws Exception {
        for (String bad : List.of("", "x1", "-3")) {
            HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(stream.toURI())
                    .timeout(Duration.ofSeconds(10))
                    .header("Accept", "text/event-stream").header("Last-Event-ID", bad).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            assertThat(response.statusCode()).as("Last-Event-ID '%s'", bad).isEqualTo(400);
        }
    }

    @Test
    void streamAnnouncesItsPositionAtOnceAndHeartbeatsWhileIdle() throws Exception {
        List<String> lines = rawLines(null, 2500);
        assertThat(lines).isNotEmpty();
        assertThat(lines.stream().filter(l -> l.startsWith("id:")).findFirst()).as("the start position, before any transaction")
                .isPresent();
        assertThat(lines.stream().filter(l -> l.startsWith(":") && l.contains("heartbeat")).count())
                .as("comment heartbeats while idle (1 s in tests)").isGreaterThanOrEqualTo(1);
    }

    @Test
    void reconnectingWithTheAnnouncedPositionMissesNothingCommittedMeanwhile() throws Exception {
        List<String> opened = rawLines(null, 300);
        long position = Long.parseLong(ServerSentEvents.t(opened.stream().filter(l -> l.startsWith("id:")).findFirst()
                .orElseThrow().substring(3).trim()));
        // Disconnected: a transaction lands before the client comes back.
        Map<String, Object> missed = price(sku("missed"), 1, "EUR");
        long t = post(missed).statusCode(201).extract().jsonPath().getLong("t");
        List<String[]> after = read(position, 1);
        assertThat(ServerSentEvents.t(after.get(0)[0])).isEqualTo(Long.toString(t));
        assertThat(after.get(0)[1]).contains((String) missed.get("id"));
    }

    @Test
    void aPageSaysWhereToResumeWithItsLineageAndRefusesAPositionOfAnotherDatabase() {
        long t = post(price(sku("line"), 1, "EUR")).statusCode(201).extract().jsonPath().getLong("t");
        JsonPath page = given().get("/changes?after={t}", t - 1).then().statusCode(200).extract().jsonPath();
        String lineage = page.getString("lineage");
        assertThat(lineage).matches("[0-9a-f]{16}");
        assertThat(page.getString("after")).isEqualTo(page.getLong("next") + "@" + lineage);
        given().queryParam("after", page.getString("after")).get("/changes").then().statusCode(200)
                .body("lineage", org.hamcrest.Matchers.equalTo(lineage));
        String other = lineage.equals("0123456789abcdef") ? "fedcba9876543210" : "0123456789abcdef";
        for (String malformed : List.of(t + "@", t + "@zz", t + "@" + lineage.toUpperCase(), t + "@x@" + lineage)) {
            given().queryParam("after", malformed).get("/changes").then().statusCode(400)
                    .body("errors[0].field", org.hamcrest.Matchers.equalTo("after"));
        }
        given().queryParam("after", t + "@" + other).get("/changes").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("another database")).body("errors[0].field", org.hamcrest.Matchers.equalTo("after"));
    }

    @Test
    void aPositionPastTheBasisIsRefusedByPagesAndTransactionsAndResetsAStream() throws Exception {
        post(price(sku("past"), 1, "EUR")).statusCode(201);
        long beyond = given().get("/changes").then().extract().jsonPath().getLong("next") + 1_000_000;
        given().get("/changes?after={t}", beyond).then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("beyond the database basis"))
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("after"));
        given().get("/tx/{t}", beyond).then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("t"));
        for (String bad : List.of("+5", "-3", "1e3", "0x10", " 7", "99999999999999999999")) {
            given().urlEncodingEnabled(false).get("/tx/" + java.net.URLEncoder.encode(bad, StandardCharsets.UTF_8)
                    .replace("+", "%20")).then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", org.hamcrest.Matchers.equalTo("t"));
        }
        List<String> lines = rawLines(Long.toString(beyond), 1500);
        assertThat(lines).as("a reset, not silence").contains("event:reset");
        assertThat(lines).as("then the stream starts from this database's beginning").anyMatch(l -> l.startsWith("id:0@"));
        assertThat(lines).as("and sends its transactions").anyMatch(l -> l.equals("event:tx"));
    }

    /** The raw lines of the stream for {@code millis}, with Last-Event-ID {@code lastId} when not null. */
    private List<String> rawLines(String lastId, long millis) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(stream.toURI()).header("Accept", "text/event-stream");
        if (lastId != null) {
            request.header("Last-Event-ID", lastId);
        }
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException closed) {
                // done
            }
        });
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(millis);
        response.body().close();
        return new ArrayList<>(lines);
    }

    /** Reads {@code count} transaction events from the stream with Last-Event-ID {@code lastId}: [id, data] pairs. */
    private List<String[]> read(long lastId, int count) {
        return dev.asof.support.ServerSentEvents.read(stream, Long.toString(lastId), count, id -> false);
    }
}
