package dev.asof.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.hibernate.validator.constraints.time.DurationMin;

/**
 * Every asof setting, in one place. The README's configuration table mirrors this interface;
 * each property can be set through the environment variable named beside it. Every number and
 * duration has its bounds here: a value outside them stops the start-up with a message naming the
 * property (Quarkus validates the mapping with Hibernate Validator).
 */
@ConfigMapping(prefix = "asof")
public interface AsofConfig {

    /** {@code DATOMIC_URI}: which Datomic database this peer serves. */
    @WithDefault("datomic:mem://asof")
    String datomicUri();

    /** {@code ASOF_WRITE_TOKENS}: bearer tokens that may POST events, comma-separated. */
    Optional<List<String>> writeTokens();

    /** {@code ASOF_READ_TOKENS}: bearer tokens that may read; unset, reads are open. Write tokens may read too. */
    Optional<List<String>> readTokens();

    /**
     * {@code ASOF_ERASE_TOKENS}: who may erase a customer's personal data (issue 24), comma-separated
     * {@code name:token} pairs — the name (1–64 of {@code A-Za-z0-9._-}) is what the audit trail
     * records, never the token. Unset, erasure is refused. Write tokens may not erase.
     */
    Optional<List<String>> eraseTokens();

    /**
     * {@code ASOF_ERASURE_SYNC_WAIT}: on Datomic Pro storage, how long an erasure request waits for
     * the transactor's excision ({@code syncExcise}) before it answers 202, pending.
     */
    @WithDefault("PT30S")
    java.time.Duration erasureSyncWait();

    /** {@code ASOF_METRICS_PROTECTED}: when true, /q/metrics needs a read or write token too. */
    @WithDefault("false")
    boolean metricsProtected();

    Queue queue();

    interface Queue {
        /** {@code ASOF_QUEUE_CAPACITY}: events that may wait for the transact worker; beyond it, 429. */
        @WithDefault("10000")
        @Min(1)
        int capacity();

        /** {@code ASOF_QUEUE_MAX_BATCH}: the most events committed in one Datomic transaction. */
        @WithDefault("1000")
        @Min(1)
        int maxBatch();

        /** {@code ASOF_QUEUE_ADMISSION_WAIT}: how long a bulk request (more than the max batch) waits in line for room before a 429. */
        @WithDefault("2s")
        @DurationMin(millis = 0)
        Duration admissionWait();

        /** {@code ASOF_QUEUE_RETRY_AFTER_SECONDS}: seconds a client is told to wait after a 429 or 503. */
        @WithDefault("1")
        @Min(0)
        @Max(3600)
        int retryAfterSeconds();

        /**
         * {@code ASOF_QUEUE_DEADLINE}: how long a request may wait in the queue for the transact worker
         * to take it. Past it, the request is withdrawn and answered 503 (every event {@code failed}:
         * nothing was recorded, since the worker never took it), so that no request waits for ever
         * behind a writer that is stuck (the journal not answering). 25 s: inside the 30 s after
         * which Heroku's router gives up on a request (H12), so that the client hears asof's answer.
         */
        @WithDefault("25s")
        @DurationMin(millis = 1)
        Duration deadline();
    }

    Journal journal();

    interface Journal {
        /**
         * {@code ASOF_JOURNAL_TIMEOUT}: how long one journal round trip while running (an append, the look for an
         * earlier attempt of an append that found the role taken, a rejection mark, a floor promise, the rewrite of
         * a format-1 row) may take before its outcome counts as unknown; at start-up (taking the writer role,
         * migrating, counting, each replay read), six times this.
         */
        @WithDefault("5s")
        @DurationMin(millis = 1)
        Duration timeout();

        /**
         * {@code ASOF_JOURNAL_ANSWER_WITHIN}: how long a request waits while its batch's journal outcome is
         * unknown (PostgreSQL slow or away); after that it gets a 503 saying the outcome is unknown, and the
         * worker goes on resolving it (a retry with the same event ids then answers duplicate or commits).
         */
        @WithDefault("15s")
        @DurationMin(millis = 1)
        Duration answerWithin();
    }

    Memory memory();

    interface Memory {
        /**
         * {@code ASOF_MEMORY_REFUSE_WRITES_ABOVE}: with the embedded database (which lives on the heap), the
         * share of the maximum heap still in use after a garbage collection above which writes are refused
         * (507) instead of running out of memory; reads go on.
         */
        @WithDefault("0.8")
        @DecimalMin(value = "0", inclusive = false)
        @DecimalMax("1")
        double refuseWritesAbove();

