package dev.asof.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.PackagedService;
import dev.asof.support.ServiceHttp;
import dev.asof.support.Postgres;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 24's proof, on the packaged service with the journal in PostgreSQL: a customer with
 * distinctive values (its id an email address), changed twice among other customers' and prices'
 * events, is erased; then no value of it is in any read at any asOf, in {@code /tx}, the change
 * feed or the event export, in {@code pg_dump} of the database, in a heap dump, nor in any of these
 * after a restart that replays the journal — while every t and every other answer (settled ones,
 * byte for byte) stays. And a kill -9 in the middle of an erasure leaves it complete or not
 * started, and the request can be repeated.
 */
class ErasureIT {
    private static final Duration READY = Duration.ofSeconds(90);
    private static final String ERASE_TOKEN = "erase-" + UUID.randomUUID();
    private static final Pattern T = Pattern.compile("\"t\":(\\d+)");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** A customer whose every personal value holds {@code marker}: what must be found nowhere once erased. */
    private record Person(String marker, String id, List<String> events) {
        static Person make() {
            String marker = HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII), 0, 6);
            String id = "zed." + marker + "@example.org";
            List<String> events = List.of(
                    customer(id, "\"name\":\"Zelda " + marker + " Quist\",\"email\":\"zq" + marker + "@mail.example\","
                            + "\"city\":\"Zurich-" + marker + "\",\"tier\":\"gold\",\"country\":\"CH\""),
                    customer(id, "\"name\":\"Zelda " + marker + " Quist-Ohm\",\"city\":\"Zug-" + marker + "\""),
                    customer(id, "\"email\":\"zelda." + marker + "@post.example\",\"city\":null,\"tier\":\"platinum\""));
            return new Person(marker, id, events);
        }
    }

    /** Each test's start: a fresh journal database, a free port, and a person to erase at {@code path}. */
    private record Scene(String database, int port, String base, Person person, String path) {
        static Scene fresh() throws IOException {
            int port = PackagedService.freePort();
            Person person = Person.make();
            return new Scene(Postgres.freshDatabase(), port, "http://127.0.0.1:" + port, person,
                    "/customers/" + URLEncoder.encode(person.id(), StandardCharsets.UTF_8));
        }
    }

    private static String customer(String id, String fields) {
        return "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"customer\",\"customerId\":\"" + id + "\"," + fields + "}";
    }

    @Test
    void anErasedCustomerIsInNoReadNoDumpNoHeapAndNoReplayAndNothingElseChanges() throws Exception {
        Scene scene = Scene.fresh();
        String database = scene.database(), base = scene.base(), path = scene.path();
        int port = scene.port();
        Person person = scene.person();
        TreeSet<Long> ts = new TreeSet<>();
        List<Long> personTs = new ArrayList<>();
        Map<String, String> settled = new LinkedHashMap<>();
        Map<String, String> txAfterErasure = new LinkedHashMap<>();
        long erasureT;
        try (PackagedService service = start(database, port, "erasure-first")) {
            service.awaitReady(READY);
            Random random = new Random(7);
            for (int i = 0; i < person.events().size(); i++) {
                // Other customers' and prices' events around each of the person's.
                ts.add(created(post(base, customer("other-" + i, "\"name\":\"Otto " + i + "\",\"city\":\"Bonn\",\"tier\":\"silver\""))));
                personTs.add(created(post(base, person.events().get(i))));
                ts.add(personTs.get(i));
                ts.add(created(post(base, "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"price\",\"sku\":\"ER-" + i
                        + "\",\"amount\":\"" + (random.nextInt(90) + 10) + ".50\",\"currency\":\"EUR\"}")));
            }
            assertThat(get(base, path).body()).contains(person.marker());
            for (long t : ts) {
                for (int i = 0; i < person.events().size(); i++) {
                    settled.put("/customers/other-" + i + "?asOf=" + t, get(base, "/customers/other-" + i + "?asOf=" + t).body());
                    settled.put("/prices/ER-" + i + "?asOf=" + t, get(base, "/prices/ER-" + i + "?asOf=" + t).body());
                }
            }
            settled.put("/customers/other-0/history", get(base, "/customers/other-0/history").body());
            for (long t : ts) {
                if (!personTs.contains(t)) {
                    // Transactions that held none of the person's data read the same, byte for byte.
                    settled.put("/tx/" + t, get(base, "/tx/" + t).body());
                }
            }

            // Erasure while another client keeps writing.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 40; i++) {
                    try {
                        created(post(base, customer("busy-" + (i % 5), "\"tier\":\"" + (i % 2 == 0 ? "gold" : "silver") + "\"")));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            HttpResponse<String> erased = erase(base, path, "GDPR article 17 request, ticket DPO-42");
            writer.join();
            assertThat(erased.statusCode()).as(erased.body()).isEqualTo(201);
            assertThat(erased.body()).contains("\"by\":\"dpo\"").doesNotContain(person.marker()).doesNotContain(ERASE_TOKEN);
            erasureT = t(erased.body());

            assertErasedEverywhere(base, path, person, ts, erasureT, settled);
            for (long t : ts) {
                txAfterErasure.put("/tx/" + t, get(base, "/tx/" + t).body());
            }
            assertThat(Postgres.dump(database)).as("pg_dump after the erasure").doesNotContain(person.marker());
            assertNotInHeap(service.heapDump(), person.marker(), "the heap after the erasure");

            // Idempotent; the id is not taken again; a redelivered event keeps its t.
            HttpResponse<String> again = erase(base, path, "repeated");
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(t(again.body())).isEqualTo(erasureT);
            HttpResponse<String> comeback = post(base, customer(person.id(), "\"name\":\"Zelda " + person.marker() + "\""));
            assertThat(comeback.statusCode()).as(comeback.body()).isEqualTo(410);
            HttpResponse<String> redelivered = post(base, person.events().get(0));
            assertThat(redelivered.statusCode()).as(redelivered.body()).isEqualTo(200);
            assertThat(t(redelivered.body())).isEqualTo(personTs.get(0));
        }

        // A restart replays the journal: erased still, every t and answer the same.
        try (PackagedService restarted = start(database, port, "erasure-second")) {
            restarted.awaitReady(READY);
            assertErasedEverywhere(base, path, person, ts, erasureT, settled);
            for (Map.Entry<String, String> tx : txAfterErasure.entrySet()) {
                assertThat(get(base, tx.getKey()).body()).as("%s after the replay", tx.getKey()).isEqualTo(tx.getValue());
            }
            assertThat(Postgres.dump(database)).as("pg_dump after the replay").doesNotContain(person.marker());
            assertNotInHeap(restarted.heapDump(), person.marker(), "the replayed service's heap");
        }
    }

    @Test
    void aKillMinus9OnceTheJournalHoldsTheErasureLeavesItComplete() throws Exception {
        Scene scene = Scene.fresh();
        String database = scene.database(), base = scene.base(), path = scene.path();
        int port = scene.port();
        Person person = scene.person();
        try (PackagedService service = start(database, port, "erasure-kill-committed")) {
            service.awaitReady(READY);
            recordAll(base, person);
            eraseInBackground(base, path, "GDPR article 17 request");
            // The journal's transaction committed (its log line): killed before or after the copy is served.
            java.nio.file.Path log = java.nio.file.Path.of("target", "erasure-kill-committed.log");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!java.nio.file.Files.readString(log).contains("an erasure rewrote") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            service.kill();
        }
        try (PackagedService restarted = start(database, port, "erasure-kill-committed-second")) {
            restarted.awaitReady(READY);
            assertThat(get(base, path).statusCode()).as("the journal held the erasure: the replay erases").isEqualTo(410);
            assertThat(Postgres.dump(database)).doesNotContain(person.marker());
            assertThat(erase(base, path, "repeated").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aKillMinus9MidErasureLeavesItCompleteOrNotStartedAndItCanBeRepeated() throws Exception {
        Scene scene = Scene.fresh();
        String database = scene.database(), base = scene.base(), path = scene.path();
        int port = scene.port();
        Person person = scene.person();
        try (PackagedService service = start(database, port, "erasure-kill-first")) {
            service.awaitReady(READY);
            recordAll(base, person);
            // Enough history that copying the database takes a while.
            for (int batch = 0; batch < 60; batch++) {
                List<String> events = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    events.add("{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"price\",\"sku\":\"K-" + (batch * 500 + i)
                            + "\",\"amount\":\"1.25\",\"currency\":\"EUR\"}");
                }
                assertThat(post(base, "[" + String.join(",", events) + "]").statusCode()).isEqualTo(201);
            }
            eraseInBackground(base, path, "GDPR article 17 request");
            Thread.sleep(ThreadLocalRandom.current().nextLong(100, 1500));
            service.kill();
        }
        try (PackagedService restarted = start(database, port, "erasure-kill-second")) {
            restarted.awaitReady(READY);
            int status = get(base, path).statusCode();
            assertThat(status).as("after kill -9 mid-erasure: complete (410) or not started (200)").isIn(200, 410);
            if (status == 200) {
                assertThat(get(base, path).body()).contains(person.marker());
            } else {
                assertThat(Postgres.dump(database)).doesNotContain(person.marker());
            }
            System.out.printf("ErasureIT: after kill -9 mid-erasure the customer answered %d%n", status);
            HttpResponse<String> repeated = erase(base, path, "GDPR article 17 request, repeated");
            assertThat(repeated.statusCode()).as(repeated.body()).isIn(200, 201);
            assertThat(get(base, path).statusCode()).isEqualTo(410);
            assertThat(Postgres.dump(database)).doesNotContain(person.marker());
        }
    }

    /**
     * The one outcome no process can decide alone: the erasure's commit has no answer, and every
     * repeat is refused (it waits on that commit's locks) past ASOF_JOURNAL_ANSWER_WITHIN. The
     * process stops (exit 70) rather than serve a database that may lack the erasure; the stalled
     * commit lands, the next process's role waits for it, and its replay erases.
     */
    @Test
    void anErasureWhoseCommitNoRepeatCanDecideStopsTheProcessAndTheRestartDecides() throws Exception {
        Scene scene = Scene.fresh();
        String database = scene.database(), base = scene.base(), path = scene.path();
        int port = scene.port();
        Person person = scene.person();
        String reason = "GDPR article 17, ticket " + UUID.randomUUID();
        try (PackagedService service = PackagedService.start(port, "erasure-undecided", Map.of("DATABASE_URL",
                Postgres.server().url(database), "ASOF_ERASE_TOKENS", "dpo:" + ERASE_TOKEN, "ASOF_JOURNAL_TIMEOUT", "1s",
                "ASOF_JOURNAL_ANSWER_WITHIN", "4s"), List.of("-Xmx512m"))) {
            service.awaitReady(READY);
            recordAll(base, person);
            // The commit takes 30 s: the first attempt's 6 s pass (unknown), repeats wait on its row locks
            // past 6 s each (refused), and the second refusal comes after answer-within.
            Postgres.execute(database, "CREATE FUNCTION stall_commit() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$");
            Postgres.execute(database, "CREATE CONSTRAINT TRIGGER stall_commit AFTER INSERT ON asof_journal"
                    + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stall_commit()");
            eraseInBackground(base, path, reason);
            assertThat(service.awaitExit(Duration.ofSeconds(120))).as("fail-stop on an undecidable erasure").isEqualTo(70);
        }
        String erasureRows = "SELECT count(*) FROM asof_journal WHERE payload::text LIKE '%" + reason + "%'";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Postgres.queryLong(database, erasureRows) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        Postgres.execute(database, "DROP TRIGGER stall_commit ON asof_journal");
        assertThat(Postgres.queryLong(database, erasureRows)).as("the stalled commit landed, once").isEqualTo(1);
        try (PackagedService restarted = start(database, port, "erasure-undecided-restart")) {
            restarted.awaitReady(READY);
            assertThat(get(base, path).statusCode()).as("the replay erased").isEqualTo(410);
            HttpResponse<String> repeated = erase(base, path, "repeated");
            assertThat(repeated.statusCode()).as(repeated.body()).isEqualTo(200);
            assertThat(repeated.body()).contains(reason);
            assertThat(Postgres.dump(database)).doesNotContain(person.marker());
        }
    }

    private void assertErasedEverywhere(String base, String path, Person person, TreeSet<Long> ts, long erasureT,
            Map<String, String> settled) throws Exception {
        for (long t : ts) {
            HttpResponse<String> then = get(base, path + "?asOf=" + t);
            assertThat(then.statusCode()).as("%s?asOf=%d", path, t).isEqualTo(410);
            assertThat(then.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(then.body()).contains("erased at").contains("t=" + erasureT);
            String tx = get(base, "/tx/" + t).body();
            assertThat(tx).as("/tx/%d", t).doesNotContain(person.marker()).contains("\"t\":" + t);
        }
        assertThat(get(base, path).statusCode()).isEqualTo(410);
        HttpResponse<String> history = get(base, path + "/history");
        assertThat(history.statusCode()).isEqualTo(200);
        assertThat(history.body()).doesNotContain(person.marker()).contains("\"attribute\":\"name\",\"erased\":true")
                .contains("\"attribute\":\"tier\",\"value\":\"platinum\"");
        assertThat(get(base, "/tx/" + erasureT).body()).contains("\"erasure\":{\"transactions\":[");
        assertThat(get(base, "/changes?after=0&limit=1000").body()).doesNotContain(person.marker());
        HttpResponse<String> export = client.send(HttpRequest.newBuilder(URI.create(base + "/events?after=0"))
                .header("Accept", "application/x-ndjson").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.body()).doesNotContain(person.marker()).contains("other-0");
        for (Map.Entry<String, String> answer : settled.entrySet()) {
            assertThat(get(base, answer.getKey()).body()).as(answer.getKey()).isEqualTo(answer.getValue());
        }
        HttpResponse<String> audit = client.send(HttpRequest.newBuilder(URI.create(base + "/erasures"))
                .header("Authorization", "Bearer " + ERASE_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(audit.statusCode()).isEqualTo(200);
        assertThat(audit.body()).contains("\"by\":\"dpo\"").contains("DPO-42").doesNotContain(person.marker());
    }

    /** The marker nowhere in the dump: as Latin-1 (compact strings, byte[]) nor as UTF-16 (char[]). */
    private static void assertNotInHeap(byte[] dump, String marker, String what) {
        byte[] latin1 = marker.getBytes(StandardCharsets.ISO_8859_1);
        byte[] utf16be = marker.getBytes(StandardCharsets.UTF_16BE);
        byte[] utf16le = marker.getBytes(StandardCharsets.UTF_16LE);
        int at = indexOf(dump, latin1);
        if (at >= 0) {
            int from = Math.max(0, at - 1500);
            String around = new String(dump, from, Math.min(dump.length - from, 1600), StandardCharsets.ISO_8859_1)
                    .replaceAll("[^\\x20-\\x7e]", ".");
            System.out.println("ErasureIT: " + what + " holds an erased value at " + at + ": " + around);
        }
        assertThat(at).as("%s holds the erased values (Latin-1)", what).isEqualTo(-1);
        assertThat(indexOf(dump, utf16be)).as("%s holds the erased values (UTF-16BE)", what).isEqualTo(-1);
        assertThat(indexOf(dump, utf16le)).as("%s holds the erased values (UTF-16LE)", what).isEqualTo(-1);
        assertThat(dump.length).isGreaterThan(1_000_000);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static long created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        return t(response.body());
    }

    private static long t(String body) {
        Matcher m = T.matcher(body);
        assertThat(m.find()).as(body).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Sends the erasure without waiting for its answer: the process is killed or stops meanwhile. */
    private void eraseInBackground(String base, String path, String reason) {
        CompletableFuture.runAsync(() -> {
            try {
                erase(base, path, reason);
            } catch (Exception gone) {
                // the process went away meanwhile: what the test looks at is the journal and the restart
            }
        });
    }

    /** Records every event of {@code person}, each answered 201. */
    private void recordAll(String base, Person person) throws Exception {
        for (String event : person.events()) {
            created(post(base, event));
        }
    }

    private HttpResponse<String> erase(String base, String path, String reason) throws IOException, InterruptedException {
        return new ServiceHttp(base).erase(path, ERASE_TOKEN, reason);
    }

    private HttpResponse<String> post(String base, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/events")).timeout(Duration.ofSeconds(30))
                .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String base, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static PackagedService start(String database, int port, String log) throws IOException {
        return PackagedService.start(port, log, Map.of("DATABASE_URL", Postgres.server().url(database),
                "ASOF_ERASE_TOKENS", "dpo:" + ERASE_TOKEN), List.of("-Xmx1g"));
    }
}
