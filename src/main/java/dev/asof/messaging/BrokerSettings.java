package dev.asof.messaging;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns the brokers' connection settings, as platforms hand them out, into the connectors'
 * configuration, and switches each connector on when its connection setting is present:
 * <ul>
 * <li>Kafka: {@code KAFKA_BOOTSTRAP_SERVERS} ({@code host:port,…}), or Heroku's {@code KAFKA_URL}
 *     ({@code kafka+ssl://host:port,…}) with its client certificate ({@code KAFKA_TRUSTED_CERT},
 *     {@code KAFKA_CLIENT_CERT}, {@code KAFKA_CLIENT_CERT_KEY}) and topic prefix ({@code KAFKA_PREFIX});</li>
 * <li>RabbitMQ: {@code RABBITMQ_URL} or CloudAMQP's {@code CLOUDAMQP_URL}
 *     ({@code amqp[s]://user:pass@host:port/vhost}).</li>
 * </ul>
 * What it gives are defaults (ordinal below application.properties): an explicit
 * {@code ASOF_KAFKA_ENABLED=false}, {@code kafka.bootstrap.servers} or topic name wins.
 */
public class BrokerSettings implements ConfigSourceFactory {
    static final int ORDINAL = 240;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> settings = new HashMap<>();
        kafka(name -> value(context, name), settings);
        rabbitmq(name -> value(context, name), settings);
        return List.of(new PropertiesConfigSource(settings, "asof-broker-settings", ORDINAL));
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue().trim();
    }

    static void kafka(UnaryOperator<String> env, Map<String, String> settings) {
        String prefix = env.apply("KAFKA_PREFIX") == null ? "" : env.apply("KAFKA_PREFIX");
        settings.put("asof.kafka.events-topic", prefix + "asof-events");
        settings.put("asof.kafka.dead-letter-topic", prefix + "asof-events-dlq");
        settings.put("asof.kafka.changes-topic", prefix + "asof-changes");
        settings.put("asof.kafka.group-id", prefix + "asof");
        String servers = env.apply("KAFKA_BOOTSTRAP_SERVERS");
        String url = env.apply("KAFKA_URL");
        if (servers == null && url != null) {
            servers = url.replaceAll("kafka(\\+ssl)?://", "");
            if (url.contains("kafka+ssl://")) {
                settings.put("kafka.security.protocol", "SSL");
                // Heroku's broker certificates name no host: trust the given CA, skip the host name check.
                settings.put("kafka.ssl.endpoint.identification.algorithm", "");
                if (env.apply("KAFKA_TRUSTED_CERT") != null) {
                    settings.put("kafka.ssl.truststore.type", "PEM");
                    settings.put("kafka.ssl.truststore.certificates", env.apply("KAFKA_TRUSTED_CERT"));
                }
                if (env.apply("KAFKA_CLIENT_CERT") != null && env.apply("KAFKA_CLIENT_CERT_KEY") != null) {
                    settings.put("kafka.ssl.keystore.type", "PEM");
                    settings.put("kafka.ssl.keystore.certificate.chain", env.apply("KAFKA_CLIENT_CERT"));
                    settings.put("kafka.ssl.keystore.key", pkcs8(env.apply("KAFKA_CLIENT_CERT_KEY")));
                }
            }
        }
        settings.put("asof.kafka.enabled", Boolean.toString(servers != null));
        if (servers != null) {
            settings.put("kafka.bootstrap.servers", servers);
        }
    }

    static void rabbitmq(UnaryOperator<String> env, Map<String, String> settings) {
        String url = env.apply("RABBITMQ_URL") != null ? env.apply("RABBITMQ_URL") : env.apply("CLOUDAMQP_URL");
        settings.put("asof.rabbitmq.enabled", Boolean.toString(url != null));
        if (url == null) {
            return;
        }
        URI uri = URI.create(url);
        boolean tls = "amqps".equals(uri.getScheme());
        settings.put("rabbitmq-host", uri.getHost());
        settings.put("rabbitmq-port", Integer.toString(uri.getPort() > 0 ? uri.getPort() : tls ? 5671 : 5672));
        settings.put("rabbitmq-ssl", Boolean.toString(tls));
        if (uri.getRawUserInfo() != null) {
            String[] user = uri.getRawUserInfo().split(":", 2);
            settings.put("rabbitmq-username", decode(user[0]));
            if (user.length > 1) {
                settings.put("rabbitmq-password", decode(user[1]));
            }
        }
        String path = uri.getRawPath();
        // amqp://host/ is the vhost "/"; amqp://host/x is "x" and amqp://host/%2F is "/" (the AMQP URI spec).
        settings.put("rabbitmq-virtual-host", path == null || path.length() <= 1 ? "/" : decode(path.substring(1)));
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * Kafka reads PEM keys in PKCS#8 only; Heroku hands out PKCS#1 ("BEGIN RSA PRIVATE KEY"). The
     * PKCS#8 form wraps the PKCS#1 bytes with the RSA algorithm identifier.
     */
    static String pkcs8(String pem) {
        if (!pem.contains("BEGIN RSA PRIVATE KEY")) {
            return pem;
        }
        byte[] pkcs1 = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] key = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + key.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(key, 0, body, version.length + algorithm.length, key.length);
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der(0x30, body))
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** One DER element: tag, length (short or long form), content. */
    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] length = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }
}
