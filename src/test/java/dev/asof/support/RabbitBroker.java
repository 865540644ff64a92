package dev.asof.support;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The RabbitMQ server on 127.0.0.1:5672 (guest/guest). A laptop may have none: the RabbitMQ
 * specifications are then skipped, saying so. CI starts the server and sets
 * {@code ASOF_TEST_REQUIRE_RABBITMQ=true}, so that there a missing server fails the run instead.
 */
public final class RabbitBroker {
    public static final String URL = "amqp://guest:guest@127.0.0.1:5672/%2F";

    private RabbitBroker() {
    }

    /** For {@code @EnabledIf}: true when the server answers. */
    public static boolean reachable() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 5672), 1000);
            return true;
        } catch (IOException e) {
            if ("true".equals(System.getenv("ASOF_TEST_REQUIRE_RABBITMQ"))) {
                throw new IllegalStateException("CI requires RabbitMQ on 127.0.0.1:5672 and none answers", e);
            }
            System.err.println("RabbitMQ specifications skipped: no RabbitMQ on 127.0.0.1:5672 (start one with"
                    + " 'rabbitmq-server -detached', or install Debian's rabbitmq-server)");
            return false;
        }
    }

    public static Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URL);
        return factory.newConnection();
    }
}
