package dev.asof.datomic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import datomic.Database;
import dev.asof.config.AsofConfig;
import dev.asof.core.AsOf;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The one place that decides whether an answer is settled, and what its ETag is.
 *
 * <p><b>Invariant</b>: an answer served as settled (immutable caching, strong ETag) is
 * byte-identical for ever after — across restarts, journal delays and failures, clock steps and
 * scheduled prices. It holds because an answer is settled only when the database value it was
 * read from cannot gain a transaction at or before its point:
 * <ul>
 * <li>a {@code t} at or below the basis: {@code db.asOf(t)} is an immutable value;</li>
 * <li>an instant strictly below the writer's floor ({@link TxClock}: no transaction still to come
 *     can carry an earlier instant; with the journal on, the floor promised in PostgreSQL, which the
 *     next process starts from whatever its clock says), the floor being read <em>before</em> the
 *     database value; or
 *     strictly below the newest instant in that value (instants never go backwards: with Datomic
 *     Pro the transactor guarantees it for every peer). Equal instants are allowed by Datomic, so
 *     an instant equal to either is not settled;</li>
 * <li>"now" is never settled.</li>
 * </ul>
 * A settled answer's valid time is fixed by its point (it defaults to the point's instant), so a
 * scheduled price coming into force cannot change it. A wall-clock margin is not a proof and is
 * not used.
 *
 * <p>Answers about "now" carry a weak ETag over their whole body except the fields that merely echo
 * the request's clock ({@code asOf}, {@code validAt} when defaulted): it changes whenever anything
 * else in the body would — a new transaction, or a scheduled price coming into force.
 */
@ApplicationScoped
public class Settledness {
    /** Fields that, in an answer about now, echo the clock of the request rather than the data. */
    private static final Set<String> CLOCK_ECHO = Set.of("asOf", "validAt", "since", "validSince");

    private final TxClock clock;
    private final ObjectMapper mapper;
    /** The same mapper, leaving out {@link #CLOCK_ECHO} fields wherever they occur. */
    private final ObjectMapper withoutClockEcho;
    private final boolean readsNeedToken;

    public Settledness(TxClock clock, ObjectMapper mapper, AsofConfig config) {
        this.clock = clock;
        this.mapper = mapper;
        this.withoutClockEcho = mapper.copy().registerModule(new SimpleModule("asof-without-clock-echo")
                .setSerializerModifier(new BeanSerializerModifier() {
                    @Override
                    public List<BeanPropertyWriter> changeProperties(SerializationConfig config, BeanDescription bean,
                            List<BeanPropertyWriter> properties) {
                        properties.removeIf(property -> CLOCK_ECHO.contains(property.getName()));
                        return properties;
                    }
                }));
        this.readsNeedToken = config.readTokens().map(tokens -> !tokens.isEmpty()).orElse(false);
    }

    /**
     * What the writer vouches for about {@code asOf} (null: now); take it before reading the database
     * value it is applied to.
     */
    public Proof proof(AsOf asOf) {
        return new Proof(asOf instanceof AsOf.AtInstant at ? clock.floor(at.instant()) : clock.floor());
    }

    /** The writer's floor at one moment (null: this peer cannot vouch, another process stamps). */
    public record Proof(Instant floor) {

        /** Whether an answer at {@code asOf}, read from {@code db} (taken after this proof), is settled. */
        public boolean settles(AsOf asOf, Database db) {
            if (asOf == null) {
                return false;
            }
            if (asOf instanceof AsOf.AtT at) {
                return at.t() <= db.basisT();
            }
            Instant instant = ((AsOf.AtInstant) asOf).instant();
            Instant newest = Facts.txInstant(db, db.basisT());
            return (floor != null && instant.isBefore(floor)) || (newest != null && instant.isBefore(newest));
        }
    }

    /** An answer's JSON, serialized once, and its entity tag ({@code weak}: it stands for the data, not the bytes). */
    public record Rendered(byte[] json, String tag, boolean weak) {
    }

    /**
     * The answer's JSON and its entity tag: strong over those exact bytes when settled, weak over
     * the data (the body without the fields that echo the request's clock) otherwise.
     */
    public Rendered render(Object body, boolean settled) {
        try {
            byte[] json = mapper.writeValueAsBytes(body);
            return settled ? new Rendered(json, hash(json), false)
                    : new Rendered(json, hash(withoutClockEcho.writeValueAsBytes(body)), true);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An answer could not be written as JSON", e);
        }
    }

    /** Whether caches shared between clients may keep a settled answer: only when anyone may read it. */
    public boolean shareable() {
        return !readsNeedToken;
    }

    private static String hash(byte[] json) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
