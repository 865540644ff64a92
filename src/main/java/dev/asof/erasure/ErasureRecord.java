package dev.asof.erasure;

import java.time.Instant;
import java.util.List;

/**
 * One erasure as the audit trail lists it; it holds no personal data. {@code customer}:
 * {@code sha256:} and the hex SHA-256 of the erased id (UTF-8) — whoever knows an id can tell that
 * it was erased, nobody can read an id from it. {@code t}, {@code erasedAt}: the erasure's
 * transaction. {@code by}: the name its erase token is given in {@code ASOF_ERASE_TOKENS}.
 * {@code status}: {@code complete}, or {@code pending} while Datomic Pro's transactor excises.
 * {@code transactions}: the t of every transaction that held an erased value — what a consumer of
 * the change stream looks for in its own copies.
 */
public record ErasureRecord(String customer, long t, Instant erasedAt, String by, String reason, String status,
        List<Long> transactions) {
}
