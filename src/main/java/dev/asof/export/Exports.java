package dev.asof.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import dev.asof.datomic.DatomicStore;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Streams a whole list as NDJSON or CSV: read at one database value the caller resolved (its
 * {@code t} is in the {@code Asof-Basis-T} header, with {@code Asof-Lineage}, and in the file's
 * name, so a client can check it or resume from it), item by item as it is written — memory stays
 * that of one row whatever the list's size. At most asof.reads.exports stream at once: each holds
 * a worker thread while its client reads, so one more is refused (429, Retry-After) before
 * anything is read. An export that fails part-way is cut off (its chunked body never ends), so a
 * client cannot take it for whole; a whole NDJSON export ends with a line break, a whole CSV one
 * with its last row's CRLF.
 */
@ApplicationScoped
public class Exports {
    /** The header that carries the t an export was read at. */
    public static final String BASIS_T = "Asof-Basis-T";
    /** The header that names the database that t is of ({@code dev.asof.datomic.Lineage}). */
    public static final String LINEAGE = "Asof-Lineage";
    private static final Logger LOG = Logger.getLogger(Exports.class);

    private final Semaphore streaming;
    private final int limit;
    private final ObjectMapper json;
    private final DatomicStore store;

    public Exports(AsofConfig config, ObjectMapper json, DatomicStore store) {
        this.limit = config.reads().exports();
        this.streaming = new Semaphore(limit);
        this.json = json;
        this.store = store;
    }

    /**
     * The response that streams {@code rows} (called once, on the thread that writes the response)
     * in {@code format}, with {@code columns} in that order.
     *
     * @param name the file name without its extension, naming what and the basis
     * @throws Refusal busy when asof.reads.exports exports are streaming already
     */
    public Response stream(ExportFormat format, String name, long basisT, List<String> columns, RoutingContext routing,
            Consumer<ExportRows> rows) {
        if (!streaming.tryAcquire()) {
            throw new Refusal(Refusal.Reason.BUSY, "Too many exports", limit + " exports are streaming already"
                    + " (asof.reads.exports); try again when one has ended", null, 5);
        }
        // Given back once, when the response ends or its connection closes, whether or not the
        // body was ever written (a HEAD, a client gone before it started).
        AtomicBoolean held = new AtomicBoolean(true);
        Runnable release = () -> {
            if (held.getAndSet(false)) {
                streaming.release();
            }
        };
        routing.addEndHandler(ended -> release.run());
        StreamingOutput body = out -> {
            long started = System.nanoTime();
            try {
                ExportRows writer = ExportRows.open(format, columns, json, out);
                rows.accept(writer);
                // Closed (the last line ended, the stream flushed) only when every row was written: an
                // export that fails part-way is cut off, never ended as if whole.
                writer.close();
                LOG.debugf("Export %s.%s: %d rows in %d ms", name, format.extension, writer.rows(),
                        (System.nanoTime() - started) / 1_000_000);
            } finally {
                release.run();
            }
        };
        return Response.ok(body, format.contentType())
                .header("Content-Disposition", "attachment; filename=\"" + name + "." + format.extension + "\"")
                .header(BASIS_T, basisT)
                .header(LINEAGE, store.lineage())
                .build();
    }
}
