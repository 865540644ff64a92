package dev.asof.datomic;

import clojure.lang.Keyword;
import datomic.Database;
import datomic.Datom;
import datomic.Util;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * One price version's facts, as a database holds them (or as an event would leave them): a price
 * ({@code amount}, {@code currency}), a period (also {@code effectiveUntil} and {@code period}), an
 * end ({@code ended}, no amount; a period too when it has {@code effectiveUntil}), or — with
 * neither an amount nor {@code ended} — absent or withdrawn. {@code e} is its entity (null when
 * there is none) and {@code lastTx} the newest transaction that asserted one of its current facts
 * (0 when none): the version's newest change, since every change asserts something (a change that
 * would only retract asserts {@code :price/changedBy}, see {@link #onlyLoses}). {@link #sameAs} compares amounts as Datomic does, scale included (1.0 replacing 1
 * is a change, and its history says so).
 */
public record PriceVersion(Object e, Date effectiveAt, BigDecimal amount, String currency, Date effectiveUntil,
        String period, boolean ended, long lastTx) {

    /** No version: nothing was sent for that start, or it was withdrawn. */
    public static final PriceVersion NONE = new PriceVersion(null, null, null, null, null, null, false, 0);

    /** The version keyed {@code key} ({@code :price/key}) in {@code db}: one AVET seek and, when found, one EAVT read. */
    public static PriceVersion in(Database db, String key) {
        Iterator<Datom> found = db.datoms(Database.AVET, Attr.PRICE_KEY, key).iterator();
        return found.hasNext() ? of(db, found.next().e()) : NONE;
    }

    /**
     * The current facts of version entity {@code e}: one pass over them (not over its history, which
     * for a hot version is long). An entity and lookups cost twice that, and this is the hottest read.
     */
    public static PriceVersion of(Database db, Object e) {
        Date effectiveAt = null;
        BigDecimal amount = null;
        String currency = null;
        Date until = null;
        String period = null;
        boolean ended = false;
        long tx = 0;
        for (Datom datom : db.datoms(Database.EAVT, e)) {
            Object attr = db.ident(datom.a());
            if (Attr.PRICE_AMOUNT.equals(attr)) {
                amount = (BigDecimal) datom.v();
            } else if (Attr.PRICE_CURRENCY.equals(attr)) {
                currency = (String) datom.v();
            } else if (Attr.PRICE_EFFECTIVE_AT.equals(attr)) {
                effectiveAt = (Date) datom.v();
                continue; // asserted once, with the key: it dates no change
            } else if (Attr.PRICE_EFFECTIVE_UNTIL.equals(attr)) {
                until = (Date) datom.v();
            } else if (Attr.PRICE_PERIOD.equals(attr)) {
                period = (String) datom.v();
            } else if (Attr.PRICE_ENDED.equals(attr)) {
                ended = Boolean.TRUE.equals(datom.v());
            } else if (!Attr.PRICE_CHANGED_BY.equals(attr)) {
                continue;
            }
            tx = Math.max(tx, (Long) datom.tx());
        }
        return new PriceVersion(e, effectiveAt, amount, currency, until, period, ended, tx);
    }

    /** True when the version is in valid time: a price, a period or an end — not absent, not withdrawn. */
    public boolean exists() {
        return amount != null || ended;
    }

    /** True for a period: it holds in {@code [effectiveAt, effectiveUntil)} only. */
    public boolean isPeriod() {
        return effectiveUntil != null;
    }

    public Instant start() {
        return effectiveAt == null ? null : effectiveAt.toInstant();
    }

    public Instant until() {
        return effectiveUntil == null ? null : effectiveUntil.toInstant();
    }

    /** Whether {@code other} holds the same values (entities and transactions aside). */
    public boolean sameAs(PriceVersion other) {
        return Objects.equals(amount, other.amount) && Objects.equals(currency, other.currency)
                && Objects.equals(effectiveUntil, other.effectiveUntil) && ended == other.ended;
    }

    /**
     * True when {@code next} differs from this version only by holding less — a period made
     * open-ended at the same price, or an end for a period made an open end: that change retracts
     * and asserts nothing, so no current fact would date it ({@code :price/changedBy} is asserted
     * for it).
     */
    public boolean onlyLoses(PriceVersion next) {
        return exists() && next.exists() && isPeriod() && !next.isPeriod() && Objects.equals(amount, next.amount)
                && Objects.equals(currency, next.currency) && ended == next.ended;
    }

    /**
     * Adds to {@code tx} the retractions of what this version holds that {@code next} does not
     * (asserting {@code next}'s own facts replaces the rest): a period that becomes open-ended loses
     * its end, an end that becomes a price loses {@code ended}, a withdrawal loses everything.
     */
    public void retractionsFor(PriceVersion next, List<Object> tx) {
        if (e == null) {
            return;
        }
        retractUnless(tx, Attr.PRICE_AMOUNT, amount, next.amount);
        retractUnless(tx, Attr.PRICE_CURRENCY, currency, next.currency);
        retractUnless(tx, Attr.PRICE_EFFECTIVE_UNTIL, effectiveUntil, next.effectiveUntil);
        retractUnless(tx, Attr.PRICE_PERIOD, period, next.period);
        retractUnless(tx, Attr.PRICE_ENDED, ended ? Boolean.TRUE : null, next.ended ? Boolean.TRUE : null);
    }

    private void retractUnless(List<Object> tx, Keyword attr, Object held, Object next) {
        if (held != null && next == null) {
            tx.add(Util.list(Attr.DB_RETRACT, e, attr, held));
        }
    }
}
