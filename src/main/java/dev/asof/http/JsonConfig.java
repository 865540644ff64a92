package dev.asof.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.asof.core.JsonBuffers;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Amounts go out as written (19.990, never 1.999E+1); instants as ISO-8601 strings; buffers from
 * the pool an erasure empties ({@link JsonBuffers}).
 */
@Singleton
public class JsonConfig implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        // Buffers from the pool an erasure can empty (JsonBuffers), not per thread.
        JsonBuffers.shared(mapper);
    }
}
