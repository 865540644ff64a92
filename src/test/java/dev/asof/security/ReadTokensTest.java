package dev.asof.security;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;

import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** With ASOF_READ_TOKENS set, reads need a read (or write) token. */
@QuarkusTest
@TestProfile(ReadTokensTest.Closed.class)
class ReadTokensTest {
    static final String WRITER = "writer-5e6f7a8b";
    static final String READER = "reader-1c2d3e4f";

    public static class Closed extends OwnDatabase {
        public Closed() {
            super("asof-read-tokens", "asof.write-tokens", WRITER, "asof.read-tokens", READER);
        }
    }

    @Test
    void readsNeedAReadOrWriteToken() {
        String sku = sku("closed");
        given().auth().oauth2(WRITER).contentType("application/json").body(price(sku, 1, "EUR")).post("/events")
                .then().statusCode(201);
        given().get("/prices/{sku}", sku).then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2("nope").get("/prices/{sku}", sku).then().statusCode(401);
        given().auth().oauth2(READER).get("/prices/{sku}", sku).then().statusCode(200);
        given().auth().oauth2(WRITER).get("/prices/{sku}", sku).then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void settledAnswersAreCachedPrivatelyWhenReadsNeedAToken() {
        String sku = sku("private");
        long t = given().auth().oauth2(WRITER).contentType("application/json").body(price(sku, 1, "EUR")).post("/events")
                .then().statusCode(201).extract().jsonPath().getLong("t");
        given().auth().oauth2(READER).get("/prices/{sku}?asOf={t}", sku, t).then().statusCode(200)
                .header("Cache-Control", org.hamcrest.Matchers.containsString("private"))
                .header("Cache-Control", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("public")))
                .header("Cache-Control", org.hamcrest.Matchers.containsString("immutable"));
    }

    @Test
    void aReadTokenCannotWrite() {
        given().auth().oauth2(READER).contentType("application/json").body(price(sku("ro"), 1, "EUR")).post("/events")
                .then().statusCode(401);
    }
}
