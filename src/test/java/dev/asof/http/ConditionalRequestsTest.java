package dev.asof.http;

import static dev.asof.support.Events.customer;
import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/**
 * Conditional reads over HTTP (RFC 9110 §13): If-None-Match compares weakly, so a tag a proxy
 * weakened, or a weak tag sent back strong, still revalidates; lists and {@code *} are read as
 * RFC 9110 writes them, a comma inside quotes included; a malformed field is ignored; If-Match
 * compares strongly.
 */
@QuarkusTest
class ConditionalRequestsTest {

    /** A SKU with one price; the t that recorded it. */
    private static long pricedSku(String sku, int amount) {
        return post(price(sku, amount, "EUR")).statusCode(201).extract().jsonPath().getLong("t");
    }

    /** The opaque-tag of an ETag header, without W/ and quotes. */
    private static String opaque(String etag) {
        String strong = etag.startsWith("W/") ? etag.substring(2) : etag;
        assertThat(strong).startsWith("\"").endsWith("\"");
        return strong.substring(1, strong.length() - 1);
    }

    /** A read at {@code t} with {@code If-None-Match: field} gets the whole answer. */
    private static void assertFullAnswer(String field, String sku, long t) {
        Response answer = given().header("If-None-Match", field).get("/prices/{sku}?asOf={t}", sku, t);
        assertThat(answer.statusCode()).as(field).isEqualTo(200);
        assertThat(answer.jsonPath().getInt("amount")).as(field).isEqualTo(10);
    }

    @Test
    void aSettledAnswerRevalidatesWithItsTagWeakened() {
        String sku = sku("weakened");
        long t = pricedSku(sku, 10);
        String tag = given().get("/prices/{sku}?asOf={t}", sku, t).then().statusCode(200).extract().header("ETag");
        assertThat(tag).as("a settled answer's tag is strong").startsWith("\"");

        given().header("If-None-Match", "W/" + tag).get("/prices/{sku}?asOf={t}", sku, t).then()
                .statusCode(304).header("ETag", tag).header("Cache-Control", containsString("immutable"))
                .body(emptyString());
    }

    @Test
    void aNowAnswerRevalidatesWithItsTagStrengthened() {
        String sku = sku("strengthened");
        pricedSku(sku, 10);
        String tag = given().get("/prices/{sku}", sku).then().statusCode(200).extract().header("ETag");
        assertThat(tag).as("an answer about now has a weak tag").startsWith("W/\"");

        given().header("If-None-Match", tag.substring(2)).get("/prices/{sku}", sku).then()
                .statusCode(304).header("ETag", tag);
    }

    @Test
    void aListMatchesWhenOneOfItsTagsDoes() {
        String sku = sku("list");
        long t = pricedSku(sku, 10);
        String tag = given().get("/prices/{sku}?asOf={t}", sku, t).then().extract().header("ETag");

        given().header("If-None-Match", "\"x\", W/" + tag).get("/prices/{sku}?asOf={t}", sku, t).then()
                .statusCode(304);
        // Spaces, tabs and empty elements around the tags are the list's own (RFC 9110 §5.6.1).
        given().header("If-None-Match", " ,\"x\" ,\t,W/\"y\"," + tag + " , ").get("/prices/{sku}?asOf={t}", sku, t)
                .then().statusCode(304);
    }

    @Test
    void aStarMatchesAnyAnswerButDoesNotHideA404() {
        String sku = sku("star");
        pricedSku(sku, 10);
        given().header("If-None-Match", "*").get("/prices/{sku}", sku).then().statusCode(304);
        given().header("If-None-Match", "*").get("/prices/{sku}", sku("none")).then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE);
    }

    @Test
    void aListOfOtherTagsGetsTheAnswer() {
        String sku = sku("other-tags");
        long t = pricedSku(sku, 10);
        String tag = given().get("/prices/{sku}?asOf={t}", sku, t).then().extract().header("ETag");

        given().header("If-None-Match", "\"x\", W/\"" + opaque(tag) + "0\"").get("/prices/{sku}?asOf={t}", sku, t)
                .then().statusCode(200).header("ETag", tag).body("amount", equalTo(10));
    }

    @Test
    void aCommaInsideQuotesIsPartOfOneTag() {
        String sku = sku("comma");
        long t = pricedSku(sku, 10);
        String tag = opaque(given().get("/prices/{sku}?asOf={t}", sku, t).then().extract().header("ETag"));

        // Each is one entity tag whose opaque-tag merely contains the answer's: no match.
        for (String field : new String[] {"\"x," + tag + "\"", "\"" + tag + ",x\"", "W/\"x," + tag + ",y\""}) {
            assertFullAnswer(field, sku, t);
        }
        given().header("If-None-Match", "\"x,y\",\"" + tag + "\"").get("/prices/{sku}?asOf={t}", sku, t).then()
                .statusCode(304);
    }

    @Test
    void aMalformedFieldIsIgnored() {
        String sku = sku("malformed");
        long t = pricedSku(sku, 10);
        String tag = opaque(given().get("/prices/{sku}?asOf={t}", sku, t).then().extract().header("ETag"));

        // RFC 9110 §13.1.2: neither "*" nor a list of entity tags, so the condition is true.
        for (String field : new String[] {tag, "\"" + tag, tag + "\"", "w/\"" + tag + "\"", "W/ \"" + tag + "\"",
                "\"" + tag + "\" \"x\"", "*, \"" + tag + "\"", "\"" + tag + "\"x"}) {
            assertFullAnswer(field, sku, t);
        }
    }

    @Test
    void pagesAndCustomersRevalidateByTheSameRule() {
        String sku = sku("page");
        pricedSku(sku, 10);
        String history = given().get("/prices/{sku}/history", sku).then().statusCode(200).extract().header("ETag");
        given().header("If-None-Match", "\"" + opaque(history) + "\"").get("/prices/{sku}/history", sku).then()
                .statusCode(304);

        String id = sku("c");
        long t = post(with(customer(id), "name", "Ada")).statusCode(201).extract().jsonPath().getLong("t");
        String settled = given().get("/customers/{id}?asOf={t}", id, t).then().statusCode(200).extract().header("ETag");
        given().header("If-None-Match", "W/" + settled).get("/customers/{id}?asOf={t}", id, t).then().statusCode(304);
    }

    @Test
    void ifMatchComparesStrongly() {
        String sku = sku("if-match");
        long t = pricedSku(sku, 10);
        String settled = given().get("/prices/{sku}?asOf={t}", sku, t).then().extract().header("ETag");
        given().header("If-Match", "\"x\", " + settled).get("/prices/{sku}?asOf={t}", sku, t).then().statusCode(200)
                .body("amount", equalTo(10));
        given().header("If-Match", "*").get("/prices/{sku}?asOf={t}", sku, t).then().statusCode(200);
        given().header("If-Match", "W/" + settled).get("/prices/{sku}?asOf={t}", sku, t).then().statusCode(412)
                .contentType(Problem.MEDIA_TYPE).body("detail", containsString("If-Match"))
                .header("Cache-Control", nullValue()); // no cache may keep a 412 as the answer

        // A weak tag matches nothing under the strong comparison, not even itself.
        String now = given().get("/prices/{sku}", sku).then().extract().header("ETag");
        given().header("If-Match", now).get("/prices/{sku}", sku).then().statusCode(412)
                .contentType(Problem.MEDIA_TYPE).header("ETag", now);
    }
}
