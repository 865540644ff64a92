package dev.asof.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;

/**
 * An open-loop load generator: requests are sent on a schedule (an arrival rate, as k6's
 * {@code constant-arrival-rate} and {@code ramping-arrival-rate} executors), whether or not earlier
 * ones were answered, and each latency is counted from the request's <em>intended</em> send time.
 * A closed loop (wrk, or a thread per connection) sends the next request only after the last
 * answer, so the time a request would have waited to be sent is never counted (coordinated
 * omission, Gil Tene; HdrHistogram's documentation) and at most as many requests as connections
 * are ever outstanding.
 *
 * <p>Light on purpose, since it shares the cores with the service it measures: one Vert.x event
 * loop (Netty), no thread per connection. Connections are opened as the schedule needs them, up
 * to {@code maxConnections} (k6's {@code maxVUs}); beyond that a request waits in the client's
 * queue, and that wait is counted in its latency, as the schedule says it should have been sent.
 *
 * <p>It also runs a closed loop ({@link #closedLoop}), for throughput against a ceiling: the
 * ingest benchmarks drive the service that way, from the same one event loop.
 */
final class OpenLoop implements AutoCloseable {
    /** Answers slower than this are recorded at this value (k6's default request timeout is 60 s). */
    static final long MAX_MICROS = 60_000_000L;
    /** Connections a generator may open (k6's {@code maxVUs} in the project's scripts). */
    static final int MAX_CONNECTIONS = 1500;

    /** One request to send: method, path and query, headers, body (null for none). */
    record Request(HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
        static Request get(String uri, Map<String, String> headers) {
            return new Request(HttpMethod.GET, uri, headers, null);
        }
    }

    /**
     * What came back for the request to {@code uri}: the status (0 when the connection failed),
     * Retry-After, latency from the intended send time, and when it was meant to be sent (seconds from the start).
     */
    record Answer(String uri, int status, String retryAfter, long micros, double sentAtSeconds) {
    }

    /** A stage of a ramping arrival rate: from the previous stage's rate to {@code target} per second, linearly. */
    record Stage(double target, Duration duration) {
    }

    /** A piecewise-linear arrival rate (k6's ramping-arrival-rate; a constant rate is one flat stage). */
    record Schedule(double startRate, List<Stage> stages) {
        static Schedule constant(double rate, Duration duration) {
            return new Schedule(rate, List.of(new Stage(rate, duration)));
        }

        double seconds() {
            return stages.stream().mapToDouble(s -> s.duration().toMillis() / 1000.0).sum();
        }

        /** Requests per second at {@code t} seconds from the start; 0 after the end. */
        double rateAt(double t) {
            double from = startRate;
            double at = 0;
            for (Stage stage : stages) {
                double length = stage.duration().toMillis() / 1000.0;
                if (t < at + length) {
                    return from + (stage.target() - from) * (t - at) / length;
                }
                at += length;
                from = stage.target();
            }
            return 0;
        }
    }

    /** A scenario: its schedule, the request for the n-th arrival, and what to do with each answer. */
    record Scenario(String name, Schedule schedule, LongFunction<Request> request, Consumer<Answer> answered) {
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final int maxConnections;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger mostOutstanding = new AtomicInteger();

