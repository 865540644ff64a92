package dev.asof.core;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A point in system time as a client names it: a Datomic {@code t} or an instant. The one parser of
 * time parameters; bad input is refused as invalid, naming the parameter and the accepted forms.
 */
public sealed interface AsOf permits AsOf.AtT, AsOf.AtInstant {

    String FORMS = "a Datomic t (a whole number of zero or more, such as 1042) or " + Instants.FORM;

    record AtT(long t) implements AsOf {
    }

    record AtInstant(Instant instant) implements AsOf {
    }

    /** {@code null} when the parameter is absent. */
    static AsOf parse(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (Digits.ONLY.matcher(value).matches()) {
            return new AtT(t(name, value));
        }
        return new AtInstant(instant(name, value, FORMS));
    }

    /**
     * The one reader of a Datomic {@code t} a client names (a parameter, a path segment, a header):
     * 1 to 19 ASCII digits that fit a long, nothing else — no sign, no spaces, no fraction, no
     * exponent. Present but empty or malformed is refused naming {@code name}, never read as 0.
     */
    static long t(String name, String value) {
        if (value != null && Digits.ONLY.matcher(value).matches()) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException tooLarge) {
                // reported below
            }
        }
        throw bad(name, value == null ? "" : value, T_FORM, null);
    }

    /** How {@link #t} describes what it takes. */
    String T_FORM = "a Datomic t (a whole number of zero or more, such as 1042)";

    /** An instant parameter (validAt, from, to as instants): {@link Instants}' one rule. */
    static Instant instant(String name, String value) {
        return value == null || value.isEmpty() ? null : instant(name, value, Instants.FORM);
    }

    private static Instant instant(String name, String value, String forms) {
        try {
            return Instants.parse(value);
        } catch (IllegalArgumentException e) {
            throw bad(name, value, forms, e.getMessage());
        }
    }

    /** {@code why}: what is wrong beyond not being one of {@code forms} (null: nothing more to say). */
    private static Refusal bad(String name, String value, String forms, String why) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        // Instants' reasons that only restate the form add nothing to "is not <forms>".
        boolean restates = why == null || why.endsWith(Instants.FORM);
        return Refusal.invalid("Parameter " + name + " is not " + forms + ": '" + shown + "'" + (restates ? "" : " " + why),
                java.util.List.of(new FieldError(null, null, name, why == null ? "must be " + forms : why)));
    }

    final class Digits {
        private static final Pattern ONLY = Pattern.compile("[0-9]{1,19}");

        private Digits() {
        }
    }
}