        /**
         * {@code ASOF_MEMORY_BYTES_PER_EVENT}: heap one event holds in the embedded database (measured:
         * 690–1,040 bytes, see docs/benchmarks.md); the start-up uses it to refuse a journal too large
         * for the heap before replaying it.
         */
        @WithDefault("1100")
        @Min(1)
        int bytesPerEvent();
    }

    Changes changes();

    interface Changes {
        /** {@code ASOF_CHANGES_HEARTBEAT}: the longest /changes/stream stays silent; a comment line keeps proxies from closing it. */
        @WithDefault("15s")
        @DurationMin(millis = 1)
        Duration heartbeat();

        /**
         * {@code ASOF_CHANGES_PAGE_DATOMS}: the most Log datoms one /changes page, /tx/{t} answer or
         * change-stream step reads (about 10 a price event); a larger transaction comes in parts.
         * The default holds a whole batch of asof.queue.max-batch's default (1000 events).
         */
        @WithDefault("20000")
        @Min(100)
        int pageDatoms();

        /**
         * {@code ASOF_CHANGES_PAGE_BYTES}: the most bytes of JSON one /changes page, /tx/{t} answer or
         * change-stream step makes (4 MiB); a larger transaction comes in parts.
         */
        @WithDefault("4194304")
        @Min(65536)
        long pageBytes();
    }

    Reads reads();

    interface Reads {
        /**
         * {@code ASOF_READS_SCAN}: how many entries one list or history page may examine beyond its
         * limit without answering them (SKUs with no price in force at a /prices page's point; in a
         * history, events that changed nothing yet are in its index: recorded before such events
         * left it, or by a peer sharing its storage); a page that reaches it ends early, short or
         * even empty, with a next cursor after the last entry it examined.
         */
        @WithDefault("1000")
        @Min(1)
        int scan();

        /**
         * {@code ASOF_READS_EXPORTS}: how many exports (a whole price list, or a range of events, as
         * NDJSON or CSV) may stream at once; each holds a worker thread for as long as its client
         * takes to read it. One more is answered 429 with Retry-After.
         */
        @WithDefault("4")
        @Min(1)
        int exports();

        /**
         * {@code ASOF_READS_DIFF_READS}: how many entries (events in Datomic's Log between the two
         * points, versions in the indexes between the two valid times) one page of a price-list
         * diff may read to find the SKUs that changed. Past it (a diff over much of the history),
         * the page walks the SKUs in order instead, comparing each at both points: limit + scan
         * SKUs a page, as a list page reads them.
         */
        @WithDefault("100000")
        @Min(1)
        int diffReads();
    }

    Kafka kafka();

    /** Events in from a Kafka topic, committed transactions out to another (see {@code dev.asof.messaging}). */
    interface Kafka {
        /**
         * {@code ASOF_KAFKA_ENABLED}: on by default when {@code KAFKA_BOOTSTRAP_SERVERS} or Heroku's
         * {@code KAFKA_URL} is set, off otherwise.
         */
        @WithDefault("false")
        boolean enabled();

        /** {@code ASOF_KAFKA_EVENTS_TOPIC}: where events come from ({@code KAFKA_PREFIX} is put before the default). */
        @WithDefault("asof-events")
        String eventsTopic();

        /** {@code ASOF_KAFKA_DEAD_LETTER_TOPIC}: where messages asof cannot record go, with the reason in headers. */
        @WithDefault("asof-events-dlq")
        String deadLetterTopic();

        /** {@code ASOF_KAFKA_CHANGES_TOPIC}: every committed transaction, in t order. */
        @WithDefault("asof-changes")
        String changesTopic();

        /** {@code ASOF_KAFKA_GROUP_ID}: the consumer group of every asof peer. */
        @WithDefault("asof")
        String groupId();

        /** {@code ASOF_KAFKA_PUBLISH_CHANGES}: publish the change stream when Kafka is on. */
        @WithDefault("true")
        boolean publishChanges();
    }

    Rabbitmq rabbitmq();

