package dev.asof.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.PackagedService;
import dev.asof.support.Postgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The embedded database lives on the heap: a heap that fills refuses writes (507) instead of dying,
 * and reads go on; a journal too large for the heap stops the start-up with what it needs instead
 * of a replay that dies half-way (and a platform that restarts it into the same death). (A journal
 * that fits is replayed behind an open port, with its progress in the readiness data: JournalReplayIT.
 * 256 MB is the smallest heap Datomic's peer starts in with its default cache settings.)
 */
class HeapPlanningIT {
    private static final Duration READY = Duration.ofSeconds(120);
    private static final int LINES = 10_000;
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void aNearlyFullHeapRefusesWritesAndKeepsReading() throws Exception {
        int port = PackagedService.freePort();
        String prefix = "H" + UUID.randomUUID().toString().substring(0, 6);
        try (PackagedService service = PackagedService.start(port, "heap-refusal", Map.of(), List.of("-Xmx256m"))
                .awaitReady(READY)) {
            String base = service.base();
            HttpResponse<String> refused = null;
            boolean readinessSaidSo = false;
            boolean gaugeSaidSo = false;
            int loaded = 0;
            for (int request = 0; request < 60 && refused == null; request++) {
                HttpResponse<String> response = postNdjson(base, prefix, request);
                // A 507 on a young collection's reading lasts until a full collection says what is live
                // (a few seconds at most): the heap is full when readiness, after that, still says so.
                for (int retry = 0; retry < 40 && response.statusCode() == 507; retry++) {
                    if (get(base, "/q/health/ready").body().contains("refused: the heap is nearly full")) {
                        // Said while refusing (a later collection may find room again: the parse's garbage).
                        readinessSaidSo = true;
                        gaugeSaidSo |= get(base, "/q/metrics").body().contains("asof_heap_refusing_writes 1.0");
                        if (retry >= 8) {
                            break;
                        }
                    }
                    Thread.sleep(500);
                    response = postNdjson(base, prefix, request);
                }
                if (response.statusCode() == 507) {
                    refused = response;
                } else {
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
                    loaded = request + 1;
                }
            }
            assertThat(refused).as("writes refused before the heap ran out (%d requests of %d events taken)", loaded, LINES)
                    .isNotNull();
            assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(refused.body()).contains("Heap nearly full").contains("MB of 256 MB").contains("-Xmx");
            assertThat(loaded).as("the heap held some requests first").isGreaterThan(0);

            // Reads go on: the first and the last version taken are there; the service stays ready.
            assertThat(get(base, "/prices/" + prefix + "-0").statusCode()).isEqualTo(200);
            assertThat(get(base, "/prices/" + prefix + "-" + (loaded * LINES - 1)).statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(base, "/q/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(readinessSaidSo).as("readiness said writes are refused while they were").isTrue();
            assertThat(gaugeSaidSo).as("asof_heap_refusing_writes was 1 while they were").isTrue();
            String metrics = get(base, "/q/metrics").body();
            assertThat(metric(metrics, "asof_requests_refused_total\\{reason=\"heap_full\"\\}")).isGreaterThan(0);
            assertThat(service.awaitExit(Duration.ZERO)).as("still running").isEqualTo(-1);
        }
    }

    /** What the service logs when a young collection's reading, garbage included, crosses the limit. */
    private static final String SPIKE_COUNTED = "The heap is above the limit after a young collection";

    /**
     * A read spike leaves its answers as garbage in the old generation, and the collections after it
     * (young ones, or none at all while the service idles) still count them: writes must be taken again
     * within seconds, not refused for minutes. A limit of 30% here, under G1's default threshold for
     * starting a concurrent cycle (45%), so that the garbage in the old generation stays there as it
     * would in a larger heap, and so that a few whole-log change pages cross it while the live data
     * (about 50 MB) stays under.
     */
    @Test
    void garbageFromAReadSpikeDoesNotKeepRefusingWrites() throws Exception {
        int port = PackagedService.freePort();
        String prefix = "G" + UUID.randomUUID().toString().substring(0, 6);
        Path log = Path.of("target", "heap-garbage.log");
        try (PackagedService service = PackagedService.start(port, "heap-garbage",
                Map.of("ASOF_MEMORY_REFUSE_WRITES_ABOVE", "0.3"), List.of("-Xmx256m")).awaitReady(READY)) {
            String base = service.base();
            // The start-up's own garbage may be counted too (then the new code confirms it within a few seconds).
            HttpResponse<String> loaded = postNdjson(base, prefix, 0);
            for (int retry = 0; retry < 40 && loaded.statusCode() == 507; retry++) {
                Thread.sleep(500);
                loaded = postNdjson(base, prefix, 0);
            }
            assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(201);
            int rounds = 0;
            while (rounds < 60 && !Files.readString(log).contains(SPIKE_COUNTED)) {
                List<java.util.concurrent.CompletableFuture<HttpResponse<Void>>> reads = new ArrayList<>();
                // A /changes page is bounded (4 MiB of JSON): a spike is many of them at once.
                for (int i = 0; i < 12; i++) {
                    reads.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/changes?after=" + (1000 + i * 97)
                            + "&limit=1000")).build(), HttpResponse.BodyHandlers.discarding()));
                }
                for (var read : reads) {
                    assertThat(read.get().statusCode()).isEqualTo(200);
                }
                rounds++;
            }
            assertThat(Files.readString(log)).as("the read spike's garbage was counted against the limit (%d rounds)", rounds)
                    .contains(SPIKE_COUNTED);

            long started = System.nanoTime();
            HttpResponse<String> write;
            do {
                Thread.sleep(250);
                write = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                        .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"price\",\"sku\":\"" + prefix
                                + "-after\",\"amount\":1,\"currency\":\"EUR\"}")).build(), HttpResponse.BodyHandlers.ofString());
            } while (write.statusCode() == 507 && System.nanoTime() - started < Duration.ofSeconds(20).toNanos());
            assertThat(write.statusCode()).as("a write %d ms after the spike: %s", (System.nanoTime() - started) / 1_000_000,
                    write.body()).isEqualTo(201);
            String said = Files.readString(log);
            if (said.contains("The heap is nearly full")) {
                assertThat(said).as("writes refused for the spike's garbage are taken again").contains("The heap has room again");
            }
        }
    }

    @Test
    void aJournalTooLargeForTheHeapStopsTheStartSayingWhatItNeeds() throws Exception {
        String url = Postgres.server().url(Postgres.freshDatabase());
        int port = PackagedService.freePort();
        String prefix = "J" + UUID.randomUUID().toString().substring(0, 6);
        int requests = 18; // 180,000 events: about 190 MB of heap, more than 80% of 256 MB
        try (PackagedService first = PackagedService.start(port, "heap-journal-load", Map.of("DATABASE_URL", url),
                List.of("-Xmx1g")).awaitReady(READY)) {
            for (int request = 0; request < requests; request++) {
                HttpResponse<String> response = postNdjson(first.base(), prefix, request);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            }
        }

        PackagedService small = PackagedService.start(port, "heap-journal-refused", Map.of("DATABASE_URL", url),
                List.of("-Xmx256m"));
        try {
            assertThat(small.awaitExit(Duration.ofSeconds(90))).as("the start-up stops").isNotEqualTo(0);
        } finally {
            small.kill();
        }
        String log = Files.readString(Path.of("target", "heap-journal-refused.log"));
        assertThat(log).contains("The journal holds " + String.format("%,d", requests * LINES) + " events")
                .contains("Start it with at least -Xmx").doesNotContain("OutOfMemoryError");
    }

    /** One NDJSON request of {@link #LINES} new SKUs (each event a new version). */
    private HttpResponse<String> postNdjson(String base, String prefix, int request) throws Exception {
        StringBuilder body = new StringBuilder(LINES * 100);
        for (int i = request * LINES; i < (request + 1) * LINES; i++) {
            body.append("{\"type\":\"price\",\"sku\":\"").append(prefix).append('-').append(i)
                    .append("\",\"amount\":").append(i % 997).append(".50,\"currency\":\"EUR\"}\n");
        }
        return client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String base, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double metric(String metrics, String name) {
        Matcher value = Pattern.compile("(?m)^" + name + " ([0-9.E+]+)$").matcher(metrics);
        return value.find() ? Double.parseDouble(value.group(1)) : 0;
    }
}
