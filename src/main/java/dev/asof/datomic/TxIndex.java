package dev.asof.datomic;

import datomic.Database;
import datomic.Datom;
import datomic.Peer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

/**
 * Every transaction's t and instant, in memory, so that "the last transaction at or before t" and
 * "the last transaction at or before an instant" are binary searches instead of Log reads (16
 * bytes a transaction). Loaded from the AVET index of {@code :db/txInstant} at start-up; the
 * transact worker and the transaction report queue append to it. Instants never go backwards
 * (the worker stamps them so), so both columns are sorted.
 */
public final class TxIndex {
    private final Object lock = new Object();
    private volatile long[] ts = new long[1024];
    private volatile long[] instants = new long[1024];
    private volatile int size;

    /** A transaction: its t and its instant in epoch milliseconds. */
    public record Tx(long t, long instantMillis) {
    }

    static TxIndex load(Database db) {
        List<Tx> all = new ArrayList<>();
        for (Datom datom : db.datoms(Database.AVET, Attr.TX_INSTANT)) {
            all.add(new Tx(Peer.toT(datom.e()), ((Date) datom.v()).getTime()));
        }
        all.sort((a, b) -> Long.compare(a.t(), b.t()));
        TxIndex index = new TxIndex();
        all.forEach(tx -> index.record(tx.t(), tx.instantMillis()));
        return index;
    }

    /** Records a transaction; one already known (or older than the newest) is ignored. */
    public void record(long t, long instantMillis) {
        synchronized (lock) {
            int n = size;
            if (n > 0 && t <= ts[n - 1]) {
                return;
            }
            long[] tcol = ts;
            long[] icol = instants;
            if (n == tcol.length) {
                tcol = Arrays.copyOf(tcol, n * 2);
                icol = Arrays.copyOf(icol, n * 2);
            }
            tcol[n] = t;
            icol[n] = n > 0 ? Math.max(instantMillis, icol[n - 1]) : instantMillis;
            ts = tcol;
            instants = icol;
            size = n + 1; // publishes the element
        }
    }

    /** The newest t recorded, or -1. */
    public long lastT() {
        int n = size;
        return n == 0 ? -1 : snapshotTs()[n - 1];
    }

    /** The last transaction with t at or before {@code t}, or null. */
    public Tx atOrBeforeT(long t) {
        int n = size;
        long[] tcol = snapshotTs();
        int i = lastAtOrBelow(tcol, n, t);
        return i < 0 ? null : new Tx(tcol[i], snapshotInstants()[i]);
    }

    /** The t of the first transaction after {@code t}, or Long.MAX_VALUE when none is recorded yet. */
    public long firstAfterT(long t) {
        int n = size;
        long[] tcol = snapshotTs();
        int i = lastAtOrBelow(tcol, n, t) + 1;
        return i < n ? tcol[i] : Long.MAX_VALUE;
    }

    /** The last transaction recorded at or before {@code instantMillis}, or null. */
    public Tx atOrBeforeInstant(long instantMillis) {
        int n = size;
        long[] icol = snapshotInstants();
        int i = lastAtOrBelow(icol, n, instantMillis);
        return i < 0 ? null : new Tx(snapshotTs()[i], icol[i]);
    }

    // Arrays are replaced (grown) before size is published, so arrays read after size hold that many.
    private long[] snapshotTs() {
        return ts;
    }

    private long[] snapshotInstants() {
        return instants;
    }

    private static int lastAtOrBelow(long[] sorted, int n, long key) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= key) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