    /** Events in from a RabbitMQ queue (AMQP 0-9-1). */
    interface Rabbitmq {
        /** {@code ASOF_RABBITMQ_ENABLED}: on by default when {@code RABBITMQ_URL} or {@code CLOUDAMQP_URL} is set. */
        @WithDefault("false")
        boolean enabled();

        /** {@code ASOF_RABBITMQ_EVENTS_QUEUE}: the queue events come from, declared durable if missing. */
        @WithDefault("asof-events")
        String eventsQueue();

        /** {@code ASOF_RABBITMQ_DEAD_LETTER_QUEUE}: where messages asof cannot record go, with the reason in headers. */
        @WithDefault("asof-events-dlq")
        String deadLetterQueue();

        /** {@code ASOF_RABBITMQ_PREFETCH}: unacknowledged messages the broker hands asof at most (they wait for their commit). */
        @WithDefault("2000")
        @Min(1)
        @Max(65535) // AMQP 0-9-1's prefetch count is an unsigned short
        int prefetch();
    }

    Writer writer();

    interface Writer {
        /**
         * {@code ASOF_WRITER_STALL_LIMIT}: how long the transact worker may hold queued events without
         * finishing a batch before liveness reports it stuck (the platform then restarts the process).
         * Longer than {@code ASOF_JOURNAL_ANSWER_WITHIN}; time spent waiting on an unreachable journal
         * does not count (see {@code dev.asof.health.WriterLiveness}).
         */
        @WithDefault("60s")
        @DurationMin(seconds = 1)
        Duration stallLimit();
    }

    ClockSettings clock();

    interface ClockSettings {
        /**
         * {@code ASOF_CLOCK_MAX_WAIT}: how long a write waits for the clock when it reads earlier than the
         * newest recorded or promised transaction instant (a host whose clock is behind the one that
         * wrote before, a clock stepped back). Further behind, the write is refused with 503 and a
         * Retry-After of the seconds still needed; nothing is recorded. The skew a restart tolerates
         * without refusing writes.
         */
        @WithDefault("10s")
        @DurationMin(millis = 0)
        Duration maxWait();
    }

    Testing testing();

    interface Testing {
        /** {@code ASOF_TESTING_CLOCK_OFFSET}: shifts the service's clock (fault tests step it back); never set it in production. */
        @WithDefault("PT0S")
        Duration clockOffset();
    }

    Limits limits();

    interface Limits {
        /** {@code ASOF_LIMITS_JSON_EVENTS}: the most events in one JSON array. */
        @WithDefault("1000")
        @Min(1)
        int jsonEvents();

        /** {@code ASOF_LIMITS_NDJSON_EVENTS}: the most lines in one NDJSON body, blank ones included. */
        @WithDefault("10000")
        @Min(1)
        int ndjsonEvents();

        /** {@code ASOF_LIMITS_JSON_BYTES}: the largest JSON body (1 MiB). */
        @WithDefault("1048576")
        @Min(1)
        int jsonBytes();

        /** {@code ASOF_LIMITS_NDJSON_BYTES}: the largest NDJSON body (16 MiB; the HTTP layer refuses beyond 17 MiB). */
        @WithDefault("16777216")
        @Min(1)
        int ndjsonBytes();

        /**
         * {@code ASOF_LIMITS_BODY_BYTES_IN_FLIGHT}: request body bytes the process holds at once, across
         * requests, counted from before a body is read until it is parsed (each request reserves its
         * Content-Length; a chunked one, 17 MiB); beyond, 429 with its body unread. Unset: an eighth of the
         * maximum heap, at least the largest body (17 MiB). See {@code dev.asof.http.BodyBudget}.
         */
        Optional<Long> bodyBytesInFlight();

        /**
         * {@code ASOF_LIMITS_BODY_READ_TIMEOUT}: how long a request's body may take to arrive whole; a client
         * that stops sending mid-body is answered 408 and cut off, and its bytes are free again (30 s:
         * Heroku's router gives a whole request 30 s too).
         */
        @WithDefault("30s")
        @DurationMin(seconds = 1)
        Duration bodyReadTimeout();

        /**
         * {@code ASOF_LIMITS_WRITES_IN_FLIGHT}: {@code POST /events} requests admitted at once whose events are
         * not yet queued (being read, waiting to be parsed, or parsing); beyond, 429 at once with the body
         * unread. See {@code dev.asof.ingest.WriteAdmission}.
         */
        @WithDefault("256")
        @Min(1)
        int writesInFlight();
    }
}
