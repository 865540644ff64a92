package dev.asof.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * A real Apache Kafka broker (KRaft, one node) in the test JVM, from Maven artifacts: no Docker.
 * One broker serves every test class of a run; each test uses topics of its own. As a test
 * resource it switches asof's Kafka connectors on against it.
 */
public class KafkaBroker implements QuarkusTestResourceLifecycleManager {
    private static EmbeddedKafkaBroker broker;
    private static String servers;

    /** The broker's bootstrap servers, starting it on first use. */
    public static synchronized String servers() {
        if (broker == null) {
            broker = new EmbeddedKafkaBroker().withDeleteLogDirsOnClose(true);
            broker.start();
            servers = broker.getAdvertisedListeners().replace("PLAINTEXT://", "");
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        }
        return servers;
    }

    /** Topic names no other test uses. */
    public static String topic(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.bootstrap.servers", servers());
        settings.put("asof.kafka.enabled", "true");
        return settings;
    }

    @Override
    public void stop() {
        // The broker outlives each Quarkus start; it stops with the JVM.
    }

    public static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(props);
    }

    /** Sends one message and waits for the broker to have it. */
    public static RecordMetadata send(String topic, String key, String value) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            return producer.send(new ProducerRecord<>(topic, key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every message the topic holds now (partition 0), from the first, reading for at most {@code within}. */
    public static List<ConsumerRecord<String, String>> readAll(String topic, Duration within) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            if (!consumer.listTopics(Duration.ofSeconds(10)).containsKey(topic)) {
                return records;
            }
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + within.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    public static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers()));
    }

    /** The id of the topic as it exists now (Kafka's id of this incarnation of the name). */
    public static Uuid topicId(String topic) {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deletes the topic and creates it again under the same name, with one partition: its offsets
     * start at 0 again. A consumer subscribed to the name may create it first (auto-creation, as
     * a broker allows by default); either way, what stands under the name afterwards is a new topic.
     */
    public static void recreate(String topic) {
        try (Admin admin = admin()) {
            Uuid old = topicId(topic);
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            // The broker may take a moment to describe the new topic.
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> !topicId(topic).equals(old));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes of a record's header as text, or null. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

}
