package dev.asof.bench;

import dev.asof.support.Browser;
import dev.asof.support.PackagedService;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * How long the explorer takes to show a SKU with many versions, in Debian's headless Chromium
 * against the packaged service: the history read (every page of 1,000), the drawing (model,
 * SVG, table), and the whole page from navigation. Three SKUs: 1,000 versions in 10 transactions,
 * 1,000 in 1,000 transactions (every fifth a correction), and 10,000 in 100 transactions
 * ({@code -Dbench.explorerSkus=BIG-10000} times only some). Run with
 * {@code ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.ExplorerBenchmark}.
 */
public final class ExplorerBenchmark {
    private static final int WARM = 5;
    private static final int ROUNDS = 15;

    private ExplorerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (!Browser.installed()) {
            throw new IllegalStateException("ExplorerBenchmark needs Chromium: apt-get install chromium chromium-driver");
        }
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        HttpClient client = HttpClient.newHttpClient();
        try (PackagedService service = PackagedService.start(port, "bench-explorer", Map.of(), List.of("-Xmx2g"))) {
            service.awaitReady(Duration.ofSeconds(90));
            List<String> only = List.of(System.getProperty("bench.explorerSkus", "WIDE-1000,TALL-1000,BIG-10000").split(","));
            load(client, base, "WIDE-1000", only.contains("WIDE-1000") ? 1000 : 1, 100, false);
            load(client, base, "TALL-1000", only.contains("TALL-1000") ? 1000 : 1, 1, true);
            load(client, base, "BIG-10000", only.contains("BIG-10000") ? 10_000 : 1, 100, false);
            ChromeDriver browser = Browser.open();
            try {
                System.out.printf("%-34s %10s %10s %10s %10s%n", "SKU (versions, transactions)", "read p50", "draw p50",
                        "page p50", "page max");
                Map<String, String> labels = Map.of("WIDE-1000", "1,000 versions, 10 tx", "TALL-1000",
                        "1,000 versions, 1,000 tx", "BIG-10000", "10,000 versions, 100 tx");
                for (String sku : only) {
                    row(browser, base, sku, labels.get(sku));
                }
            } finally {
                browser.quit();
            }
        }
    }

    private static void row(ChromeDriver browser, String base, String sku, String label) {
        double[] read = new double[ROUNDS];
        double[] draw = new double[ROUNDS];
        double[] page = new double[ROUNDS];
        for (int i = -WARM; i < ROUNDS; i++) {
            browser.get(base + "/?sku=" + sku + "&r=" + i);
            WebElement timing = new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> {
                WebElement shown = d.findElement(By.id("render-time"));
                return shown.getAttribute("data-since-navigation-ms") != null ? shown : null;
            });
            if (i >= 0) {
                read[i] = Double.parseDouble(timing.getAttribute("data-read-ms"));
                draw[i] = Double.parseDouble(timing.getAttribute("data-ms"));
                page[i] = Double.parseDouble(timing.getAttribute("data-since-navigation-ms"));
            }
        }
        System.out.printf("  %s, last round: %s%n", label, browser.findElement(By.id("render-time")).getAttribute("data-phases"));
        Arrays.sort(read);
        Arrays.sort(draw);
        Arrays.sort(page);
        System.out.printf("%-34s %8.0f ms %7.0f ms %7.0f ms %7.0f ms%n", label, read[ROUNDS / 2], draw[ROUNDS / 2],
                page[ROUNDS / 2], page[ROUNDS - 1]);
    }

    /** {@code versions} versions of one SKU, {@code perTx} to a request; with corrections, every fifth corrects an earlier one. */
    private static void load(HttpClient client, String base, String sku, int versions, int perTx, boolean corrections)
            throws Exception {
        Instant start = Instant.parse("2024-01-01T00:00:00Z");
        for (int from = 0; from < versions; from += perTx) {
            StringBuilder ndjson = new StringBuilder();
            for (int i = from; i < Math.min(versions, from + perTx); i++) {
                long hour = corrections && i % 5 == 4 ? i - 2 : i;
                ndjson.append("{\"type\":\"price\",\"sku\":\"").append(sku).append("\",\"amount\":").append(10 + i % 90)
                        .append(".25,\"currency\":\"EUR\",\"effectiveAt\":\"").append(start.plusSeconds(3600L * hour))
                        .append("\"}\n");
            }
            Load.postNdjson(client, base, ndjson.toString());
        }
    }
}
