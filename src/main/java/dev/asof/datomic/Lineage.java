package dev.asof.datomic;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The identity of a line of database values: every value one database took, from its first
 * transaction on, and nothing else. Positions (a {@code t}, a Log cursor) mean something only in
 * their line; a {@code datomic:mem} database that starts again after a restart numbers its
 * transactions from 1001 again, so that without a lineage a client resuming at t=5202 would wait in
 * silence for a t the new database may reach with other transactions.
 *
 * <p>It is 16 lowercase hex digits (the first 64 bits of SHA-256) of what identifies the line: the
 * journal's own identity (a UUID made once, when the journal is created: every replay of it is the
 * same line) or, without a journal, Datomic's id of the database (the same for every peer of a
 * durable database, new for each {@code datomic:mem} one).
 */
public final class Lineage {
    private Lineage() {
    }

    public static String of(String identity) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
