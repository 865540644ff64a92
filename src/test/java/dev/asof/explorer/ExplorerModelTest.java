package dev.asof.explorer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The explorer's bitemporal model ({@code explorer/model.js}), run in the browser as the page runs
 * it, on histories written out by hand: the shapes the chart draws and the kinds it marks.
 */
@QuarkusTest
@EnabledIf(value = "dev.asof.support.Browser#installed",
        disabledReason = "no Chromium: apt-get install chromium chromium-driver")
class ExplorerModelTest extends InBrowser {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** January, then March (the latest), then a late February, then March corrected. */
    private static final String HISTORY = """
            [{"t":1,"txInstant":"2026-01-01T00:00:00Z","effectiveAt":"2025-01-01T00:00:00Z","amount":1,"currency":"EUR","op":"assert","eventId":"jan"},
             {"t":2,"txInstant":"2026-01-02T00:00:00Z","effectiveAt":"2025-03-01T00:00:00Z","amount":2,"currency":"EUR","op":"assert","eventId":"mar"},
             {"t":3,"txInstant":"2026-01-03T00:00:00Z","effectiveAt":"2025-02-01T00:00:00Z","amount":3,"currency":"EUR","op":"assert","eventId":"feb"},
             {"t":4,"txInstant":"2026-01-04T00:00:00Z","effectiveAt":"2025-03-01T00:00:00Z","amount":2,"currency":"EUR","op":"retract","eventId":"fix"},
             {"t":4,"txInstant":"2026-01-04T00:00:00Z","effectiveAt":"2025-03-01T00:00:00Z","amount":4,"currency":"EUR","op":"assert","eventId":"fix"},
             {"t":5,"txInstant":"2026-01-05T00:00:00Z","effectiveAt":"2027-01-01T00:00:00Z","amount":5,"currency":"EUR","op":"assert","eventId":"next-year"}]
            """;

    @BeforeEach
    void openPage() {
        open("");
    }

    /** Runs {@code body} with the module as {@code m} and the history as {@code items}; what it returns, as JSON. */
    private static JsonNode run(String body) throws Exception {
        Object result = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/explorer/model.js').then((m) => {
                  const items = %s;
                  %s
                }).then((value) => done(JSON.stringify(value)), (e) => done(JSON.stringify({ error: String(e) })));
                """.formatted(HISTORY, body));
        JsonNode json = JSON.readTree((String) result);
        assertThat(json.path("error").isMissingNode()).as("%s", json).isTrue();
        return json;
    }

    @Test
    void eachVersionHasItsKind() throws Exception {
        JsonNode versions = run("return m.priceVersions(items).map((v) => [v.eventId, v.kind, v.from, v.to]);");

        assertThat(versions.toString()).isEqualTo("[[\"jan\",\"plain\",1,null],[\"mar\",\"plain\",2,4],"
                + "[\"feb\",\"late\",3,null],[\"fix\",\"correction\",4,null],[\"next-year\",\"scheduled\",5,null]]");
    }

    @Test
    void shapesFollowWhatWasKnownAtEachTransaction() throws Exception {
        JsonNode shapes = run("""
                const versions = m.priceVersions(items);
                const shapes = m.priceShapes(versions, m.transactions(items));
                return Object.fromEntries(versions.map((v) => [v.eventId,
                    shapes.get(v).map((r) => [r.fromTx, r.toTx, new Date(r.validFrom).toISOString().slice(0, 7),
                        r.validTo === null ? null : new Date(r.validTo).toISOString().slice(0, 7)])]));
                """);

        // January: open-ended, then up to March, then up to the late February, then up to next year's.
        assertThat(shapes.get("jan").toString()).isEqualTo(
                "[[0,1,\"2025-01\",null],[1,2,\"2025-01\",\"2025-03\"],[2,5,\"2025-01\",\"2025-02\"]]");
        // March, the latest valid time, ends where its correction begins: not drawn under it.
        assertThat(shapes.get("mar").toString()).isEqualTo("[[1,3,\"2025-03\",null]]");
        assertThat(shapes.get("fix").toString()).isEqualTo("[[3,4,\"2025-03\",null],[4,5,\"2025-03\",\"2027-01\"]]");
        assertThat(shapes.get("feb").toString()).isEqualTo("[[2,5,\"2025-02\",\"2025-03\"]]");
        assertThat(shapes.get("next-year").toString()).isEqualTo("[[4,5,\"2027-01\",null]]");
    }

    @Test
    void whatChangedBetweenTwoPoints() throws Exception {
        JsonNode changes = run("""
                const versions = m.priceVersions(items);
                const known = (t) => versions.filter((v) => m.knownAt(v, t));
                return m.difference(known(2), known(4), (v) => v.valid, (a, b) => a.amount === b.amount)
                    .map((c) => [c.change, (c.was || c.now).eventId, c.now ? c.now.eventId : null]);
                """);

        assertThat(changes.toString()).isEqualTo("[[\"added\",\"feb\",\"feb\"],[\"corrected\",\"mar\",\"fix\"]]");
    }

    @Test
    void aKnownAtPointIsATOrAnInstantAndSnapsToTheLastTransactionAtOrBeforeIt() throws Exception {
        JsonNode points = run("""
                const txs = m.transactions(items);
                return [m.parseKnownAt('42'), m.parseKnownAt('2026-01-03T12:00:00Z'), m.parseKnownAt('soon'),
                        m.snap(txs, { t: 3 }), m.snap(txs, { instant: '2026-01-03T12:00:00.000Z' }), m.snap(txs, { t: 0 }),
                        m.parseKnownAt('2026-01-03'), m.parseKnownAt('2026-01-03T14:00:00+02:00'),
                        m.parseKnownAt('2026-01-03T12:00'), m.parseKnownAt('2026-01-03T24:00:00Z'),
                        m.parseKnownAt('2026-01-03T23:59:60Z'), m.parseKnownAt('2026-01-03T12:00:00')];
                """);

        // The page reads instants by the service's one rule (dev.asof.core.Instants): a date is midnight
        // UTC; a local time, minutes without seconds, 24:00 and :60 are refused there and here alike.
        assertThat(points.toString()).isEqualTo("[{\"t\":42},{\"instant\":\"2026-01-03T12:00:00.000Z\"},null,2,2,-1,"
                + "{\"instant\":\"2026-01-03T00:00:00.000Z\"},{\"instant\":\"2026-01-03T12:00:00.000Z\"},null,null,null,null]");
    }

    @Test
    void aCustomerDeletionIsWhereItsIdEndsAndIsNotSetAgain() throws Exception {
        Object result = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/explorer/model.js').then((m) => {
                  const a = (t, attribute, value, op) => ({ t, txInstant: '2026-01-0' + t + 'T00:00:00Z', attribute, value, op, eventId: 'e' + t });
                  const spans = m.customerSpans([a(1, 'id', 'c', 'assert'), a(1, 'name', 'Ada', 'assert'),
                      a(2, 'id', 'c', 'retract'), a(2, 'name', 'Ada', 'retract'), a(3, 'id', 'c', 'assert')]);
                  done(JSON.stringify([m.deletions(spans), spans.map((s) => [s.attribute, s.from, s.to])]));
                });
                """);

        assertThat(result).isEqualTo("[[2],[[\"id\",1,2],[\"name\",1,2],[\"id\",3,null]]]");
    }
}
