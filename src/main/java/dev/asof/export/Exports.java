package dev.asof.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Streams a whole list as NDJSON or CSV: read at one database value the caller resolved (its
 * {@code t} is in the {@code Asof-Basis-T} header and the file's name, so a client can check it or
 * resume from it), item by item as it is written — memory stays that of one row whatever the
 * list's size. At most asof.reads.exports stream at once: each holds a worker thread while its
 * client reads, so one more is refused (429, Retry-After) before anything is read.
 */
@ApplicationScoped
public class Exports {
    /** The header that carries the t an export was read at. */
    public static final String BASIS_T = "Asof-Basis-T";
    private static final Logger LOG = Logger.getLogger(Exports.class);

    private final Semaphore streaming;
    private final int limit;
    private final ObjectMapper json;

    public Exports(AsofConfig config, ObjectMapper json) {
        this.limit = config.reads().exports();
        this.streaming = new Semaphore(limit);
        this.json = json;
    }

    /**
     * The response that streams {@code rows} (called once, on the thread that writes the response)
     * in {@code format}, with {@code columns} in that order.
     *
     * @param name the file name without its extension, naming what and the basis
     * @throws Refusal busy when asof.reads.exports exports are streaming already
     */
    public Response stream(ExportFormat format, String name, long basisT, List<String> columns,
            Consumer<ExportRows> rows) {
        if (!streaming.tryAcquire()) {
            throw new Refusal(Refusal.Reason.BUSY, "Too many exports", limit + " exports are streaming already"
                    + " (asof.reads.exports); try again when one has ended", null, 5);
        }
        StreamingOutput body = out -> {
            long started = System.nanoTime();
            try (ExportRows writer = ExportRows.open(format, columns, json, out)) {
                rows.accept(writer);
                LOG.debugf("Export %s.%s: %d rows in %d ms", name, format.extension, writer.rows(),
                        (System.nanoTime() - started) / 1_000_000);
            } finally {
                streaming.release();
            }
        };
        return Response.ok(body, format.contentType())
                .header("Content-Disposition", "attachment; filename=\"" + name + "." + format.extension + "\"")
                .header(BASIS_T, basisT)
                .build();
    }
}
