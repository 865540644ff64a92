package dev.asof.bench;

import dev.asof.ingest.RawTransact;
import dev.asof.support.KafkaBroker;
import dev.asof.support.PackagedService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka ingest against HTTP ingest, in one service process: a topic pre-filled with
 * {@code bench.kafkaWarmEvents} + {@code bench.kafkaEvents} price events (one event a message,
 * keyed by SKU) is consumed from the start; the first events warm the JIT and the rate is taken
 * over the rest, until all are committed. The change stream's lag (basis t minus last published t)
 * is sampled meanwhile. Then 100-event HTTP POSTs from 16 connections on the same, warm service.
 * Run with {@code ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.KafkaBenchmark}.
 */
public final class KafkaBenchmark {
    private static final int EVENTS = Integer.getInteger("bench.kafkaEvents", 1_000_000);
    private static final int WARM = Integer.getInteger("bench.kafkaWarmEvents", 200_000);
    private static final int SKUS = 100_000;
    private static final int RAW_EVENTS = 300_000;
    private static final Duration PHASE = Duration.ofSeconds(Long.getLong("bench.seconds", 20));

    private KafkaBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // The anchor, in this JVM before the broker has work: the topic's own events (one version
        // each, SKU i % SKUS), committed straight to an in-process mem database 1,000 a transaction,
        // measured after the same WARM events fill it, so that the measured ones reprice known SKUs
        // as the measured Kafka events do (the service's database holds more by then: see the docs).
        RawTransact.measure(1000, 0, 100_000, KafkaBenchmark::sku); // warm-up: Clojure compile and JIT
        RawTransact.Rate raw = RawTransact.measure(1000, WARM, RAW_EVENTS, KafkaBenchmark::sku);
        String topic = KafkaBroker.topic("bench-events");
        String changes = KafkaBroker.topic("bench-changes");
        long filling = System.nanoTime();
        prefill(topic, WARM + EVENTS);
        System.out.printf(Locale.ROOT, "Topic %s pre-filled with %,d events in %.1f s%n", topic, WARM + EVENTS,
                (System.nanoTime() - filling) / 1e9);

