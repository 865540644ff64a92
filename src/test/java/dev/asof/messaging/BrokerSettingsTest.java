package dev.asof.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The brokers' settings as platforms hand them out, turned into the connectors' configuration. */
class BrokerSettingsTest {

    @Test
    void withoutAConnectionSettingBothConnectorsAreOff() {
        Map<String, String> settings = settings(Map.of());
        assertThat(settings).containsEntry("asof.kafka.enabled", "false").containsEntry("asof.rabbitmq.enabled", "false")
                .doesNotContainKey("kafka.bootstrap.servers");
    }

    @Test
    void herokuKafkaUrlBecomesTlsBootstrapServersWithItsPrefix() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        PrivateKey key = generator.generateKeyPair().getPrivate();
        byte[] pkcs8 = key.getEncoded();
        // A 2048-bit key's PKCS#8 form is 26 bytes of header around its PKCS#1 form, which Heroku hands out.
        byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        String heroku = "-----BEGIN RSA PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pkcs1)
                + "\n-----END RSA PRIVATE KEY-----\n";

        Map<String, String> settings = settings(Map.of("KAFKA_URL", "kafka+ssl://b1.example:9096,kafka+ssl://b2.example:9096",
                "KAFKA_TRUSTED_CERT", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                "KAFKA_CLIENT_CERT", "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----",
                "KAFKA_CLIENT_CERT_KEY", heroku, "KAFKA_PREFIX", "tenant-7."));

        assertThat(settings).containsEntry("kafka.bootstrap.servers", "b1.example:9096,b2.example:9096")
                .containsEntry("asof.kafka.enabled", "true")
                .containsEntry("kafka.security.protocol", "SSL")
                .containsEntry("kafka.ssl.keystore.type", "PEM")
                .containsEntry("asof.kafka.events-topic", "tenant-7.asof-events")
                .containsEntry("asof.kafka.group-id", "tenant-7.asof");
        String converted = settings.get("kafka.ssl.keystore.key");
        assertThat(converted).startsWith("-----BEGIN PRIVATE KEY-----");
        byte[] der = Base64.getMimeDecoder().decode(converted.replaceAll("-----[A-Z ]+-----", ""));
        assertThat(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der))).isEqualTo(key);
    }

    @Test
    void cloudAmqpUrlBecomesHostCredentialsAndVirtualHost() {
        Map<String, String> settings = settings(Map.of("CLOUDAMQP_URL", "amqps://user:p%40ss@bee.rmq.example/vhost1"));
        assertThat(settings).containsEntry("asof.rabbitmq.enabled", "true")
                .containsEntry("rabbitmq-host", "bee.rmq.example")
                .containsEntry("rabbitmq-port", "5671")
                .containsEntry("rabbitmq-ssl", "true")
                .containsEntry("rabbitmq-username", "user")
                .containsEntry("rabbitmq-password", "p@ss")
                .containsEntry("rabbitmq-virtual-host", "vhost1");
        assertThat(settings(Map.of("RABBITMQ_URL", "amqp://guest:guest@localhost:5672/%2F")))
                .containsEntry("rabbitmq-virtual-host", "/").containsEntry("rabbitmq-ssl", "false");
    }

    private static Map<String, String> settings(Map<String, String> env) {
        Map<String, String> settings = new HashMap<>();
        BrokerSettings.kafka(env::get, settings);
        BrokerSettings.rabbitmq(env::get, settings);
        return settings;
    }
}
