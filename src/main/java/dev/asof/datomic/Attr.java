package dev.asof.datomic;

import clojure.lang.Keyword;

/** The Datomic keywords asof's code names, read once. The schema itself is {@code asof/schema.edn}. */
public final class Attr {
    private Attr() {
    }

    public static final Keyword DB_ID = kw("db/id");
    public static final Keyword DB_ADD = kw("db/add");
    public static final Keyword DB_RETRACT = kw("db/retract");
    public static final Keyword DB_RETRACT_ENTITY = kw("db/retractEntity");
    public static final Keyword DB_IDENT = kw("db/ident");
    public static final Keyword DB_VALUE_TYPE = kw("db/valueType");
    public static final Keyword TX_INSTANT = kw("db/txInstant");

    public static final Keyword PRICE_KEY = kw("price/key");
    public static final Keyword PRICE_SKU = kw("price/sku");
    public static final Keyword PRICE_EFFECTIVE_AT = kw("price/effectiveAt");
    public static final Keyword PRICE_AMOUNT = kw("price/amount");
    public static final Keyword PRICE_CURRENCY = kw("price/currency");
    public static final Keyword PRICE_EFFECTIVE_UNTIL = kw("price/effectiveUntil");
    public static final Keyword PRICE_ENDED = kw("price/ended");
    public static final Keyword PRICE_PERIOD = kw("price/period");
    public static final Keyword PRICE_CHANGED_BY = kw("price/changedBy");

    public static final Keyword CUSTOMER_ID = kw("customer/id");
    public static final Keyword CUSTOMER_NAME = kw("customer/name");
    public static final Keyword CUSTOMER_EMAIL = kw("customer/email");
    public static final Keyword CUSTOMER_TIER = kw("customer/tier");
    public static final Keyword CUSTOMER_COUNTRY = kw("customer/country");
    public static final Keyword CUSTOMER_CITY = kw("customer/city");

    public static final Keyword EVENT_ID = kw("event/id");
    public static final Keyword EVENT_HASH = kw("event/hash");
    public static final Keyword EVENT_SUBJECT = kw("event/subject");
    public static final Keyword EVENT_SOURCE = kw("event/source");
    public static final Keyword EVENT_SKU = kw("event/sku");
    public static final Keyword EVENT_UNCHANGED_SUBJECT = kw("event/unchangedSubject");
    public static final Keyword EVENT_UNCHANGED_SKU = kw("event/unchangedSku");
    public static final Keyword EVENT_EFFECTIVE_AT = kw("event/effectiveAt");

    public static final Keyword TX_SOURCES = kw("asof.tx/sources");

    public static final Keyword ERASURE_CUSTOMER = kw("erasure/customer");
    public static final Keyword ERASURE_BY = kw("erasure/by");
    public static final Keyword ERASURE_REASON = kw("erasure/reason");
    public static final Keyword ERASURE_T = kw("erasure/t");
    public static final Keyword DB_EXCISE = kw("db/excise");
    public static final Keyword EXCISE_ATTRS = kw("db.excise/attrs");

    public static Keyword kw(String nsName) {
        return Keyword.intern(nsName);
    }
}
