package dev.asof.core;

import java.time.Instant;

/** One change in a history answer: when it was recorded, and where it sorts (what its cursor carries). */
public interface HistoryItem {
    long t();

    Instant txInstant();

    /** A string that sorts as the history reads, unique within one history. */
    String position();
}
