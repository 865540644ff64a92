package dev.asof.explorer;

import dev.asof.support.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** One headless Chromium for a class of explorer specifications, and the page's address in the running service. */
abstract class InBrowser {
    static ChromeDriver browser;

    @TestHTTPResource("/")
    URL root;

    @BeforeAll
    static void openBrowser() {
        browser = Browser.open();
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
            browser = null;
        }
    }

    /** Opens the explorer with this query ("?sku=…"). */
    void open(String query) {
        browser.get(root.toString().replaceAll("/$", "") + "/" + query);
    }

    /** Waits up to 20 s; a timeout says what the page showed. */
    static WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(20)) {
            @Override
            protected RuntimeException timeoutException(String message, Throwable cause) {
                Object shown = browser.executeScript("return ['error', 'live', 'answer', 'selection', 'render-time']"
                        + ".map(id => id + ': ' + document.getElementById(id).outerHTML).join('\\n')");
                return super.timeoutException(message + "\nThe page at " + browser.getCurrentUrl() + " showed:\n" + shown,
                        cause);
            }
        };
    }
}
