package dev.asof.core;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a list answer: its items and, when there are more, the cursor of the next page
 * (which the REST edge also announces as {@code Link: <…>; rel="next"}). {@code bounded}: the page
 * ended where a read bound (how much one page may examine) stopped it, not at its limit or at the
 * end — its shape depends on that setting, so it is never an answer to keep for ever, however
 * settled its basis (not serialized).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Page<T>(List<T> items, String next, @JsonIgnore boolean bounded) implements Paged {

    public Page(List<T> items, String next) {
        this(items, next, false);
    }

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    /** The limit parameter: default 100, at most 1000; anything else is refused as invalid. */
    public static int limit(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw Refusal.invalid("Parameter limit must be a whole number from 1 to " + MAX_LIMIT, null);
    }

    /**
     * Takes up to {@code limit} items of {@code ordered} that come after {@code position} (the
     * position of the last item of the previous page, or null); {@code key} gives each item's
     * position, which the cursor carries.
     */
    public static <T> Page<T> of(Iterable<T> ordered, int limit, Function<T, String> key, String kind) {
        List<T> items = new ArrayList<>(Math.min(limit, 64));
        boolean more = false;
        for (T item : ordered) {
            if (items.size() == limit) {
                more = true;
                break;
            }
            items.add(item);
        }
        String next = more ? Cursor.encode(kind, key.apply(items.get(items.size() - 1))) : null;
        return new Page<>(items, next);
    }
}
