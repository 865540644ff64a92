package dev.asof.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the explorer's specifications: Debian's {@code chromium} and
 * {@code chromedriver}, driven by Selenium with no download of any browser or driver. Where they are
 * missing the specifications are skipped, saying how to install them; CI sets
 * {@code ASOF_TEST_REQUIRE_CHROMIUM=true}, so that there a missing browser fails the run instead.
 */
public final class Browser {
    private static final String CHROMIUM = System.getenv().getOrDefault("ASOF_TEST_CHROMIUM", "/usr/bin/chromium");
    private static final String DRIVER = System.getenv().getOrDefault("ASOF_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private Browser() {
    }

    /** For {@code @EnabledIf}: true when Chromium and its driver are installed. */
    public static boolean installed() {
        if (new File(CHROMIUM).canExecute() && new File(DRIVER).canExecute()) {
            return true;
        }
        String missing = "no " + CHROMIUM + " or " + DRIVER;
        if ("true".equals(System.getenv("ASOF_TEST_REQUIRE_CHROMIUM"))) {
            throw new IllegalStateException("CI requires Chromium for the explorer's specifications: " + missing);
        }
        System.err.println("Explorer (browser) specifications skipped: " + missing + ". Install them with"
                + " 'apt-get install chromium chromium-driver' (or set ASOF_TEST_CHROMIUM and ASOF_TEST_CHROMEDRIVER).");
        return false;
    }

    /** A new headless Chromium with an empty profile, at a desktop size. */
    public static ChromeDriver open() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // Without the networking flags Chromium tries, and fails, to reach Google's hosts.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }

    public static void resize(ChromeDriver driver, int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves what the browser shows under target/screenshots, for a reviewer to look at. */
    public static Path screenshot(ChromeDriver driver, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }
}
