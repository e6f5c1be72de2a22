package io.hookpost.support;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium driven through its ChromeDriver, for the account portal's page. Both come from the machine
 * (Debian: {@code apt-get install chromium chromium-driver}; .ci/run installs them), or from
 * {@code HOOKPOST_TEST_CHROMIUM} and {@code HOOKPOST_TEST_CHROMEDRIVER}: without them the browser tests are skipped
 * with a message saying so, and fail under CI. Selenium Manager's downloads are never used.
 */
public final class Chromium {
    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    private Chromium() {
    }

    /** Starts a browser, or skips the test (fails it under CI) when the machine has none. */
    public static ChromeDriver start() {
        Optional<String> browser = find("HOOKPOST_TEST_CHROMIUM", BROWSERS);
        Optional<String> driver = find("HOOKPOST_TEST_CHROMEDRIVER", DRIVERS);
        if (browser.isEmpty() || driver.isEmpty()) {
            String problem = "The account portal's browser tests need Chromium and its ChromeDriver (Debian: apt-get"
                    + " install chromium chromium-driver; or set HOOKPOST_TEST_CHROMIUM and"
                    + " HOOKPOST_TEST_CHROMEDRIVER)."
                    + " Found browser: " + browser.orElse("none") + ", driver: " + driver.orElse("none") + ".";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(problem);
            }
            Assumptions.abort(problem);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.get());
        // --no-sandbox: CI runs as root, where Chromium's sandbox will not start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1024");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driver.get()))
                .usingAnyFreePort()
                .build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        chrome.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return chrome;
    }

    private static Optional<String> find(String variable, List<String> candidates) {
        String given = System.getenv(variable);
        if (given != null && !given.isBlank()) {
            return Optional.of(given).filter(path -> new File(path).canExecute());
        }
        return candidates.stream().filter(path -> new File(path).canExecute()).findFirst();
    }
}
