package dev.asof.datomic;

import clojure.lang.Keyword;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Which facts identify a person, and what an erasure leaves in their place (issue 24): the one home
 * of that rule, for the erasure itself, the journal's rewrite, and every read that shows a value.
 *
 * <p><b>Personal</b>: a customer's {@code name}, {@code email} and {@code city}, and its
 * {@code id} — some clients use an email address as the id, and asof cannot tell which ids name a
 * person, so every id is erased. On the customer's events: {@code :event/subject} and
 * {@code :event/unchangedSubject} (they name the id) and {@code :event/hash} (a SHA-256 of the event
 * as sent, name and email included: whoever guesses the values could confirm them with it).
 * <b>Kept</b>: {@code tier} (a loyalty level shared by many customers) and {@code country} (an ISO
 * 3166 code: alone, or with a tier, it narrows a person down to millions); without the id, name,
 * email and city they no longer relate to anybody. The event's {@code id}, {@code source}, and
 * the transactions with their {@code t} and instants stay too.
 *
 * <p><b>Placeholders.</b> Where a store cannot remove facts from its past without renumbering it
 * (an embedded {@code datomic:mem} database, the journal's rows), an erased value is replaced by a
 * placeholder that starts with U+0018 CANCEL, a control character no event can carry
 * ({@link dev.asof.core.Text}): so no client value is ever taken for one. The id becomes
 * {@code U+0018 sha256:<hex>} (the {@link #digest}, so the customer's facts stay one entity, and
 * the erasure record finds them), each distinct value of an attribute {@code U+0018 <attribute>#<n>}
 * (n counts the values the customer held in that attribute, in t order: a change stays a change,
 * and no two values merge), and an event's hash {@code U+0018 erased}. Reads show a placeholder as
 * no value, with {@code erased: true}, and an erased id as {@code erased}: never the digest, which
 * whoever guesses an id (an email address) could confirm with it. The digest is kept only where
 * the erasure itself needs it — its record, listed to erase tokens, and the placeholder stored.
 */
public final class PersonalData {
    private PersonalData() {
    }

    /** U+0018 CANCEL: every placeholder starts with it. */
    public static final char MARK = '\u0018';

    /** A customer's attributes that identify a person: erased. */
    public static final Set<Keyword> CUSTOMER = Set.of(Attr.CUSTOMER_ID, Attr.CUSTOMER_NAME, Attr.CUSTOMER_EMAIL,
            Attr.CUSTOMER_CITY);

    /** A customer event's attributes that carry or confirm personal data: erased. */
    public static final Set<Keyword> EVENT = Set.of(Attr.EVENT_SUBJECT, Attr.EVENT_UNCHANGED_SUBJECT, Attr.EVENT_HASH);

    /** What an erased event's hash becomes. */
    public static final String ERASED_HASH = MARK + "erased";

    /** {@code sha256:} and the lowercase hex SHA-256 of the id's UTF-8 bytes: how an erased customer is named. */
    public static String digest(String customerId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(customerId.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }

    /** The placeholder an erased customer's id becomes. */
    public static String erasedId(String customerId) {
        return MARK + digest(customerId);
    }

    /** The placeholder of the {@code n}-th (from 1) distinct value a customer held in {@code attr}. */
    public static String placeholder(Keyword attr, int n) {
        return MARK + attr.getName() + "#" + n;
    }

    /** True when {@code value} is a placeholder an erasure left. */
    public static boolean isErased(Object value) {
        return value instanceof String s && !s.isEmpty() && s.charAt(0) == MARK;
    }

    /** What reads show for an erased customer's id. */
    public static final String SHOWN_ERASED_ID = "erased";

    /** A customer id as reads show it: itself, or {@value #SHOWN_ERASED_ID} for an erased one. */
    public static String shownId(String id) {
        return isErased(id) ? SHOWN_ERASED_ID : id;
    }

    /** An event's subject as reads show it: {@code customer:erased} for an erased customer's. */
    public static String shownSubject(String subject) {
        int colon = subject == null ? -1 : subject.indexOf(':');
        return colon < 0 ? subject : subject.substring(0, colon + 1) + shownId(subject.substring(colon + 1));
    }

    /** A value as reads show it: itself, or null for a placeholder (the read says {@code erased: true}). */
    public static Object shown(Object value) {
        return isErased(value) ? null : value;
    }
}
