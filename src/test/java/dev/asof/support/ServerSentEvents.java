package dev.asof.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Reading /changes/stream in a specification: its events with an id and data, as [id, data] pairs. */
public final class ServerSentEvents {
    private ServerSentEvents() {
    }

    /**
     * Opens {@code stream} with {@code Last-Event-ID: lastId} and reads up to {@code count} events that
     * carry data, or until one whose id {@code lastWanted} accepts. The position message (an id and
     * no data) and comments are passed by.
     */
    public static List<String[]> read(java.net.URL stream, String lastId, int count, Predicate<String> lastWanted) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest request = HttpRequest.newBuilder(stream.toURI()).header("Accept", "text/event-stream")
                    .header("Last-Event-ID", lastId).build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            List<String[]> events = new ArrayList<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String id = null;
                StringBuilder data = new StringBuilder();
                String line;
                while (events.size() < count && (line = lines.readLine()) != null) {
                    if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5));
                    } else if (line.isEmpty() && id != null && data.length() > 0) {
                        events.add(new String[] {id, data.toString()});
                        if (lastWanted.test(id)) {
                            break;
                        }
                        id = null;
                        data.setLength(0);
                    } else if (line.isEmpty()) {
                        id = null; // the position message: an id and no data
                    }
                }
            }
            return events;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The t of a tx event's id ({@code t@lineage}: a position and its database's lineage). */
    public static String t(String id) {
        int at = id.indexOf('@');
        return at < 0 ? id : id.substring(0, at);
    }
}
