package dev.asof.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.PackagedService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM with many change streams open: the streams end at once, each with an event telling its
 * client to reconnect, and the process exits well within the 30 s a platform (Heroku) gives it
 * before SIGKILL — an open stream used to hold the graceful shutdown for its whole 30 s timeout.
 */
class ChangeStreamShutdownIT {
    private static final int STREAMS = 20;

    @Test
    void sigtermEndsOpenChangeStreamsAndExitsPromptly() throws Exception {
        int port = PackagedService.freePort();
        PackagedService service = PackagedService.start(port, "change-stream-shutdown", Map.of(), List.of("-Xmx512m"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<List<String>> received = new ArrayList<>();
        List<CompletableFuture<?>> ends = new ArrayList<>();
        long stopped;
        try {
            service.awaitReady(Duration.ofSeconds(120));
            for (int i = 0; i < STREAMS; i++) {
                List<String> lines = new CopyOnWriteArrayList<>();
                received.add(lines);
                ends.add(client.sendAsync(HttpRequest.newBuilder(URI.create(service.base() + "/changes/stream")).build(),
                        HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> response.body().forEach(lines::add)));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> received.stream().allMatch(lines -> !lines.isEmpty()));
        } finally {
            long started = System.nanoTime();
            service.close(); // SIGTERM, then waits for the exit
            stopped = System.nanoTime() - started;
        }
        assertThat(service.awaitExit(Duration.ZERO)).as("the process exited").isNotEqualTo(-1);
        assertThat(Duration.ofNanos(stopped)).as("SIGTERM to exit, %d streams open", STREAMS)
                .isLessThan(Duration.ofSeconds(15));
        CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        for (List<String> lines : received) {
            assertThat(lines).as("each stream ends by telling its client to reconnect").contains("event:reconnect");
        }
    }
}