    OpenLoop(URI base, int maxConnections) {
        this.maxConnections = maxConnections;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost(base.getHost()).setDefaultPort(base.getPort())
                .setKeepAlive(true).setPipelining(false)
                .setConnectTimeout(60_000).setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS),
                new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(-1));
    }

    /**
     * Warms the generator itself before a measured run: {@code GET /q/health/live} at 500/s for 5 s,
     * answers not recorded. Without it the generator's own cold start (its JIT, on the cores it shares
     * with the service) showed as reads of up to 0.6 s in the first 10 s of a run against a service
     * already warm. The liveness check runs none of asof's read path, so the service stays as cold as
     * it was.
     */
    void warmUp() throws InterruptedException {
        run(List.of(new Scenario("warm-up", Schedule.constant(500, Duration.ofSeconds(5)),
                n -> Request.get("/q/health/live", Map.of()), answer -> { })));
        mostOutstanding.set(0);
    }

    /** The most requests outstanding at once during {@link #run}. */
    int mostOutstanding() {
        return mostOutstanding.get();
    }

    /**
     * Runs the scenarios side by side from now until the longest schedule ends and every answer is
     * in (or timed out). Answers are handed to each scenario's consumer on the client's one event loop.
     */
    void run(List<Scenario> scenarios) throws InterruptedException {
        long start = System.nanoTime();
        double[] next = new double[scenarios.size()];
        long[] count = new long[scenarios.size()];
        double end = scenarios.stream().mapToDouble(s -> s.schedule().seconds()).max().orElse(0);
        CountDownLatch all = new CountDownLatch(1);
        AtomicInteger open = new AtomicInteger(1);
        while (true) {
            double now = (System.nanoTime() - start) / 1e9;
            if (now >= end) {
                break;
            }
            double soonest = end;
            for (int i = 0; i < scenarios.size(); i++) {
                Scenario scenario = scenarios.get(i);
                while (next[i] <= now) {
                    long intended = start + (long) (next[i] * 1e9);
                    Request request = scenario.request().apply(count[i]++);
                    open.incrementAndGet();
                    double at = next[i];
                    send(request, intended, answer -> {
                        scenario.answered().accept(new Answer(answer.uri(), answer.status(), answer.retryAfter(),
                                answer.micros(), at));
                        if (open.decrementAndGet() == 0) {
                            all.countDown();
                        }
                    });
                    double rate = scenario.schedule().rateAt(at);
                    next[i] = at + (rate > 0 ? 1 / rate : 0.001); // a rate of 0 is looked at again 1 ms later
                    if (next[i] >= scenario.schedule().seconds()) {
                        next[i] = Double.MAX_VALUE;
                    }
                }
                soonest = Math.min(soonest, next[i]);
            }
            long sleep = start + (long) (soonest * 1e9) - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            }
        }
        if (open.decrementAndGet() == 0) {
            all.countDown();
        }
        if (!all.await(MAX_MICROS / 1_000_000 + 10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(open.get() + " requests never answered");
        }
    }

    /**
     * A closed loop, as wrk runs: {@code connections} requests outstanding at all times for
     * {@code length}, each connection sending its next request when its last answer came, latency
     * counted from the actual send. For throughput against a ceiling (what the service carries when
     * it is never idle), not for latency under overload, which only {@link #run} measures honestly.
     * Its cost is this one event loop's, as for {@link #run}: the JDK's HttpClient, a thread a
     * connection, took 3x (100-event POSTs) to 5x (single events) the CPU per request, from the cores
     * it shares with the service (docs/benchmarks.md, 2026-12-01).
     */
    void closedLoop(int connections, Duration length, LongFunction<Request> request, Consumer<Answer> answered)
            throws InterruptedException {
        if (connections > maxConnections) {
            throw new IllegalArgumentException(connections + " connections, more than this generator's " + maxConnections);
        }
        long start = System.nanoTime();
        long deadline = start + length.toNanos();
        AtomicLong count = new AtomicLong();
        CountDownLatch done = new CountDownLatch(connections);
        for (int c = 0; c < connections; c++) {
            vertx.runOnContext(ignored -> next(deadline, start, count, request, answered, done));
        }
        if (!done.await(length.toSeconds() + MAX_MICROS / 1_000_000 + 10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Requests of a closed loop never answered");
        }
    }

    private void next(long deadline, long start, AtomicLong count, LongFunction<Request> request,
            Consumer<Answer> answered, CountDownLatch done) {
        long sent = System.nanoTime();
        if (sent >= deadline) {
            done.countDown();
            return;
        }
        send(request.apply(count.getAndIncrement()), sent, answer -> {
            answered.accept(new Answer(answer.uri(), answer.status(), answer.retryAfter(), answer.micros(),
                    (sent - start) / 1e9));
            if (answer.status() == 0) {
                // No connection: a pause, or a refusing server would be asked as fast as the loop spins.
                vertx.setTimer(10, ignored -> next(deadline, start, count, request, answered, done));
            } else {
                vertx.runOnContext(ignored -> next(deadline, start, count, request, answered, done));
            }
        });
    }

    private void send(Request request, long intended, Consumer<Answer> done) {
        mostOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(request.uri())
                .setIdleTimeout(MAX_MICROS / 1000);
        request.headers().forEach(options::putHeader);
        client.request(options)
                .compose(sending -> request.body() == null ? sending.send() : sending.send(request.body()))
                .compose(response -> response.body().map(body -> response))
                .onComplete(result -> {
                    outstanding.decrementAndGet();
                    long micros = Math.min(MAX_MICROS, (System.nanoTime() - intended) / 1000);
                    if (result.succeeded()) {
                        done.accept(new Answer(request.uri(), result.result().statusCode(),
                                result.result().getHeader("Retry-After"), micros, 0));
                    } else {
                        done.accept(new Answer(request.uri(), 0, null, micros, 0));
                    }
                });
    }

    /**
     * One phase's answers, as a closed loop or a scenario hands them over: those {@code ok} accepts
     * counted with their latency, the rest as failures. Written on the generator's one event loop,
     * read after the phase has returned.
     */
    static final class Tally {
        private final IntPredicate ok;
        private final Histogram latency = histogram();
        private long answered;
        private long failures;

        Tally(IntPredicate ok) {
            this.ok = ok;
        }

        void add(Answer answer) {
            if (ok.test(answer.status())) {
                answered++;
                latency.recordValue(answer.micros());
            } else {
                failures++;
            }
        }

        long answered() {
            return answered;
        }

        long failures() {
            return failures;
        }

        Histogram latency() {
            return latency;
        }
    }

    /** A latency histogram in microseconds, up to {@link #MAX_MICROS}. */
    static Histogram histogram() {
        return new Histogram(MAX_MICROS, 3);
    }

    /** p{@code percentile} of {@code histogram} in milliseconds, or NaN when it is empty. */
    static double millis(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    @Override
    public void close() {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