        List<String> jvm = new java.util.ArrayList<>(List.of("-Xmx4g", "-XX:MaxGCPauseMillis=10", "-Dquarkus.log.level=WARN"));
        String extra = System.getProperty("bench.serviceOpts", "");
        if (!extra.isBlank()) {
            jvm.addAll(List.of(extra.trim().split("\\s+"))); // e.g. a JFR recording
        }
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", KafkaBroker.servers(),
                "ASOF_KAFKA_EVENTS_TOPIC", topic, "ASOF_KAFKA_CHANGES_TOPIC", changes,
                "ASOF_KAFKA_DEAD_LETTER_TOPIC", topic + "-dlq");
        try (PackagedService service = PackagedService.start(PackagedService.freePort(), "bench-kafka", env, jvm)) {
            String base = service.awaitReady(Duration.ofSeconds(120)).base();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(8)).build();

            long warmedAt = 0;
            long doneAt = 0;
            long drainedAt = 0;
            double maxLag = 0;
            double lagSum = 0;
            int samples = 0;
            IngestBenchmark.Worker before = null;
            IngestBenchmark.Worker after = null;
            double createdWarm = 0;
            double createdDone = 0;
            IngestBenchmark.Cpu cpuBefore = null;
            IngestBenchmark.Cpu cpuAfter = null;
            while (drainedAt == 0) {
                String metrics = get(client, base + "/q/metrics");
                double created = metric(metrics, "asof_events_total{outcome=\"created\"");
                double lag = metric(metrics, "asof_changes_lag");
                long now = System.nanoTime();
                if (warmedAt == 0 && created >= WARM) {
                    warmedAt = now;
                    createdWarm = created;
                    before = IngestBenchmark.Worker.scrape(client, base);
                    cpuBefore = IngestBenchmark.Cpu.now(service);
                }
                if (warmedAt != 0 && doneAt == 0) {
                    maxLag = Math.max(maxLag, lag);
                    lagSum += lag;
                    samples++;
                }
                if (doneAt == 0 && created >= WARM + EVENTS) {
                    doneAt = now;
                    createdDone = created;
                    after = IngestBenchmark.Worker.scrape(client, base);
                    cpuAfter = IngestBenchmark.Cpu.now(service);
                }
                if (doneAt != 0 && lag == 0) {
                    drainedAt = now;
                }
                Thread.sleep(100); // each sample costs both processes CPU, inside the measured window
            }
            Duration kafkaPhase = Duration.ofNanos(doneAt - warmedAt);
            double measured = createdDone - createdWarm;
            double kafkaRate = measured / (kafkaPhase.toNanos() / 1e9);

            OpenLoop load = new OpenLoop(URI.create(base), 16);
            IngestBenchmark.run(load, 16, 100, Duration.ofSeconds(10)); // the HTTP path's own code warms
            IngestBenchmark.Worker httpBefore = IngestBenchmark.Worker.scrape(client, base);
            IngestBenchmark.Result http = IngestBenchmark.run(load, 16, 100, PHASE);
            IngestBenchmark.Worker httpAfter = IngestBenchmark.Worker.scrape(client, base);

            System.out.println();
            System.out.println("| measurement | events/s | mean batch | worker in transact |");
            System.out.println("|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| raw transact, 1000 events/tx, the same SKUs, in-process | %,.0f | 1000 | - |%n",
                    raw.eventsPerSecond());
            System.out.printf(Locale.ROOT, "| Kafka, %,d events after %,d to warm, 1 event/message | %,.0f |%s%n", EVENTS,
                    WARM, kafkaRate, after.since(before, kafkaPhase));
            System.out.printf(Locale.ROOT, "| HTTP POST, 100 events/request, 16 connections | %,.0f |%s%n",
                    http.eventsPerSecond(), httpAfter.since(httpBefore, PHASE));
            System.out.printf(Locale.ROOT, "%nKafka / HTTP: %.2f. Change stream while Kafka ingested: lag mean %,.0f t,"
                    + " max %,.0f t (%d samples); all published %.2f s after the last commit.%n",
                    kafkaRate / http.eventsPerSecond(), lagSum / samples, maxLag, samples, (drainedAt - doneAt) / 1e9);
            double serviceCpu = cpuAfter.serviceSince(cpuBefore, measured);
            double brokerCpu = cpuAfter.generatorSince(cpuBefore, measured); // this JVM: the broker, and the sampling
            double bound = IngestBenchmark.Cpu.bound(serviceCpu + brokerCpu);
            System.out.printf(Locale.ROOT, "Kafka / raw: %.2f. CPU per 1000 events: service %.0f ms, broker (this JVM) %.0f ms,"
                    + " raw commit %.0f ms; with every core busy, %d cores carry at most %,.0f events/s at that cost:"
                    + " %.0f%% of raw.%n", kafkaRate / raw.eventsPerSecond(), serviceCpu, brokerCpu,
                    raw.cpuMillisPerThousand(), IngestBenchmark.Cpu.CORES, bound, 100 * bound / raw.eventsPerSecond());
        }
        System.exit(0);
    }

    /** The SKU of the topic's event {@code i}: {@value #SKUS} SKUs in turn. */
    private static String sku(int i) {
        return "K-" + (i % SKUS);
    }

    private static void prefill(String topic, int events) throws Exception {
        var props = new java.util.Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.servers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < events; i++) {
                String sku = sku(i);
                String event = "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"price\",\"sku\":\"" + sku
                        + "\",\"amount\":" + (i % 1000) + ".99,\"currency\":\"EUR\",\"effectiveAt\":\""
                        + java.time.Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i) + "\",\"source\":\"bench\"}";
                producer.send(new ProducerRecord<>(topic, sku, event.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private static String get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double metric(String metrics, String prefix) {
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
