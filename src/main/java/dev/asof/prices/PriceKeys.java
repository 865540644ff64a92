package dev.asof.prices;

/** {@code :price/key}: the SKU, '@', then the valid time as zero-padded epoch milliseconds, so keys sort by time. */
public final class PriceKeys {
    private PriceKeys() {
    }

    public static String of(String sku, long effectiveAtMillis) {
        return sku + "@" + String.format("%015d", effectiveAtMillis);
    }
}
