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

    /**
     * A promotion over a regular price, a regular change recorded later inside it (the README's worked
     * example), a week's withdrawal from sale, a delisting, and a mistyped year sent, corrected and
     * withdrawn: every kind of item the history has.
     */
    private static final String PERIODS = """
            [{"t":1,"txInstant":"2026-01-01T00:00:00Z","effectiveAt":"2026-01-01T00:00:00Z","amount":12,"currency":"EUR","op":"assert","eventId":"regular"},
             {"t":2,"txInstant":"2026-01-02T00:00:00Z","effectiveAt":"2026-11-27T00:00:00Z","effectiveUntil":"2026-12-02T00:00:00Z","amount":9.99,"currency":"EUR","op":"assert","eventId":"promo"},
             {"t":3,"txInstant":"2026-01-03T00:00:00Z","effectiveAt":"2026-11-30T00:00:00Z","amount":13,"currency":"EUR","op":"assert","eventId":"raise"},
             {"t":4,"txInstant":"2026-01-04T00:00:00Z","effectiveAt":"2026-03-01T00:00:00Z","effectiveUntil":"2026-04-01T00:00:00Z","ended":true,"op":"assert","eventId":"off-sale"},
             {"t":5,"txInstant":"2026-01-05T00:00:00Z","effectiveAt":"2027-01-01T00:00:00Z","ended":true,"op":"assert","eventId":"delist"},
             {"t":6,"txInstant":"2026-01-06T00:00:00Z","effectiveAt":"2062-03-01T00:00:00Z","amount":99,"currency":"EUR","op":"assert","eventId":"typo"},
             {"t":7,"txInstant":"2026-01-07T00:00:00Z","effectiveAt":"2062-03-01T00:00:00Z","amount":99,"currency":"EUR","op":"retract","eventId":"typo-fix"},
             {"t":7,"txInstant":"2026-01-07T00:00:00Z","effectiveAt":"2062-03-01T00:00:00Z","amount":98,"currency":"EUR","op":"assert","eventId":"typo-fix"},
             {"t":8,"txInstant":"2026-01-08T00:00:00Z","effectiveAt":"2062-03-01T00:00:00Z","amount":98,"currency":"EUR","op":"withdraw","eventId":"withdrawal"}]
            """;

    /** Runs {@code body} with the module as {@code m} and the history as {@code items}; what it returns, as JSON. */
    private static JsonNode run(String body) throws Exception {
        return run(HISTORY, body);
    }

    private static JsonNode run(String history, String body) throws Exception {
        Object result = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/explorer/model.js').then((m) => {
                  const items = %s;
                  const day = (ms) => ms === null ? null : new Date(ms).toISOString().slice(0, 10);
                  %s
                }).then((value) => done(JSON.stringify(value)), (e) => done(JSON.stringify({ error: String(e) })));
                """.formatted(history, body));
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

    /** The line as known at each t, as [from, to, amount or "ended"] by day. */
    private static final String LINES = """
            const versions = m.priceVersions(items);
            return Object.fromEntries(m.transactions(items).map((tx) => [tx.t, m.priceLine(versions, tx.t)
                .map((s) => [day(s.from), day(s.to), s.version.ended ? 'ended' : s.version.amount])]));
            """;

    @Test
    void theLineFollowsAPeriodAndThePriceBeneathItComesBackAtItsEnd() throws Exception {
        JsonNode lines = run(PERIODS, LINES);

        assertThat(lines.get("2").toString()).isEqualTo("[[\"2026-01-01\",\"2026-11-27\",12],"
                + "[\"2026-11-27\",\"2026-12-02\",9.99],[\"2026-12-02\",null,12]]");
        // A regular change recorded later inside the promotion takes over where the promotion ends.
        assertThat(lines.get("3").toString()).isEqualTo("[[\"2026-01-01\",\"2026-11-27\",12],"
                + "[\"2026-11-27\",\"2026-12-02\",9.99],[\"2026-12-02\",null,13]]");
    }

    @Test
    void theLineHasAGapWhereAnEndHolds() throws Exception {
        JsonNode lines = run(PERIODS, LINES);

        // Off sale for March: a gap, then the price again; delisted from 2027: a gap with no end.
        assertThat(lines.get("5").toString()).isEqualTo("[[\"2026-01-01\",\"2026-03-01\",12],"
                + "[\"2026-03-01\",\"2026-04-01\",\"ended\"],[\"2026-04-01\",\"2026-11-27\",12],"
                + "[\"2026-11-27\",\"2026-12-02\",9.99],[\"2026-12-02\",\"2027-01-01\",13],[\"2027-01-01\",null,\"ended\"]]");
    }

    @Test
    void aWithdrawnVersionIsInTheLineUntilItsWithdrawalAndNotAfter() throws Exception {
        JsonNode lines = run(PERIODS, LINES);

        assertThat(lines.get("6").toString()).endsWith("[\"2027-01-01\",\"2062-03-01\",\"ended\"],[\"2062-03-01\",null,99]]");
        assertThat(lines.get("7").toString()).endsWith("[\"2027-01-01\",\"2062-03-01\",\"ended\"],[\"2062-03-01\",null,98]]");
        // Withdrawn: the end before it holds on, as if the version had never been sent.
        assertThat(lines.get("8").toString()).endsWith("[\"2026-12-02\",\"2027-01-01\",13],[\"2027-01-01\",null,\"ended\"]]");
        JsonNode versions = run(PERIODS, "return m.priceVersions(items).map((v) => [v.eventId, v.kind, v.from, v.to, v.withdrawn]);");
        assertThat(versions.get(6).toString()).isEqualTo("[\"typo-fix\",\"correction\",7,8,true]");
        assertThat(versions.get(5).toString()).as("corrected, not withdrawn").isEqualTo("[\"typo\",\"scheduled\",6,7,false]");
    }

    @Test
    void overlappingPeriodsTheOneThatStartsLatestHoldsWhicheverWasRecordedFirst() throws Exception {
        JsonNode line = run("""
                [{"t":1,"txInstant":"2026-01-01T00:00:00Z","effectiveAt":"2026-01-01T00:00:00Z","amount":20,"currency":"EUR","op":"assert","eventId":"regular"},
                 {"t":2,"txInstant":"2026-01-02T00:00:00Z","effectiveAt":"2026-11-28T10:00:00Z","effectiveUntil":"2026-11-28T14:00:00Z","amount":8,"currency":"EUR","op":"assert","eventId":"flash"},
                 {"t":3,"txInstant":"2026-01-03T00:00:00Z","effectiveAt":"2026-11-27T00:00:00Z","effectiveUntil":"2026-12-02T00:00:00Z","amount":15,"currency":"EUR","op":"assert","eventId":"week"}]
                """, """
                return m.priceLine(m.priceVersions(items), 3).map((s) => [new Date(s.from).toISOString().slice(5, 13),
                    s.to === null ? null : new Date(s.to).toISOString().slice(5, 13), s.version.amount]);
                """);

        assertThat(line.toString()).isEqualTo("[[\"01-01T00\",\"11-27T00\",20],[\"11-27T00\",\"11-28T10\",15],"
                + "[\"11-28T10\",\"11-28T14\",8],[\"11-28T14\",\"12-02T00\",15],[\"12-02T00\",null,20]]");
    }

    /** Each version's rectangles, as [fromTx, toTx, valid from, valid to (days), withdrawn]. */
    private static final String SHAPES = """
            const versions = m.priceVersions(items);
            const shapes = m.priceShapes(versions, m.transactions(items));
            return Object.fromEntries(versions.map((v) => [v.eventId, shapes.get(v)
                .map((r) => [r.fromTx, r.toTx, day(r.validFrom), day(r.validTo), r.withdrawn === true])]));
            """;

    @Test
    void aPeriodIsOneBarOverTheVersionsBeneathAndAWithdrawnVersionKeepsItsPlaceFromItsWithdrawalOn() throws Exception {
        JsonNode shapes = run(PERIODS, SHAPES);

        // The regular price is cut only by open-ended versions: the promotion lies over it.
        assertThat(shapes.get("regular").toString()).isEqualTo(
                "[[0,2,\"2026-01-01\",null,false],[2,8,\"2026-01-01\",\"2026-11-30\",false]]");
        assertThat(shapes.get("promo").toString()).isEqualTo("[[1,8,\"2026-11-27\",\"2026-12-02\",false]]");
        assertThat(shapes.get("off-sale").toString()).isEqualTo("[[3,8,\"2026-03-01\",\"2026-04-01\",false]]");
        // The delisting reaches the mistyped year while it stands, and on again from its withdrawal.
        assertThat(shapes.get("delist").toString()).isEqualTo("[[4,5,\"2027-01-01\",null,false],"
                + "[5,7,\"2027-01-01\",\"2062-03-01\",false],[7,8,\"2027-01-01\",null,false]]");
        assertThat(shapes.get("typo-fix").toString()).isEqualTo(
                "[[6,7,\"2062-03-01\",null,false],[7,8,\"2062-03-01\",null,true]]");
    }

    @Test
    void fromAWithdrawalOnTheVersionBeforeItCoversTheValidTimeItFreed() throws Exception {
        JsonNode shapes = run("""
                [{"t":1,"txInstant":"2026-01-01T00:00:00Z","effectiveAt":"2026-01-01T00:00:00Z","amount":10,"currency":"EUR","op":"assert","eventId":"jan"},
                 {"t":2,"txInstant":"2026-01-02T00:00:00Z","effectiveAt":"2026-03-01T00:00:00Z","amount":7,"currency":"EUR","op":"assert","eventId":"mar"},
                 {"t":3,"txInstant":"2026-01-03T00:00:00Z","effectiveAt":"2026-05-01T00:00:00Z","amount":8,"currency":"EUR","op":"assert","eventId":"may"},
                 {"t":4,"txInstant":"2026-01-04T00:00:00Z","effectiveAt":"2026-03-01T00:00:00Z","amount":7,"currency":"EUR","op":"withdraw","eventId":"out"}]
                """, SHAPES);

        // January reaches May again from the withdrawal's transaction on, under March's struck place.
        assertThat(shapes.get("jan").toString()).isEqualTo("[[0,1,\"2026-01-01\",null,false],"
                + "[1,3,\"2026-01-01\",\"2026-03-01\",false],[3,4,\"2026-01-01\",\"2026-05-01\",false]]");
        assertThat(shapes.get("mar").toString()).isEqualTo("[[1,2,\"2026-03-01\",null,false],"
                + "[2,3,\"2026-03-01\",\"2026-05-01\",false],[3,4,\"2026-03-01\",\"2026-05-01\",true]]");
    }

    @Test
    void aPeriodRecordedWithALaterPriceIsNotALateArrival() throws Exception {
        JsonNode kinds = run("""
                [{"t":1,"txInstant":"2026-06-01T00:00:00Z","effectiveAt":"2026-01-01T00:00:00Z","amount":10,"currency":"EUR","op":"assert","eventId":"jan"},
                 {"t":2,"txInstant":"2026-06-02T00:00:00Z","effectiveAt":"2026-05-01T00:00:00Z","amount":12,"currency":"EUR","op":"assert","eventId":"may"},
                 {"t":2,"txInstant":"2026-06-02T00:00:00Z","effectiveAt":"2026-02-01T00:00:00Z","effectiveUntil":"2026-02-08T00:00:00Z","amount":7,"currency":"EUR","op":"assert","eventId":"promo"},
                 {"t":3,"txInstant":"2026-06-03T00:00:00Z","effectiveAt":"2026-04-01T00:00:00Z","effectiveUntil":"2026-06-01T00:00:00Z","amount":9,"currency":"EUR","op":"assert","eventId":"over-may"},
                 {"t":4,"txInstant":"2026-06-04T00:00:00Z","effectiveAt":"2026-03-01T00:00:00Z","effectiveUntil":"2026-03-08T00:00:00Z","amount":8,"currency":"EUR","op":"assert","eventId":"past"}]
                """, "return m.priceVersions(items).map((v) => v.kind);");

        // Late: only what arrives after a version (in an earlier transaction) valid from its end on.
        assertThat(kinds.toString()).isEqualTo("[\"plain\",\"plain\",\"plain\",\"plain\",\"late\"]");
    }

    @Test
    void whatChangedTellsAWithdrawalFromACorrection() throws Exception {
        JsonNode changes = run(PERIODS, """
                const versions = m.priceVersions(items);
                const known = (t) => versions.filter((v) => m.knownAt(v, t));
                const between = (a, b) => m.difference(known(a), known(b), (v) => v.valid, m.sameState)
                    .map((c) => [c.change, (c.was || c.now).eventId, (c.was || c.now).withdrawn]);
                return [between(6, 7), between(7, 8), between(1, 2)];
                """);

        assertThat(changes.toString()).isEqualTo("[[[\"corrected\",\"typo\",false]],[[\"retracted\",\"typo-fix\",true]],"
                + "[[\"added\",\"promo\",false]]]");
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

    @Test
    void anErasedCustomersLanesShowErasedNotAValue() throws Exception {
        // A history of an erased customer (issue 24): its personal changes come without a value, erased.
        Object result = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/explorer/model.js').then((m) => {
                  const a = (t, attribute, value, op, erased) => ({ t, txInstant: '2026-01-0' + t + 'T00:00:00Z', attribute,
                      value, erased, op, eventId: 'e' + t });
                  const spans = m.customerSpans([a(1, 'id', undefined, 'assert', true), a(1, 'name', undefined, 'assert', true),
                      a(1, 'tier', 'gold', 'assert'), a(2, 'name', undefined, 'retract', true), a(2, 'name', undefined, 'assert', true)]);
                  const names = spans.filter((s) => s.attribute === 'name');
                  done(JSON.stringify([spans.map((s) => [s.attribute, m.shownValue(s), s.from, s.to]),
                      m.sameCustomerValue(names[0], names[1]), m.sameCustomerValue(names[1], names[1]),
                      m.sameCustomerValue({ value: 'a' }, { value: 'a' })]));
                });
                """);

        // Two erased values of a name are told apart by when they began: a change stays a change.
        assertThat(result).isEqualTo("[[[\"id\",\"erased\",1,null],[\"name\",\"erased\",1,2],[\"tier\",\"gold\",1,null],"
                + "[\"name\",\"erased\",2,null]],false,true,true]");
    }
}
