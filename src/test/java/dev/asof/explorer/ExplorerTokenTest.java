package dev.asof.explorer;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The explorer where reads need a token: it says so in words, takes one, and keeps it out of the URL. */
@QuarkusTest
@TestProfile(ExplorerTokenTest.Closed.class)
@EnabledIf(value = "dev.asof.support.Browser#installed",
        disabledReason = "no Chromium: apt-get install chromium chromium-driver")
class ExplorerTokenTest extends InBrowser {
    static final String WRITER = "writer-9a8b7c6d";
    static final String READER = "reader-3e4f5a6b";

    public static class Closed extends OwnDatabase {
        public Closed() {
            super("asof-explorer-tokens", "asof.write-tokens", WRITER, "asof.read-tokens", READER);
        }
    }

    private static long post(String sku, Object amount) {
        return given().auth().oauth2(WRITER).contentType("application/json").body(price(sku, amount, "EUR"))
                .post("/events").then().statusCode(201).extract().jsonPath().getLong("t");
    }

    @Test
    void withoutATokenThePageSaysSoAndWithOneItShowsEverythingLive() {
        String sku = sku("closed");
        post(sku, 1);
        WebDriverWait waiting = waiting();
        open("?sku=" + sku);

        WebElement error = waiting.until(d -> {
            WebElement box = d.findElement(By.id("error"));
            return box.isDisplayed() && !box.getText().isEmpty() ? box : null;
        });
        assertThat(error.getText()).contains("Reads need a bearer token").contains("Access token");
        assertThat(browser.findElement(By.id("access")).getAttribute("open")).isNotNull();

        browser.findElement(By.id("token")).sendKeys(READER, Keys.ENTER);
        waiting.until(d -> d.findElements(By.cssSelector("#chart path.version")).size() == 1
                && "live".equals(d.findElement(By.id("live")).getAttribute("data-stream")));
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
        assertThat(browser.getCurrentUrl()).doesNotContain(READER);
        assertThat(browser.executeScript("return sessionStorage.getItem('asof.token')")).isEqualTo(READER);

        // The change stream is read with the token too: a new version appears without a reload.
        post(sku, 2);
        waiting.until(d -> d.findElements(By.cssSelector("#chart path.version")).size() == 2);

        // A reload keeps the token for this tab; forgetting it closes the reads again.
        browser.navigate().refresh();
        waiting.until(d -> d.findElements(By.cssSelector("#chart path.version")).size() == 2);
        browser.findElement(By.cssSelector("#access summary")).click();
        browser.findElement(By.id("forget-token")).click();
        browser.navigate().refresh();
        waiting.until(d -> d.findElement(By.id("error")).getText().contains("Reads need a bearer token"));
    }
}
