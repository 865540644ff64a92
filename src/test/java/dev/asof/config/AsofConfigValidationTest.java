package dev.asof.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.validator.BeanValidationConfigValidatorImpl;
import io.quarkus.runtime.configuration.DurationConverter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A nonsense setting stops the start-up with a message naming the property, as Quarkus does with
 * Hibernate Validator present: the same mapping, built and validated by SmallRye Config here.
 */
class AsofConfigValidationTest {

    @ParameterizedTest
    @CsvSource({
        "asof.queue.max-batch, 0",
        "asof.queue.capacity, 0",
        "asof.queue.retry-after-seconds, -1",
        "asof.queue.deadline, 0s",
        "asof.queue.admission-wait, -1s",
        "asof.journal.timeout, 0s",
        "asof.journal.answer-within, 0s",
        "asof.memory.refuse-writes-above, 1.5",
        "asof.memory.refuse-writes-above, 0",
        "asof.memory.bytes-per-event, 0",
        "asof.changes.heartbeat, 0s",
        "asof.rabbitmq.prefetch, 70000",
        "asof.limits.json-events, 0",
        "asof.limits.ndjson-bytes, 0",
        "asof.limits.body-read-timeout, 0s",
        "asof.changes.page-datoms, 0",
        "asof.reads.scan, 0",
        "asof.writer.stall-limit, 0s",
    })
    void aValueOutOfBoundsStopsTheStartNamingTheProperty(String property, String value) {
        assertThatThrownBy(() -> build(Map.of(property, value)))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining(property);
    }

    @Test
    void theDefaultsAreValid() {
        AsofConfig config = build(Map.of()).getConfigMapping(AsofConfig.class);
        assertThat(config.queue().maxBatch()).isEqualTo(1000);
        assertThat(config.queue().deadline()).hasSeconds(25);
        assertThat(config.writer().stallLimit()).hasSeconds(60);
    }

    private static SmallRyeConfig build(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withMapping(AsofConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus's "15s" form
                .withValidator(new BeanValidationConfigValidatorImpl())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
    }
}
