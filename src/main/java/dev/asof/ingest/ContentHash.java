package dev.asof.ingest;

import dev.asof.events.CustomerEvent;
import dev.asof.events.Event;
import dev.asof.events.PriceEvent;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeSet;

/**
 * The identity of an event's content, for idempotency: SHA-256 over its fields as the client sent
 * them, without the id. Amounts compare by value (10.0 equals 10.00); an absent effectiveAt stays
 * absent, so a retry without one is still the same event. A period's end, an end and a withdrawal
 * are hashed only when present, so every event without them keeps the hash it was recorded with.
 */
final class ContentHash {
    private ContentHash() {
    }

    static String of(Event event) {
        StringBuilder s = new StringBuilder();
        if (event instanceof PriceEvent p) {
            s.append("price")
                    .append('\u001f').append(p.sku())
                    .append('\u001f').append(amount(p.amount()))
                    .append('\u001f').append(p.currency())
                    .append('\u001f').append(p.effectiveAt() == null ? "" : p.effectiveAt().toEpochMilli())
                    .append('\u001f').append(optional(p.source()));
            // Fields of issue 21, only when present: the hashes of events without them stay what they were.
            if (p.effectiveUntil() != null) {
                s.append('\u001f').append("until=").append(p.effectiveUntil().toEpochMilli());
            }
            if (p.isEnd()) {
                s.append('\u001f').append("ended");
            }
            if (p.isWithdrawal()) {
                s.append('\u001f').append("withdrawn");
            }
        } else if (event instanceof CustomerEvent c) {
            s.append("customer")
                    .append('\u001f').append(c.customerId())
                    .append('\u001f').append(optional(c.name()))
                    .append('\u001f').append(optional(c.email()))
                    .append('\u001f').append(c.tier())
                    .append('\u001f').append(c.country())
                    .append('\u001f').append(optional(c.city()))
                    .append('\u001f').append(c.isDeletion())
                    .append('\u001f').append(new TreeSet<>(c.cleared()))
                    .append('\u001f').append(optional(c.source()));
        }
        return sha256(s.toString());
    }

    /**
     * A field that may be absent: absent is hashed as {@code null}, as it always was (so the hashes
     * of events recorded before stay the same), and the text {@code "null"} — which used to hash the
     * same, so that sending it under an id recorded without the field was answered duplicate — is
     * told apart by a separator no text holds (controls are refused, dev.asof.core.Text). An event
     * recorded before with a field holding exactly the text "null", sent again, is answered 422 (content
     * differs): rare enough (a name, email, city or source that is the word null) to accept.
     */
    private static String optional(String text) {
        return "null".equals(text) ? "\u001e\"null\"" : text;
    }

    private static String amount(BigDecimal amount) {
        return amount == null ? "" : amount.stripTrailingZeros().toPlainString();
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
