package dev.asof.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one pool of Jackson's reusable buffers that every JSON and CSV reader and writer of asof
 * shares, so that it can be emptied. Jackson keeps each thread's buffers by default, with what they
 * last held: after an erasure (issue 24) a heap dump found an erased customer's values in them — a
 * history page and an export written before it, a journal row. {@link #forget} drops every pooled
 * buffer; the erasure calls it once the database no longer holds the values.
 *
 * <p>Bounded ({@value #SIZE} recyclers): beyond it, a buffer is allocated and dropped, not kept.
 */
public final class JsonBuffers {
    private static final int SIZE = 64;
    private static final RecyclerPool<BufferRecycler> POOL = JsonRecyclerPools.newBoundedPool(SIZE);

    private JsonBuffers() {
    }

    /** {@code factory}, reading and writing with the shared pool. */
    public static <F extends JsonFactory> F shared(F factory) {
        factory.setRecyclerPool(POOL);
        return factory;
    }

    /** {@code mapper}, its factory reading and writing with the shared pool. */
    public static <M extends ObjectMapper> M shared(M mapper) {
        shared(mapper.getFactory());
        return mapper;
    }

    /** Drops every pooled buffer and what it last held; false when the pool could not be emptied. */
    public static boolean forget() {
        return POOL.clear();
    }
}
