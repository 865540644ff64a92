package dev.asof.http;

import jakarta.ws.rs.core.EntityTag;
import java.util.ArrayList;
import java.util.List;

/**
 * The one home of conditional requests (RFC 9110 §13): what a read's {@code If-Match} and
 * {@code If-None-Match} fields, evaluated against the entity tag of the answer it would give, make of
 * it — the answer, 304 Not Modified or 412 Precondition Failed. It decides nothing about the tag itself
 * ({@code dev.asof.datomic.Settledness} does).
 *
 * <p><b>If-None-Match</b> (§13.1.2) uses the <em>weak</em> comparison (§8.8.3.2): two entity tags match
 * when their opaque-tags are the same characters, whether either is marked weak or not. A cache or a
 * compressing proxy that weakens a strong tag ({@code "81b3…"} becomes {@code W/"81b3…"}) still gets
 * its 304, and a client that drops the {@code W/} of a weak one too. The field is {@code "*"} or a
 * comma-separated list of entity tags; evaluated in §13.1.2's three steps:
 * <ol>
 * <li>{@code *}: the condition is false when there is a current representation — there always is
 *     when an answer is given (a 404 stays a 404, §13.2.1);</li>
 * <li>a list of entity tags: false when one of them matches the answer's tag;</li>
 * <li>otherwise true — and so a field that is neither (a malformed value, a lowercase {@code w/}, a
 *     tag without its quotes, {@code *} inside a list) is as if it were not sent: the full answer.</li>
 * </ol>
 * A false condition on a GET or HEAD is a 304 (§13.2.2, step 3).
 *
 * <p><b>If-Match</b> (§13.1.1) uses the <em>strong</em> comparison: both tags strong and the same
 * characters, so a weak tag never matches. {@code *} is true when an answer is given; a list is true
 * when one tag matches; otherwise — a malformed value included — false, which is a 412 (§13.2.2,
 * step 1). It is evaluated first.
 *
 * <p>The grammar read is RFC 9110's, to the letter: {@code entity-tag = [ weak ] opaque-tag},
 * {@code weak = %s"W/"} (case-sensitive), {@code opaque-tag = DQUOTE *etagc DQUOTE},
 * {@code etagc = %x21 / %x23-7E / obs-text} (§8.8.3); lists as §5.6.1 has them: elements separated
 * by commas with optional spaces or tabs around them, empty elements ignored. A comma inside the
 * quotes belongs to the opaque-tag ({@code "a,b"} is one tag), so a list is read tag by tag, never
 * split at commas. Several field lines of one name are one list joined by commas (§5.3).
 * {@code If-Modified-Since} and {@code If-Unmodified-Since} are ignored: asof's answers carry no
 * {@code Last-Modified} (§13.1.3, §13.1.4).
 */
public final class Preconditions {

    /** What a conditional read is answered with. */
    public enum Outcome {
        /** The answer, in full. */
        ANSWER,
        /** 304: the client's copy is current (If-None-Match was false). */
        NOT_MODIFIED,
        /** 412: If-Match was false. */
        PRECONDITION_FAILED
    }

    private Preconditions() {
    }

    /**
     * What a GET or HEAD answered with {@code current} gets, given its If-Match and If-None-Match
     * field lines (null or empty: absent).
     */
    public static Outcome evaluate(List<String> ifMatch, List<String> ifNoneMatch, EntityTag current) {
        if (present(ifMatch) && !ifMatch(String.join(",", ifMatch), current)) {
            return Outcome.PRECONDITION_FAILED;
        }
        if (present(ifNoneMatch) && !ifNoneMatch(String.join(",", ifNoneMatch), current)) {
            return Outcome.NOT_MODIFIED;
        }
        return Outcome.ANSWER;
    }

    /** §13.1.2: whether the If-None-Match condition {@code field} holds for an answer tagged {@code current}. */
    public static boolean ifNoneMatch(String field, EntityTag current) {
        if (isStar(field)) {
            return false;
        }
        List<EntityTag> listed = entityTags(field);
        return listed == null || listed.stream().noneMatch(tag -> weakMatch(tag, current));
    }

    /** §13.1.1: whether the If-Match condition {@code field} holds for an answer tagged {@code current}. */
    public static boolean ifMatch(String field, EntityTag current) {
        if (isStar(field)) {
            return true;
        }
        List<EntityTag> listed = entityTags(field);
        return listed != null && listed.stream().anyMatch(tag -> strongMatch(tag, current));
    }

    /** §8.8.3.2: the same opaque-tag, weak or not. */
    public static boolean weakMatch(EntityTag a, EntityTag b) {
        return a.getValue().equals(b.getValue());
    }

    /** §8.8.3.2: both strong, and the same opaque-tag. */
    public static boolean strongMatch(EntityTag a, EntityTag b) {
        return !a.isWeak() && !b.isWeak() && weakMatch(a, b);
    }

    /**
     * The entity tags of a {@code #entity-tag} list, in order; null when {@code field} is not one.
     * An empty list (only commas and spaces) is a list.
     */
    public static List<EntityTag> entityTags(String field) {
        List<EntityTag> tags = new ArrayList<>();
        int i = 0;
        int n = field.length();
        while (true) {
            i = skipSpace(field, i);
            if (i == n) {
                return tags;
            }
            if (field.charAt(i) == ',') { // an empty element
                i++;
                continue;
            }
            boolean weak = field.startsWith("W/", i);
            int open = weak ? i + 2 : i;
            if (open >= n || field.charAt(open) != '"') {
                return null;
            }
            int close = open + 1;
            while (close < n && etagc(field.charAt(close))) {
                close++;
            }
            if (close >= n || field.charAt(close) != '"') {
                return null;
            }
            tags.add(new EntityTag(field.substring(open + 1, close), weak));
            i = skipSpace(field, close + 1);
            if (i < n && field.charAt(i) != ',') {
                return null;
            }
        }
    }

    /** The field value {@code "*"}, with optional spaces or tabs around it. */
    private static boolean isStar(String field) {
        int start = skipSpace(field, 0);
        return start < field.length() && field.charAt(start) == '*' && skipSpace(field, start + 1) == field.length();
    }

    private static boolean present(List<String> lines) {
        return lines != null && !lines.isEmpty();
    }

    /** etagc = %x21 / %x23-7E / obs-text (%x80-FF): any visible character but DQUOTE. */
    private static boolean etagc(char c) {
        return c == 0x21 || (c >= 0x23 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);
    }

    /** OWS = *( SP / HTAB ). */
    private static int skipSpace(String field, int i) {
        while (i < field.length() && (field.charAt(i) == ' ' || field.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }
}
