package dev.asof.core;

import java.text.Normalizer;
import java.util.List;

/**
 * The one rule for text asof records or is asked about: every string field of an event, however it
 * came (JSON, NDJSON, a broker message), and every id or prefix a client names in a request.
 *
 * <p><b>Text</b> (names, cities, sources, …) is any sequence of Unicode scalar values except the
 * control characters (general category Cc: U+0000–U+001F, U+007F–U+009F). An unpaired surrogate
 * (JSON's {@code "\ud800"}) is not a scalar value: UTF-8 cannot carry it, so PostgreSQL would have
 * stored a {@code ?} in its place and a replay would have recorded another string. Text is kept
 * exactly as sent, not normalised: what is accepted comes back byte for byte, also after a replay.
 *
 * <p><b>Ids</b> (SKUs, customer ids) are text that is also always addressable by path:
 * <ul>
 * <li>in Unicode Normalization Form C (UAX #15), so that two ids that look the same are the same
 *     id: an id in another form is refused, naming NFC, rather than silently changed;</li>
 * <li>without white space at either end, which no one can see in a link;</li>
 * <li>not {@code .} or {@code ..}: dot segments, which a URL's path loses before it is routed (RFC
 *     3986 §5.2.4), even sent as {@code %2E};</li>
 * <li>without {@code /} or {@code \}, which servers and proxies take for path separators even sent as
 *     {@code %2F} or {@code %5C}.</li>
 * </ul>
 * The id rule binds ids not yet recorded: an id recorded before it (in another Unicode form, say)
 * stays readable, and events for it — corrections, a deletion, redeliveries — are still taken.
 * A path or parameter naming an id is held to the text rule only, for the same reason.
 */
public final class Text {
    private Text() {
    }

    /** Why {@code text} breaks the text rule, or null when it keeps it. */
    public static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                return "must not contain control characters (U+" + String.format("%04X", (int) c) + " at " + i + ")";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "must not contain an unpaired surrogate (U+" + String.format("%04X", (int) c) + " at " + i
                        + "): it is not Unicode text";
            }
        }
        return null;
    }

    /**
     * {@code text} fit to be shown back in an answer (a field name, a value in a message): each
     * character the text rule refuses replaced by U+FFFD, so that an answer is always valid JSON.
     */
    public static String shown(String text) {
        if (problem(text) == null) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else {
                out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '\ufffd' : c);
            }
        }
        return out.toString();
    }

    /** Why {@code id} breaks the id rule (the text rule included), or null when it keeps it. */
    public static String idProblem(String id) {
        String problem = problem(id);
        if (problem != null) {
            return problem;
        }
        if (id.equals(".") || id.equals("..")) {
            return "must not be . or .., which a URL's path drops (RFC 3986 dot segments)";
        }
        if (id.indexOf('/') >= 0 || id.indexOf('\\') >= 0) {
            return "must not contain a slash or a backslash, which are taken for path separators";
        }
        if (!id.isEmpty() && (blank(id.codePointAt(0)) || blank(id.codePointBefore(id.length())))) {
            return "must not begin or end with white space";
        }
        if (!Normalizer.isNormalized(id, Normalizer.Form.NFC)) {
            return "must be in Unicode Normalization Form C (NFC), as most systems send text: the same id composed"
                    + " otherwise would look the same and be another";
        }
        return null;
    }

    private static boolean blank(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
    }

    /** Text a client names in a request ({@code name}: its parameter), refused as invalid when it breaks the text rule. */
    public static String requireText(String name, String text) {
        String problem = text == null ? null : problem(text);
        if (problem != null) {
            throw Refusal.invalid("Parameter " + name + " " + problem, List.of(new FieldError(null, null, name, problem)));
        }
        return text;
    }
}
