package dev.asof.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Walks a history's pages from its start to its end, following {@code next}, as a client would. */
public final class HistoryPages {
    /** Reads amounts with their scale: 1.0 is not 1. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private HistoryPages() {
    }

    /**
     * Every page of the history at {@code path} ({@code /prices/{sku}/history}, {@code /customers/{id}/history})
     * in {@code order}, {@code limit} items a page, each item as {@code item} writes it.
     */
    public static List<List<String>> walk(String path, String order, int limit, Function<JsonNode, String> item) {
        List<List<String>> pages = new ArrayList<>();
        String cursor = null;
        do {
            var request = given().queryParam("order", order).queryParam("limit", limit);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonNode page = read(request.get(path).then().statusCode(200).extract().asString());
            List<String> items = new ArrayList<>();
            page.get("items").forEach(node -> items.add(item.apply(node)));
            pages.add(items);
            cursor = page.hasNonNull("next") ? page.get("next").asText() : null;
        } while (cursor != null && pages.size() <= 1000);
        assertThat(cursor).as("%s walked to its end", path).isNull();
        return pages;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
