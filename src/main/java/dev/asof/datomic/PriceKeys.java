package dev.asof.datomic;

/**
 * {@code :price/key}: the SKU, '@', then the valid time in epoch milliseconds written so that keys
 * sort by time over every instant asof takes (years 0001 to 9999): 15 zero-padded digits from 1970
 * on, and before 1970 '-' (which sorts before every digit) and then 10^15 plus the (negative)
 * milliseconds, also 15 digits. Keys of 1970 onwards are what they always were.
 */
public final class PriceKeys {
    private static final long SHIFT = 1_000_000_000_000_000L;

    private PriceKeys() {
    }

    public static String of(String sku, long effectiveAtMillis) {
        return sku + "@" + sortable(effectiveAtMillis);
    }

    /**
     * {@code :price/period}: the SKU, '@', the period's end, '@', its start (each as in a key), so
     * that a SKU's periods sort by their end, then their start.
     */
    public static String period(String sku, long effectiveUntilMillis, long effectiveAtMillis) {
        return sku + "@" + sortable(effectiveUntilMillis) + "@" + sortable(effectiveAtMillis);
    }

    /** The SKU of a key (SKUs hold no '@'). */
    public static String sku(String key) {
        return key.substring(0, key.lastIndexOf('@'));
    }

    /** Epoch milliseconds of years 0001 to 9999 as text that sorts as the instants do. */
    public static String sortable(long millis) {
        return millis >= 0 ? padded(millis) : "-" + padded(SHIFT + millis);
    }

    /** The epoch milliseconds {@link #sortable} wrote. */
    public static long millis(String sortable) {
        return sortable.charAt(0) == '-' ? Long.parseLong(sortable, 1, sortable.length(), 10) - SHIFT
                : Long.parseLong(sortable);
    }

    /** 15 digits, zero-padded (String.format costs more than the read it keys). */
    private static String padded(long value) {
        String digits = Long.toString(value);
        return "0".repeat(15 - digits.length()) + digits;
    }
}
