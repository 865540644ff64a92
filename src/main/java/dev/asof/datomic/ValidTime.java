package dev.asof.datomic;

import datomic.Database;
import datomic.Datom;

/**
 * Which of a SKU's versions is in force at a valid time: the one home of the rule that combines
 * prices, periods, ends and withdrawals (the README's "Valid periods, ends and withdrawals").
 *
 * <ol>
 * <li>A <b>period</b> ({@code effectiveUntil} set: a price or an end) covers
 *     {@code [effectiveAt, effectiveUntil)} and lies over every open-ended version there, whenever
 *     either was recorded. Where periods overlap, the one that starts latest is in force (a flash
 *     sale inside a week's promotion holds for its hours, and the week's resumes after it).</li>
 * <li>Where no period covers the valid time, the <b>open-ended</b> version that starts latest at or
 *     before it is in force (a price, or an end: no price), as it always was.</li>
 * <li>An <b>open end</b> (a delisting) ends everything that started before it, periods too: a
 *     promotion running when the SKU is delisted stops there, and does not come back. A later
 *     version (a price, or a period) starts a price again.</li>
 * <li>A <b>withdrawn</b> version is not there at all.</li>
 * </ol>
 * Recording order decides nothing but which of two events for the same start is the version (the
 * later: a correction). That is SQL:2011's {@code UPDATE … FOR PORTION OF} for a period recorded
 * over open-ended prices, and it differs from a later {@code UPDATE} over a period on purpose: an
 * open-ended price recorded later that starts inside a promotion takes over when the promotion
 * ends, instead of cutting it short (send the period again to change it, or withdraw it).
 *
 * <p>Cost: one forward seek in the SKU's periods by their end ({@code :price/period}), reading the
 * periods that end after the valid time (current and scheduled ones); then one backward seek in its
 * versions ({@code :price/key}) that passes by the periods and withdrawn versions starting between
 * the answer and the valid time (with a period in force: every version since the period's start). A SKU that never had a period costs a
 * seek that finds nothing, plus what it always cost.
 */
public final class ValidTime {
    private ValidTime() {
    }

    /** The version in force at {@code validMillis} (a price or an end), or null when none is. */
    public static PriceVersion inForce(Database db, String sku, long validMillis) {
        Object covering = coveringPeriod(db, sku, validMillis);
        PriceVersion period = covering == null ? null : PriceVersion.of(db, covering);
        // Backwards from the valid time, down to the period's start (or the SKU's first version): the
        // first open-ended version is the one in force where no period is; an open end on the way
        // cuts the period short, and whatever came after the end holds.
        String from = period == null ? sku + "@" : PriceKeys.of(sku, period.effectiveAt().getTime() + 1);
        String to = PriceKeys.of(sku, validMillis + 1);
        PriceVersion open = null;
        for (Datom datom : db.rseekDatoms(Database.AVET, Attr.PRICE_KEY, to)) {
            if (!Attr.PRICE_KEY.equals(db.ident(datom.a()))) {
                break;
            }
            String key = (String) datom.v();
            if (key.compareTo(from) < 0) {
                break;
            }
            if (key.compareTo(to) >= 0) {
                continue;
            }
            PriceVersion version = PriceVersion.of(db, datom.e());
            if (!version.exists() || version.isPeriod()) {
                continue;
            }
            if (open == null) {
                open = version;
            }
            if (period == null || version.ended()) {
                return open;
            }
        }
        return period != null ? period : open;
    }

    /** The period that covers {@code validMillis} and starts latest, or null: its entity. */
    private static Object coveringPeriod(Database db, String sku, long validMillis) {
        String prefix = sku + "@";
        Object found = null;
        long foundStart = Long.MIN_VALUE;
        for (Datom datom : db.seekDatoms(Database.AVET, Attr.PRICE_PERIOD,
                prefix + PriceKeys.sortable(validMillis + 1))) {
            if (!Attr.PRICE_PERIOD.equals(db.ident(datom.a()))) {
                break;
            }
            String period = (String) datom.v();
            if (!period.startsWith(prefix)) {
                break;
            }
            long start = PriceKeys.millis(period.substring(period.lastIndexOf('@') + 1));
            if (start <= validMillis && start > foundStart) {
                found = datom.e();
                foundStart = start;
            }
        }
        return found;
    }
}
