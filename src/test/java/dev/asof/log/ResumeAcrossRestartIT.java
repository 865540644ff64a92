package dev.asof.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asof.messaging.ChangePublisher;
import dev.asof.support.KafkaBroker;
import dev.asof.support.PackagedService;
import dev.asof.support.ServiceHttp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Positions carry their database's lineage (issue 20): the default deployment ({@code datomic:mem},
 * no journal) numbers its transactions from the start again after a restart, and a client — or the
 * change publisher — resuming at a t of the database before used to wait in silence for ever. Now
 * a page refuses the position, the stream opens with a reset and sends the new database from its
 * first transaction, and the publisher publishes the new database under its own lineage. (With a
 * journal a restart restores the same line, and its positions stay good: JournalReplayIT.)
 */
class ResumeAcrossRestartIT {
    private static final Duration READY = Duration.ofSeconds(120);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void aRestartedMemDatabaseRefusesOldPositionsResetsStreamsAndIsPublishedUnderItsOwnLineage() throws Exception {
        String changes = KafkaBroker.topic("resume-changes");
        String events = KafkaBroker.topic("resume-events");
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", KafkaBroker.servers(),
                "ASOF_KAFKA_EVENTS_TOPIC", events, "ASOF_KAFKA_CHANGES_TOPIC", changes,
                "ASOF_KAFKA_DEAD_LETTER_TOPIC", events + "-dlq", "ASOF_KAFKA_GROUP_ID", "resume-" + UUID.randomUUID());
        int port = PackagedService.freePort();
        String oldAfter;
        String oldLineage;
        long oldNext;
        String oldStreamId;
        try (PackagedService first = PackagedService.start(port, "resume-first", env, List.of("-Xmx512m"))) {
            first.awaitReady(READY);
            ServiceHttp http = new ServiceHttp(first.base());
            for (int i = 0; i < 20; i++) {
                assertThat(http.post(ServiceHttp.price(UUID.randomUUID(), "R-" + i, "1." + i, "2026-01-01T00:00:00Z"))
                        .statusCode()).isEqualTo(201);
            }
            JsonNode page = ServiceHttp.json(http.get("/changes?limit=1000"));
            oldNext = page.get("next").asLong();
            oldLineage = page.get("lineage").asText();
            oldAfter = page.get("after").asText();
            assertThat(oldAfter).isEqualTo(oldNext + "@" + oldLineage);
            oldStreamId = streamOpening(first.base(), null).get(0)[1];
            assertThat(oldStreamId).as("the stream's position carries the lineage").isEqualTo(oldNext + "@" + oldLineage);
            long published = oldNext;
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> lastT(KafkaBroker.readAll(changes,
                    Duration.ofSeconds(10))) >= published);
        }

        try (PackagedService second = PackagedService.start(port, "resume-second", env, List.of("-Xmx512m"))) {
            second.awaitReady(READY);
            ServiceHttp http = new ServiceHttp(second.base());
            List<Long> ts = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ts.add(ServiceHttp.json(http.post(ServiceHttp.price(UUID.randomUUID(), "S-" + i, "2", "2026-01-01T00:00:00Z")))
                        .get("t").asLong());
            }
            JsonNode now = ServiceHttp.json(http.get("/changes?limit=1000"));
            String lineage = now.get("lineage").asText();
            assertThat(lineage).as("a new mem database is a new line").isNotEqualTo(oldLineage);
            assertThat(now.get("next").asLong()).as("t started again below the old high mark").isLessThan(oldNext);

            HttpResponse<String> refused = http.get("/changes?after=" + oldAfter);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(ServiceHttp.json(refused).get("detail").asText()).contains("another database").contains(lineage);
            assertThat(ServiceHttp.json(refused).at("/errors/0/field").asText()).isEqualTo("after");
            HttpResponse<String> beyond = http.get("/changes?after=" + oldNext);
            assertThat(beyond.statusCode()).as("a bare t past the basis").isEqualTo(400);
            assertThat(ServiceHttp.json(beyond).get("detail").asText()).contains("beyond the database basis");

            List<String[]> stream = streamOpening(second.base(), oldStreamId);
            assertThat(stream.get(0)[0]).as("the stream says the position is not this database's").isEqualTo("reset");
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(stream.get(0)[2]).get("lineage").asText())
                    .isEqualTo(lineage);
            assertThat(stream.stream().filter(e -> e[0].equals("tx")).map(e -> e[1]).toList())
                    .as("then this database's transactions, from its first")
                    .containsExactlyElementsOf(ts.stream().map(t -> t + "@" + lineage).toList());

            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<ConsumerRecord<String, String>> records = KafkaBroker.readAll(changes, Duration.ofSeconds(10));
                List<Long> ofThisLine = records.stream()
                        .filter(r -> lineage.equals(KafkaBroker.header(r, ChangePublisher.LINEAGE_HEADER)))
                        .map(r -> Long.parseLong(KafkaBroker.header(r, ChangePublisher.T_HEADER))).toList();
                assertThat(ofThisLine).as("the publisher publishes the new database, under its lineage").isEqualTo(ts);
            });
        }
    }

    private static long lastT(List<ConsumerRecord<String, String>> records) {
        return records.isEmpty() ? -1 : Long.parseLong(records.get(records.size() - 1).key());
    }

    /**
     * The stream's events for about three seconds, as [event name, id, data] (the opening position
     * has the name "" and no data), resumed with {@code lastId} when not null.
     */
    private List<String[]> streamOpening(String base, String lastId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/changes/stream"))
                .header("Accept", "text/event-stream");
        if (lastId != null) {
            request.header("Last-Event-ID", lastId);
        }
        HttpResponse<java.io.InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String[]> events = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            Map<String, String> event = new HashMap<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (event.containsKey("id")) {
                            events.add(new String[] {event.getOrDefault("event", ""), event.get("id"),
                                    event.getOrDefault("data", "")});
                        }
                        event.clear();
                    } else if (!line.startsWith(":")) {
                        int colon = line.indexOf(':');
                        event.merge(line.substring(0, colon), line.substring(colon + 1).trim(), String::concat);
                    }
                }
            } catch (java.io.IOException closed) {
                // done
            }
        });
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(2000);
        response.body().close();
        return new ArrayList<>(events);
    }
}
