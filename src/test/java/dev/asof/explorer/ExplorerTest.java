package dev.asof.explorer;

import static dev.asof.support.Events.customer;
import static dev.asof.support.Events.end;
import static dev.asof.support.Events.period;
import static dev.asof.support.Events.post;
import static dev.asof.support.Events.postNdjson;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static dev.asof.support.Events.withdrawal;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.either;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.support.Browser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The explorer page at /, in headless Chromium against the running service: every answer it shows
 * is checked against the API's own.
 */
@QuarkusTest
@EnabledIf(value = "dev.asof.support.Browser#installed",
        disabledReason = "no Chromium: apt-get install chromium chromium-driver")
class ExplorerTest extends InBrowser {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A SKU with plain changes, a correction, a scheduled price and a late arrival, one transaction each. */
    record Scenario(String sku, List<Long> ts, Map<String, Object> corrected) {
    }

    private static Scenario scenario(String name) {
        String sku = sku(name);
        List<Long> ts = new ArrayList<>();
        ts.add(postPrice(sku, "10.00", "2026-01-01T00:00:00Z", "erp"));
        ts.add(postPrice(sku, "12.00", "2026-03-01T00:00:00Z", "erp"));
        ts.add(postPrice(sku, "15.00", "2026-06-01T00:00:00Z", "erp"));
        Map<String, Object> correction = with(with(price(sku, "11.50", "EUR"), "effectiveAt", "2026-03-01T00:00:00Z"),
                "source", "pricing-desk");
        ts.add(post(correction).statusCode(201).extract().jsonPath().getLong("t"));
        String scheduled = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS).toString();
        ts.add(postPrice(sku, "18.00", scheduled, "erp"));
        ts.add(postPrice(sku, "10.50", "2026-02-01T00:00:00Z", "late-feed"));
        return new Scenario(sku, ts, correction);
    }

    private static long postPrice(String sku, String amount, String effectiveAt, String source) {
        Map<String, Object> event = with(with(price(sku, amount, "EUR"), "effectiveAt", effectiveAt), "source", source);
        return post(event).statusCode(201).extract().jsonPath().getLong("t");
    }

    private static List<WebElement> versions() {
        return browser.findElements(By.cssSelector("#chart path.version"));
    }

    private static WebElement answerFor(String asOf) {
        return waiting().until(d -> {
            WebElement answer = d.findElement(By.id("answer"));
            String state = answer.getAttribute("data-state");
            return asOf.equals(answer.getAttribute("data-as-of")) && state != null && !"loading".equals(state) ? answer : null;
        });
    }

    /** The amount the page shows ("11.50 EUR"), or null where it shows that no price was in force. */
    private static BigDecimal shownAmount(WebElement answer) {
        if ("none".equals(answer.getAttribute("data-state"))) {
            return null;
        }
        assertThat(answer.getAttribute("data-state")).isEqualTo("found");
        String text = answer.findElement(By.className("amount")).getText();
        return new BigDecimal(text.replace(" EUR", "").replace(",", "")).stripTrailingZeros();
    }

    /** What the API answers for the same question, as the page asked it. */
    private static BigDecimal apiAmount(String sku, String asOf, String validAt) {
        Response response = given().queryParam("asOf", asOf)
                .queryParams(validAt == null ? Map.of() : Map.of("validAt", validAt)).get("/prices/{sku}", sku);
        if (response.statusCode() == 404) {
            return null;
        }
        assertThat(response.statusCode()).isEqualTo(200);
        return new BigDecimal(response.jsonPath().getString("amount")).stripTrailingZeros();
    }

    @Test
    void theChartDrawsOneShapePerVersionMarkingCorrectionsScheduledPricesAndLateArrivals() throws Exception {
        Scenario s = scenario("chart");
        open("?sku=" + s.sku());

        waiting().until(d -> versions().size() == 6);
        List<String> kinds = versions().stream().map(v -> v.getAttribute("data-kind")).toList();
        assertThat(kinds).containsExactly("plain", "plain", "plain", "correction", "scheduled", "late");
        // The corrected version stopped at the correction's transaction; the rest still stand.
        List<String> supersededAt = versions().stream().map(v -> v.getAttribute("data-to-t")).toList();
        assertThat(supersededAt).containsExactly("", String.valueOf(s.ts().get(3)), "", "", "", "");
        // Each kind looks different: its fill, and where it has one, its outline.
        List<String> looks = versions().subList(2, 6).stream()
                .map(v -> v.getCssValue("fill") + " " + v.getCssValue("stroke-dasharray")).toList();
        assertThat(looks).doesNotHaveDuplicates();
        assertThat(browser.findElement(By.id("title")).getText()).contains("6 versions in 6 transactions");
        Browser.screenshot(browser, "explorer-price");
    }

    @Test
    void movingTheSliderToEachTransactionShowsWhatTheApiAnswers() {
        Scenario s = scenario("slider");
        open("?sku=" + s.sku());
        WebElement slider = waiting().until(d -> versions().size() == 6 ? d.findElement(By.id("slider")) : null);

        slider.sendKeys(Keys.HOME);
        for (int i = 0; i < s.ts().size(); i++) {
            if (i > 0) {
                slider.sendKeys(Keys.ARROW_RIGHT);
            }
            String t = String.valueOf(s.ts().get(i));
            assertThat(shownAmount(answerFor(t))).as("known at t=%s", t).isEqualTo(apiAmount(s.sku(), t, null));
            assertThat(browser.getCurrentUrl()).contains("asOf=" + t);
        }

        // With a valid time given, every transaction again.
        String validAt = "2026-03-15T00:00:00.000Z";
        browser.findElement(By.id("valid-at")).sendKeys(validAt);
        browser.findElement(By.id("as-of")).clear();
        browser.findElement(By.id("as-of")).sendKeys(String.valueOf(s.ts().get(0)), Keys.ENTER);
        List<BigDecimal> shown = new ArrayList<>();
        for (int i = 0; i < s.ts().size(); i++) {
            if (i > 0) {
                slider.sendKeys(Keys.ARROW_RIGHT);
            }
            String t = String.valueOf(s.ts().get(i));
            BigDecimal amount = shownAmount(answerFor(t));
            assertThat(amount).as("valid 15 March, known at t=%s", t).isEqualTo(apiAmount(s.sku(), t, validAt));
            shown.add(amount);
        }
        // 15 March: January's price, then March's, kept when June's arrives, then corrected, then kept.
        assertThat(shown).usingElementComparator(BigDecimal::compareTo).containsExactly(new BigDecimal("10"), new BigDecimal("12"), new BigDecimal("12"),
                new BigDecimal("11.5"), new BigDecimal("11.5"), new BigDecimal("11.5"));
    }

    @Test
    void aTypedInstantIsAnsweredAsTheApiAnswersIt() {
        Scenario s = scenario("typed");
        String instant = given().get("/tx/{t}", s.ts().get(3)).then().statusCode(200).extract().path("txInstant");
        open("?sku=" + s.sku());
        waiting().until(d -> versions().size() == 6);
        browser.findElement(By.id("as-of")).sendKeys(instant, Keys.ENTER);

        // As the page writes an instant: always with milliseconds.
        String asked = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(Instant.parse(instant));
        WebElement answer = answerFor(asked);
        assertThat(shownAmount(answer)).isEqualTo(apiAmount(s.sku(), asked, null));
        assertThat(browser.findElement(By.id("slider")).getAttribute("value")).isEqualTo("3");
        // Nonsense is refused in words, and nothing moves.
        browser.findElement(By.id("as-of")).clear();
        browser.findElement(By.id("as-of")).sendKeys("yesterday-ish", Keys.ENTER);
        assertThat(waiting().until(d -> d.findElement(By.id("error"))).getText()).contains("neither a t");
    }

    @Test
    void aDeepLinkReproducesTheView() {
        Scenario s = scenario("deep");
        String t = String.valueOf(s.ts().get(2));
        String validAt = "2026-03-15T00:00:00.000Z";
        open("?sku=" + s.sku() + "&asOf=" + t + "&validAt=" + validAt);

        WebElement answer = answerFor(t);
        assertThat(shownAmount(answer)).isEqualTo(new BigDecimal("12")).isEqualTo(apiAmount(s.sku(), t, validAt));
        assertThat(browser.findElement(By.id("slider")).getAttribute("value")).isEqualTo("2");
        assertThat(browser.findElement(By.id("valid-at")).getAttribute("value")).isEqualTo(validAt);
        assertThat(browser.findElement(By.id("entity")).getAttribute("value")).isEqualTo(s.sku());

        // Moving on writes the new view into the URL; loading that URL shows it again.
        browser.findElement(By.id("slider")).sendKeys(Keys.ARROW_RIGHT);
        String next = String.valueOf(s.ts().get(3));
        answerFor(next);
        String url = browser.getCurrentUrl();
        browser.navigate().refresh();
        assertThat(shownAmount(answerFor(next))).isEqualTo(new BigDecimal("11.5"));
        assertThat(browser.getCurrentUrl()).isEqualTo(url);
    }

    @Test
    void selectingAVersionShowsItsEventSourceAndTransaction() {
        Scenario s = scenario("select");
        open("?sku=" + s.sku());
        waiting().until(d -> versions().size() == 6);

        versions().get(3).click();
        WebElement selection = waiting().until(d -> {
            WebElement box = d.findElement(By.id("selection"));
            return box.isDisplayed() && box.getText().contains("pricing-desk") ? box : null;
        });
        assertThat(selection.getText()).contains((String) s.corrected().get("id")).contains("correction of 12.00 EUR");
        assertThat(selection.findElement(By.cssSelector("a[href='/tx/" + s.ts().get(3) + "']")).isDisplayed()).isTrue();

        // The table of all versions, built when opened: a row each; Enter on one selects it.
        browser.findElement(By.id("table-summary")).click();
        List<WebElement> rows = waiting().until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("#versions tbody tr"));
            return found.size() == 6 ? found : null;
        });
        rows.get(5).sendKeys(Keys.ENTER);
        waiting().until(d -> d.findElement(By.id("selection")).getText().contains("late arrival"));
        versions().get(3).click();
        waiting().until(d -> d.findElement(By.id("selection")).getText().contains("correction of"));

        // The keyboard: the chart takes focus, and the arrow keys walk the versions.
        browser.findElement(By.id("chart")).sendKeys(Keys.ARROW_RIGHT);
        waiting().until(d -> d.findElement(By.id("selection")).getText().contains("scheduled"));
        assertThat(versions().get(4).getAttribute("class")).contains("selected");
    }

    @Test
    void whatChangedBetweenTwoPointsListsAddedCorrectedAndRetracted() {
        Scenario s = scenario("diff");
        open("?sku=" + s.sku());
        waiting().until(d -> versions().size() == 6);

        new Select(browser.findElement(By.id("diff-from"))).selectByValue(String.valueOf(s.ts().get(2)));
        new Select(browser.findElement(By.id("diff-to"))).selectByValue(String.valueOf(s.ts().get(5)));
        List<String> changes = waiting().until(d -> {
            List<String> items = d.findElements(By.cssSelector("#diff-list li")).stream().map(WebElement::getText).toList();
            return items.size() == 3 ? items : null;
        });
        assertThat(changes).containsExactlyInAnyOrder(
                "corrected: valid from 2026-03-01T00:00:00Z 12.00 EUR → 11.50 EUR",
                "added: valid from " + Instant.parse(versions().get(4).getAttribute("data-valid")) + " 18.00 EUR",
                "added: valid from 2026-02-01T00:00:00Z 10.50 EUR");
    }

    @Test
    void thePriceListShowsWhatChangedAcrossSkusAsTheApiAnswersAndLinksItsExports() {
        Scenario a = scenario("list");
        // Known after the March price and after the late February one, valid in July: 12.00 then 15.00 (June's).
        long since = a.ts().get(1);
        long asOf = a.ts().get(5);
        open("?since=" + since + "&asOf=" + asOf + "&validAt=2026-07-01T00:00:00Z&prefix=" + a.sku());
        WebElement row = waiting().until(d -> d.findElements(By.cssSelector("#list-diff tbody tr")).stream().findFirst()
                .orElse(null));
        var api = given().get("/prices?since={s}&asOf={a}&validAt=2026-07-01T00:00:00Z&prefix={p}", since, asOf, a.sku())
                .then().statusCode(200).extract().jsonPath();
        assertThat(api.getList("items.sku")).containsExactly(a.sku());
        List<String> cells = row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
        assertThat(cells.get(0)).isEqualTo(a.sku());
        assertThat(cells.get(1)).startsWith("12.00 EUR from 2026-03-01T00:00:00Z");
        assertThat(cells.get(2)).startsWith("15.00 EUR from 2026-06-01T00:00:00Z");
        assertThat(row.findElement(By.tagName("a")).getAttribute("href")).contains("?sku=" + a.sku() + "&asOf=" + asOf);
        // The export links name the later point, and answer the whole list there.
        String csv = browser.findElement(By.id("export-csv")).getAttribute("href");
        assertThat(csv).contains("asOf=" + asOf).contains("format=csv");
        String body = given().urlEncodingEnabled(false).get(csv.substring(csv.indexOf("/prices"))).then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/csv")).extract().asString();
        assertThat(body).startsWith("sku,amount,currency,effectiveAt,effectiveUntil,t,txInstant\r\n" + a.sku() + ",15.00,EUR,");

        // From after the June price on, nothing that reaches July changed (a March correction, a late
        // February price, a price scheduled for next month): the form says so.
        browser.findElement(By.id("list-since")).clear();
        browser.findElement(By.id("list-since")).sendKeys(String.valueOf(a.ts().get(2)), Keys.ENTER);
        waiting().until(d -> d.findElement(By.id("list-points")).getText().endsWith("no SKU changed"));
        assertThat(browser.findElements(By.cssSelector("#list-diff tbody tr"))).isEmpty();
        assertThat(browser.getCurrentUrl()).contains("since=" + a.ts().get(2));
    }

    @Test
    void aNewEventForTheShownSkuAppearsLive() {
        Scenario s = scenario("live");
        open("?sku=" + s.sku());
        waiting().until(d -> versions().size() == 6
                && "live".equals(d.findElement(By.id("live")).getAttribute("data-stream")));

        // Someone is typing the next SKU when the event arrives: what they type stays.
        browser.findElement(By.id("entity")).clear();
        browser.findElement(By.id("entity")).sendKeys("NEXT-SKU");
        long t = postPrice(s.sku(), "19.00", "2026-09-01T00:00:00Z", "erp");
        waiting().until(d -> versions().size() == 7);
        assertThat(browser.findElement(By.id("entity")).getAttribute("value")).isEqualTo("NEXT-SKU");
        assertThat(browser.findElement(By.id("live")).getText()).contains("t " + t);
        // Following the latest, the answer is now the new transaction's.
        assertThat(answerFor(String.valueOf(t)).getText()).contains("t " + t);
    }

    @Test
    void manyTabsShareOneChangeStreamAndAllStayLive() {
        // Six connections to a host: eight tabs each reading a stream of their own would starve.
        Scenario s = scenario("tabs");
        List<String> tabs = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                if (i > 0) {
                    browser.switchTo().newWindow(WindowType.TAB);
                }
                tabs.add(browser.getWindowHandle());
                open("?sku=" + s.sku());
                new WebDriverWait(browser, Duration.ofSeconds(8)).until(d -> versions().size() == 6);
            }
            postPrice(s.sku(), "19.00", "2026-09-01T00:00:00Z", "erp");
            for (String tab : tabs) {
                browser.switchTo().window(tab);
                waiting().until(d -> versions().size() == 7);
            }

            // The tab that reads the stream (the first) goes; another takes over, and the rest stay live.
            browser.switchTo().window(tabs.remove(0));
            browser.close();
            browser.switchTo().window(tabs.get(0));
            postPrice(s.sku(), "20.00", "2026-10-01T00:00:00Z", "erp");
            for (String tab : tabs) {
                browser.switchTo().window(tab);
                waiting().until(d -> versions().size() == 8);
            }
        } finally {
            for (String tab : tabs.subList(0, Math.max(0, tabs.size() - 1))) {
                browser.switchTo().window(tab);
                browser.close();
            }
            browser.switchTo().window(tabs.get(tabs.size() - 1));
        }
    }

    @Test
    void aCustomerDeletionAndReCreationShow() throws Exception {
        String id = "explorer-" + UUID.randomUUID().toString().substring(0, 8);
        List<Long> ts = new ArrayList<>();
        ts.add(post(with(with(customer(id), "name", "Ada"), "tier", "gold")).statusCode(201).extract().jsonPath()
                .getLong("t"));
        ts.add(post(with(customer(id), "tier", "platinum")).statusCode(201).extract().jsonPath().getLong("t"));
        ts.add(post(with(customer(id), "deleted", true)).statusCode(201).extract().jsonPath().getLong("t"));
        ts.add(post(with(customer(id), "name", "Ada B")).statusCode(201).extract().jsonPath().getLong("t"));
        open("?customer=" + id);

        WebElement deletion = waiting().until(d -> d.findElements(By.cssSelector("#chart line.deletion")).stream()
                .findFirst().orElse(null));
        assertThat(deletion.getAttribute("data-t")).isEqualTo(String.valueOf(ts.get(2)));
        assertThat(browser.findElements(By.cssSelector("#chart line.deletion"))).hasSize(1);
        // Existence: two spans, before the deletion and after the re-creation.
        assertThat(browser.findElements(By.cssSelector("#chart rect.lane-id"))).hasSize(2);
        assertThat(browser.findElement(By.id("steps")).isDisplayed()).isFalse();

        WebElement slider = browser.findElement(By.id("slider"));
        slider.sendKeys(Keys.HOME, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT);
        WebElement answer = answerFor(String.valueOf(ts.get(2)));
        assertThat(answer.getAttribute("data-state")).isEqualTo("none");
        given().get("/customers/{id}?asOf={t}", id, ts.get(2)).then().statusCode(404);
        slider.sendKeys(Keys.ARROW_RIGHT);
        assertThat(answerFor(String.valueOf(ts.get(3))).findElement(By.className("amount")).getText()).isEqualTo("Ada B");
        Browser.screenshot(browser, "explorer-customer");
    }

    @Test
    void leavingAndOpeningThePageAgainNeverStarvesItOfConnections() {
        // A browser keeps six connections to a host: a change stream left open by each page left
        // behind stalled the sixth page's reads until the server's heartbeat found the socket closed.
        Scenario s = scenario("again");
        for (int i = 0; i < 10; i++) {
            open("?sku=" + s.sku() + "&asOf=" + s.ts().get(i % 6));
            String t = String.valueOf(s.ts().get(i % 6));
            new WebDriverWait(browser, Duration.ofSeconds(8)).until(d -> t.equals(
                    d.findElement(By.id("answer")).getAttribute("data-as-of")));
        }
    }

    @Test
    void anUnknownSkuShowsAClearMessage() {
        String sku = sku("NOPE");
        open("?sku=" + sku);

        WebElement error = waiting().until(d -> {
            WebElement box = d.findElement(By.id("error"));
            return box.isDisplayed() ? box : null;
        });
        assertThat(error.getText()).contains("No price has ever been recorded for SKU " + sku);
        assertThat(browser.findElement(By.id("view")).isDisplayed()).isFalse();
    }

    @Test
    void aProblemFromTheApiIsShownInWords() {
        Scenario s = scenario("problem");
        String beyond = "999999999";
        String detail = given().get("/prices/{sku}?asOf={t}", s.sku(), beyond).then().statusCode(400)
                .contentType("application/problem+json").extract().path("detail");
        open("?sku=" + s.sku() + "&asOf=" + beyond);

        WebElement answer = answerFor(beyond);
        assertThat(answer.getAttribute("data-state")).isEqualTo("error");
        assertThat(answer.getText()).contains(detail).doesNotContain("{");
    }

    @Test
    void suggestionsComeFromThePricesThatStartWithWhatIsTyped() {
        Scenario s = scenario("suggest");
        open("");
        // The page without a SKU offers some to start from, each a link to its view.
        WebElement first = waiting().until(d -> d.findElements(By.cssSelector("#some-skus a")).stream().findFirst()
                .orElse(null));
        assertThat(first.getAttribute("href")).contains("?sku=" + first.getText());
        browser.findElement(By.id("entity")).sendKeys(s.sku().substring(0, s.sku().length() - 2));
        waiting().until(d -> d.findElements(By.cssSelector("#suggestions option")).stream()
                .anyMatch(o -> s.sku().equals(o.getAttribute("value"))));
        browser.findElement(By.id("entity")).sendKeys(s.sku().substring(s.sku().length() - 2), Keys.ENTER);
        waiting().until(d -> versions().size() == 6);
        assertThat(browser.getCurrentUrl()).endsWith("?sku=" + s.sku());
    }

    @Test
    void onAPhoneWidthScreenNothingSpillsSideways() throws Exception {
        Scenario s = scenario("phone");
        try {
            Browser.resize(browser, 390, 1600);
            open("?sku=" + s.sku());
            waiting().until(d -> versions().size() == 6);
            long overflow = (Long) browser.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assertThat(overflow).isLessThanOrEqualTo(0);
            Browser.screenshot(browser, "explorer-phone");
        } finally {
            Browser.resize(browser, 1280, 1000);
        }
    }

    @Test
    void aSkuWithAThousandVersionsIsDrawnWhole() throws Exception {
        String sku = sku("thousand");
        Instant start = Instant.parse("2024-01-01T00:00:00Z");
        for (int batch = 0; batch < 10; batch++) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                int n = batch * 100 + i;
                Map<String, Object> event = with(price(sku, BigDecimal.valueOf(1000 + n % 97, 2), "EUR"), "effectiveAt",
                        start.plus(n, ChronoUnit.HOURS).toString());
                lines.append(JSON.writeValueAsString(event)).append('\n');
            }
            postNdjson(lines.toString()).statusCode(201);
        }
        open("?sku=" + sku);
        waiting().until(d -> versions().size() == 1000);

        WebElement timing = waiting().until(d -> {
            WebElement shown = d.findElement(By.id("render-time"));
            return shown.getAttribute("data-ms") != null ? shown : null;
        });
        assertThat(timing.getAttribute("data-versions")).isEqualTo("1000");
        String line = Instant.now() + " 1000 versions drawn in " + timing.getAttribute("data-ms") + " ms (" + timing.getText()
                + ")\n";
        Files.createDirectories(Browser.SCREENSHOTS);
        Files.writeString(Browser.SCREENSHOTS.resolve("timings.txt"), line, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        System.out.print("Explorer: " + line);
        Browser.screenshot(browser, "explorer-thousand");

        // Zooming narrows the valid-time axis (its first and last ticks); Fit brings every version back.
        List<String> fitted = axisEnds();
        for (int i = 0; i < 4; i++) {
            browser.findElement(By.cssSelector("#zoom [data-zoom=in]")).click();
        }
        List<String> zoomed = axisEnds();
        assertThat(zoomed.get(0)).isGreaterThan(fitted.get(0));
        assertThat(zoomed.get(1)).isLessThan(fitted.get(1));
        assertThat(versions()).hasSize(1000);
        Browser.screenshot(browser, "explorer-thousand-zoomed");
        browser.findElement(By.cssSelector("#zoom [data-zoom=fit]")).click();
        assertThat(axisEnds()).isEqualTo(fitted);
    }

    private static final String JAN = "2026-01-01T00:00:00Z";
    private static final String NOV1 = "2026-11-01T00:00:00Z";
    private static final String NOV27 = "2026-11-27T00:00:00Z";
    private static final String NOV30 = "2026-11-30T00:00:00Z";
    private static final String DEC2 = "2026-12-02T00:00:00Z";

    private static long send(Map<String, Object> event) {
        return post(event).statusCode(201).extract().jsonPath().getLong("t");
    }

    /** The "as known at" line as drawn: [from, to, amount] per step, [from, to, "ended"] per gap. */
    private static List<List<String>> drawnLine() {
        return browser.findElements(By.cssSelector("#steps line.step, #steps rect.gap")).stream()
                .map(e -> List.of(e.getAttribute("data-from"), e.getAttribute("data-to"),
                        e.getTagName().equals("rect") ? "ended" : e.getAttribute("data-amount")))
                .toList();
    }

    /**
     * Asks the API, as known at t, inside each piece of the drawn line (its middle; a day in, when it
     * has no end): the price drawn there, or 404 "Price ended" in a gap.
     */
    private static void theLineAgreesWithTheApi(String sku, long t) {
        for (List<String> piece : drawnLine()) {
            Instant from = Instant.parse(piece.get(0));
            Instant inside = piece.get(1).isEmpty() ? from.plus(1, ChronoUnit.DAYS)
                    : from.plusMillis(Duration.between(from, Instant.parse(piece.get(1))).toMillis() / 2);
            Response answer = given().queryParam("asOf", t).queryParam("validAt", inside.toString()).get("/prices/{sku}", sku);
            if (piece.get(2).equals("ended")) {
                assertThat(answer.statusCode()).as("%s at %s", piece, inside).isEqualTo(404);
                assertThat(answer.jsonPath().getString("title")).isEqualTo("Price ended");
            } else {
                assertThat(answer.statusCode()).as("%s at %s", piece, inside).isEqualTo(200);
                assertThat(new BigDecimal(answer.jsonPath().getString("amount")))
                        .isEqualByComparingTo(new BigDecimal(piece.get(2)));
            }
        }
    }

    /** A screenshot of the chart and what follows it (the page may have scrolled to the list of changes). */
    private static void chartScreenshot(String name) throws Exception {
        browser.executeScript("document.getElementById('bitemporal-figure').scrollIntoView()");
        Browser.screenshot(browser, name);
    }

    private static List<String> changesBetween(long from, long to, int count) {
        new Select(browser.findElement(By.id("diff-from"))).selectByValue(String.valueOf(from));
        new Select(browser.findElement(By.id("diff-to"))).selectByValue(String.valueOf(to));
        return waiting().until(d -> {
            List<String> items = d.findElements(By.cssSelector("#diff-list li")).stream().map(WebElement::getText).toList();
            return items.size() == count ? items : null;
        });
    }

    @Test
    void aPeriodIsABarToItsEndOverThePriceBeneathAndTheLineFollowsIt() throws Exception {
        String sku = sku("period");
        long regular = postPrice(sku, "12.00", NOV1, "erp");
        long promotion = send(period(sku, "9.99", NOV27, DEC2));
        long raise = postPrice(sku, "13.00", NOV30, "erp"); // recorded later, starting inside the promotion
        open("?sku=" + sku + "&validAt=2026-12-01T00:00:00.000Z");
        waiting().until(d -> versions().size() == 3);

        WebElement bar = browser.findElement(By.cssSelector("#chart path.version.period"));
        assertThat(bar.getAttribute("data-valid")).isEqualTo("2026-11-27T00:00:00.000Z");
        assertThat(bar.getAttribute("data-until")).isEqualTo("2026-12-02T00:00:00.000Z");
        // It lies over what is beneath it: the regular price runs under its start, the raise under its end,
        // and in its middle the bar is what shows (and what a click selects).
        Rectangle box = bar.getRect();
        Rectangle under = browser.findElement(By.cssSelector("#chart path.version[data-from-t='" + regular + "']")).getRect();
        Rectangle raised = browser.findElement(By.cssSelector("#chart path.version[data-from-t='" + raise + "']")).getRect();
        assertThat(under.getX()).isLessThan(box.getX());
        assertThat(raised.getX()).isGreaterThan(box.getX()).isLessThan(box.getX() + box.getWidth());
        Object shown = browser.executeScript("const r = arguments[0].getBoundingClientRect();"
                + "return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2).dataset.index;", bar);
        assertThat(shown).isEqualTo(bar.getAttribute("data-index"));
        // Its end is drawn where it ends.
        Rectangle end = browser.findElement(By.cssSelector("#chart path.period-end")).getRect();
        assertThat(Math.abs(end.getX() - (box.getX() + box.getWidth()))).isLessThanOrEqualTo(3);

        // As known now: the promotion's price for its days, then the raise (not the regular price).
        assertThat(drawnLine()).containsExactly(
                List.of("2026-11-01T00:00:00.000Z", "2026-11-27T00:00:00.000Z", "12"),
                List.of("2026-11-27T00:00:00.000Z", "2026-12-02T00:00:00.000Z", "9.99"),
                List.of("2026-12-02T00:00:00.000Z", "", "13"));
        theLineAgreesWithTheApi(sku, raise);
        assertThat(answerFor(String.valueOf(raise)).getText()).contains("9.99 EUR")
                .contains("valid from 2026-11-27T00:00:00Z until 2026-12-02T00:00:00Z");
        assertThat(changesBetween(regular, promotion, 1)).containsExactly(
                "added: period 9.99 EUR from 2026-11-27T00:00:00Z until 2026-12-02T00:00:00Z");
        chartScreenshot("explorer-period");
    }

    @Test
    void anEndIsAGapInValidTimeWhereThePageAndTheApiSayThePriceEnded() throws Exception {
        String sku = sku("ended");
        long regular = postPrice(sku, "12.00", JAN, "erp");
        send(with(end(sku, "2026-03-01T00:00:00Z"), "effectiveUntil", "2026-04-01T00:00:00Z")); // off sale for March
        long delisted = send(end(sku, "2027-01-01T00:00:00Z"));
        open("?sku=" + sku + "&validAt=2027-06-01T00:00:00.000Z");
        waiting().until(d -> versions().size() == 3);

        List<WebElement> ends = browser.findElements(By.cssSelector("#chart path.version.ended"));
        assertThat(ends).hasSize(2);
        // No price is drawn there: the ends are hatched gaps, not filled like a price.
        for (WebElement gap : ends) {
            assertThat(gap.getCssValue("fill")).contains("no-price");
        }
        assertThat(browser.findElement(By.cssSelector("#chart path.version:not(.ended)")).getCssValue("fill"))
                .doesNotContain("no-price");

        assertThat(drawnLine()).containsExactly(
                List.of("2026-01-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z", "12"),
                List.of("2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z", "ended"),
                List.of("2026-04-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z", "12"),
                List.of("2027-01-01T00:00:00.000Z", "", "ended"));
        theLineAgreesWithTheApi(sku, delisted);
        WebElement answer = answerFor(String.valueOf(delisted));
        assertThat(answer.getAttribute("data-state")).isEqualTo("none");
        assertThat(answer.getAttribute("data-ended")).isEqualTo("true");
        assertThat(answer.findElement(By.className("amount")).getText()).isEqualTo("Price ended");
        assertThat(answer.getText()).contains("from 2027-01-01T00:00:00Z");
        assertThat(changesBetween(regular, delisted, 2)).containsExactly(
                "added: ended from 2026-03-01T00:00:00Z until 2026-04-01T00:00:00Z",
                "added: ended from 2027-01-01T00:00:00Z");
        chartScreenshot("explorer-end");
    }

    @Test
    void aWithdrawnVersionIsStruckFromItsWithdrawalOnAndStandsInEveryEarlierView() throws Exception {
        String sku = sku("withdrawn");
        long regular = postPrice(sku, "12.00", JAN, "erp");
        long typo = postPrice(sku, "99.00", "2062-03-01T00:00:00Z", "erp"); // meant 2026
        long withdrawn = send(withdrawal(sku, "2062-03-01T00:00:00Z"));
        open("?sku=" + sku);
        waiting().until(d -> versions().size() == 2);

        WebElement version = browser.findElement(By.cssSelector("#chart path.version[data-from-t='" + typo + "']"));
        assertThat(version.getAttribute("data-to-t")).isEqualTo(String.valueOf(withdrawn));
        assertThat(version.getAttribute("data-withdrawn")).isEqualTo("true");
        WebElement struck = browser.findElement(By.cssSelector("#chart path.withdrawn"));
        assertThat(struck.getAttribute("data-withdrawn-t")).isEqualTo(String.valueOf(withdrawn));
        assertThat(struck.getAttribute("data-valid")).isEqualTo("2062-03-01T00:00:00.000Z");
        // Struck from the withdrawal's transaction up; the version itself below it, where it stood.
        Rectangle ghost = struck.getRect();
        Rectangle stood = version.getRect();
        assertThat(ghost.getY() + ghost.getHeight()).isLessThanOrEqualTo(stood.getY() + 1);
        assertThat(Math.abs(ghost.getX() - stood.getX())).isLessThanOrEqualTo(1);
        assertThat(browser.findElement(By.cssSelector("#chart .labels")).getText()).contains("withdrawn t=" + withdrawn);
        // From the withdrawal on, the price before it covers the valid time it freed, and shows there:
        // the withdrawn place is only outlined, its label in or beside it.
        Rectangle before = browser.findElement(By.cssSelector("#chart path.version[data-from-t='" + regular + "']")).getRect();
        assertThat(before.getY()).isLessThanOrEqualTo(ghost.getY() + 1);
        assertThat(before.getX() + before.getWidth()).isGreaterThanOrEqualTo(ghost.getX() + ghost.getWidth() - 1);
        assertThat(struck.getCssValue("fill")).isEqualTo("none");
        Rectangle said = browser.findElement(By.cssSelector("#chart .labels .withdrawn-label")).getRect();
        assertThat(said.getX() + said.getWidth()).isGreaterThanOrEqualTo(ghost.getX() - 8);
        assertThat(said.getX()).isLessThanOrEqualTo(ghost.getX() + ghost.getWidth() + 8);

        // As known now, the price before it holds on; as known before its withdrawal, the version stands.
        assertThat(drawnLine()).containsExactly(List.of("2026-01-01T00:00:00.000Z", "", "12"));
        theLineAgreesWithTheApi(sku, withdrawn);
        assertThat(changesBetween(typo, withdrawn, 1)).containsExactly(
                "withdrew the version of 2062-03-01T00:00:00Z (99.00 EUR) at t " + withdrawn);
        browser.findElement(By.id("slider")).sendKeys(Keys.HOME, Keys.ARROW_RIGHT);
        answerFor(String.valueOf(typo));
        assertThat(drawnLine()).containsExactly(
                List.of("2026-01-01T00:00:00.000Z", "2062-03-01T00:00:00.000Z", "12"),
                List.of("2062-03-01T00:00:00.000Z", "", "99"));
        theLineAgreesWithTheApi(sku, typo);
        assertThat(changesBetween(regular, typo, 1)).containsExactly("added: valid from 2062-03-01T00:00:00Z 99.00 EUR");

        browser.findElement(By.cssSelector("#chart path.withdrawn")).click(); // drawn again at the slider's move
        WebElement selection = waiting().until(d -> {
            WebElement box = d.findElement(By.id("selection"));
            return box.isDisplayed() && box.getText().contains("withdrawn by") ? box : null;
        });
        assertThat(selection.findElement(By.cssSelector("a[href='/tx/" + withdrawn + "']")).isDisplayed()).isTrue();
        chartScreenshot("explorer-withdrawn");
    }

    @Test
    void aLoneVersionsAxisHasDistinctTicksAndTheHeadingCountsInTheSingular() throws Exception {
        String sku = sku("lone");
        postPrice(sku, "25.00", "2099-01-01T00:00:00Z", "erp");
        open("?sku=" + sku);
        waiting().until(d -> versions().size() == 1);

        assertThat(browser.findElement(By.id("title")).getText()).contains("1 version in 1 transaction");
        List<String> ticks = browser.findElements(By.cssSelector("#chart .axes text.tick")).stream()
                .map(WebElement::getText).filter(text -> text.startsWith("20")).toList();
        assertThat(ticks).hasSizeGreaterThan(2).doesNotHaveDuplicates();
        chartScreenshot("explorer-lone");
    }

    @Test
    void aFarFutureVersionIsNamedAtTheEdgeInsteadOfSquashingTheOthers() throws Exception {
        Scenario s = scenario("far");
        long far = postPrice(s.sku(), "25.00", "2099-01-01T00:00:00Z", "erp");
        open("?sku=" + s.sku());
        waiting().until(d -> versions().size() == 7);

        // The axis opens where the versions are (and now); 2099 is named at its right edge.
        assertThat(axisEnds().get(1)).isLessThan("2028");
        WebElement mark = browser.findElement(By.cssSelector("#chart text.far"));
        assertThat(mark.getAttribute("data-valid")).isEqualTo("2099-01-01T00:00:00.000Z");
        assertThat(mark.getText()).isEqualTo("25.00 EUR from 2099-01-01 →");
        Rectangle chart = browser.findElement(By.id("chart")).getRect();
        assertThat(mark.getRect().getX() + mark.getRect().getWidth()).isGreaterThan(chart.getX() + chart.getWidth() * 9 / 10);
        assertThat(browser.findElement(By.cssSelector("#steps text.far")).getText()).isEqualTo("25.00 EUR from 2099-01-01 →");
        // The month of the late arrival is a shape one can see and click, not a sliver.
        WebElement late = browser.findElement(By.cssSelector("#chart path.version[data-kind='late']"));
        assertThat(late.getRect().getWidth()).isGreaterThan(30);
        assertThat(browser.findElement(By.cssSelector("#chart path.version[data-from-t='" + far + "']")).getAttribute("class"))
                .contains("thin");
        Browser.screenshot(browser, "explorer-far-future");

        // Fit shows every version: 2099 on the axis, and that month squashed into a sliver.
        browser.findElement(By.cssSelector("#zoom [data-zoom=fit]")).click();
        assertThat(axisEnds().get(1)).isGreaterThanOrEqualTo("2099");
        assertThat(browser.findElements(By.cssSelector("#chart text.far"))).isEmpty();
        assertThat(browser.findElement(By.cssSelector("#chart path.version[data-kind='late']")).getRect().getWidth())
                .isLessThan(4);
        Browser.screenshot(browser, "explorer-far-future-fit");
    }

    @Test
    void thePageNamesItsIconAndTheIconsAreServed() {
        // Browsers ask for /favicon.ico where a page names none (the API's pages, a tool): it is there.
        given().get("/favicon.ico").then().statusCode(200)
                .contentType(either(startsWith("image/x-icon")).or(startsWith("image/vnd.microsoft.icon")));
        byte[] ico = given().get("/favicon.ico").then().extract().asByteArray();
        assertThat(ico).startsWith(0, 0, 1, 0); // an icon resource
        given().delete("/favicon.ico").then().statusCode(405).header("Allow", "GET, HEAD"); // read, never written

        open("");
        List<String> icons = waiting().until(d -> {
            List<String> named = d.findElements(By.cssSelector("link[rel=icon]")).stream()
                    .map(link -> link.getDomAttribute("href")).toList();
            return named.isEmpty() ? null : named;
        });
        assertThat(icons).containsExactly("/favicon.svg", "/favicon.ico");
        // Each one the page names is an image, fetched as the page fetches it.
        Object types = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                Promise.all(arguments[0].map((href) => fetch(href).then((r) => r.status + ' ' + r.headers.get('content-type'))))
                    .then(done, (e) => done(String(e)));
                """, icons);
        assertThat(types.toString()).matches("\\[200 image/svg\\+xml.*, 200 image/(x-icon|vnd.microsoft.icon).*]");
    }

    /** The first and last dates on the chart's valid-time axis. */
    private static List<String> axisEnds() {
        List<String> ticks = browser.findElements(By.cssSelector("#chart .axes text.tick")).stream()
                .map(WebElement::getText).filter(text -> text.matches("\\d{4}-\\d{2}-\\d{2}")).toList();
        return List.of(ticks.get(0), ticks.get(ticks.size() - 1));
    }

}
