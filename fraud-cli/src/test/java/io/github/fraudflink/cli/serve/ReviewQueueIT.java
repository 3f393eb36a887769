package io.github.fraudflink.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.api.ApiOptions;
import io.github.fraudflink.api.ApiServer;
import io.github.fraudflink.cli.local.LocalEnvironment;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review queue in a real headless Chromium, against the API in front of a real job (Kafka, MiniCluster,
 * PostgreSQL): a wrong key is refused, the flagged transactions are listed with score, band, amount, account,
 * terminal, model and reasons, an account's history opens on a click, and marking one as fraud publishes the label,
 * which reaches {@code fraud-labels} and {@code fraud_labels}, after which the transaction leaves the queue. A screenshot
 * goes to {@code target/review-queue.png}.
 */
@Chromium.Needed
class ReviewQueueIT {
    private static final String KEY = "review-it-key";

    @TempDir
    Path tmp;

    @Test
    void anAnalystLabelsATransactionFromTheQueue() throws Exception {
        try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(tmp, 2, Duration.ofSeconds(1), null, null,
                null, LocalEnvironment.Postgres.startHere()), new PrintWriter(new StringWriter()))) {
            env.submit("review-it");
            Configuration c = new Configuration(env.configuration());
            c.set(ApiOptions.PORT, 0);
            c.set(ApiOptions.DECISION_TIMEOUT, Duration.ofSeconds(30));
            try (ApiServer api = ApiServer.start(c, KEY)) {
                ApiClient client = new ApiClient(api.port(), KEY);
                // a few ordinary payments, then large ones on the same accounts: the shipped model flags those
                List<String> flagged = new ArrayList<>();
                for (int a = 0; a < 6; a++) {
                    for (int i = 0; i < 3; i++) {
                        post(client, "ok-" + a + "-" + i, "A-rq-" + a, 20 + 7 * i + a, "T-rq-" + (a % 3));
                    }
                    JsonNode d = post(client, "big-" + a, "A-rq-" + a, 1500 + 250 * a, "T-rq-" + (a % 3));
                    if (!"approve".equals(d.get("decision").asText())) {
                        flagged.add(d.get("transaction_id").asText());
                    }
                }
                assertThat(flagged).as("the shipped model flags a large payment after small ones").hasSizeGreaterThan(2);
                awaitQueue(client, flagged);

                WebDriver browser = browser();
                try {
                    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                    browser.get(client.base() + "/review/");
                    login(browser, wait, "not-the-key");
                    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "refused"));

                    login(browser, wait, KEY);
                    String target = flagged.get(0);
                    By row = By.cssSelector("#items tr[data-transaction-id='" + target + "']");
                    WebElement r = wait.until(ExpectedConditions.visibilityOfElementLocated(row));
                    for (String id : flagged) {
                        assertThat(browser.findElements(By.cssSelector("#items tr[data-transaction-id='" + id + "']"))).hasSize(1);
                    }
                    assertThat(browser.findElements(By.cssSelector("#items tr[data-transaction-id^='ok-']"))).isEmpty();
                    String text = r.getText();
                    assertThat(text).contains("A-rq-").contains("T-rq-").contains("demo-xgb").containsAnyOf("decline", "review");
                    assertThat(r.findElements(By.cssSelector("ul.reasons li"))).isNotEmpty();

                    String account = r.getAttribute("data-account-id");
                    r.findElement(By.cssSelector("a.account-link")).click();
                    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("history")));
                    wait.until(d -> d.findElements(By.cssSelector("#history tbody tr")).size() == 4);
                    assertThat(browser.findElement(By.id("history-title")).getText()).contains(account);
                    screenshot(browser);

                    r.findElement(By.cssSelector("button.label-fraud")).click();
                    wait.until(ExpectedConditions.attributeToBe(row, "data-labelled", "fraud"));

                    AnalystLabels.assertFraudOnTopic(env, target);
                    AnalystLabels.assertFraudInTable(env, target);

                    // once stored, the transaction leaves the queue
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    do {
                        browser.findElement(By.id("refresh")).click();
                        wait.until(ExpectedConditions.textMatches(By.id("status"), java.util.regex.Pattern.compile("to review")));
                    } while (!browser.findElements(row).isEmpty() && System.nanoTime() < deadline);
                    assertThat(browser.findElements(row)).as("labelled transaction left the queue").isEmpty();
                } finally {
                    browser.quit();
                }
            }
        }
    }

    private static JsonNode post(ApiClient client, String id, String account, double amount, String terminal) throws Exception {
        ObjectNode t = ApiClient.JSON.createObjectNode().put("transaction_id", id).put("account_id", account)
                .put("amount", amount).put("terminal_id", terminal).put("event_time", Instant.now().toString());
        ApiClient.Response r = client.post("/v1/transactions", t.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static void awaitQueue(ApiClient client, List<String> ids) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            List<String> queued = new ArrayList<>();
            client.get("/v1/review?limit=500").json().get("items").forEach(i -> queued.add(i.get("transaction_id").asText()));
            if (queued.containsAll(ids)) {
                return;
            }
            assertThat(System.nanoTime()).as("flagged transactions stored within 60 s").isLessThan(deadline);
            Thread.sleep(200); // polling PostgreSQL for the job's checkpoint
        }
    }

    private static WebDriver browser() {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(Chromium.BROWSER);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(Chromium.DRIVER))
                .usingAnyFreePort().build();
        WebDriver d = new ChromeDriver(service, o);
        d.manage().window().setSize(new Dimension(1400, 900));
        return d;
    }

    private static void login(WebDriver browser, WebDriverWait wait, String key) {
        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        field.clear();
        field.sendKeys(key);
        browser.findElement(By.cssSelector("#login-form button")).click();
    }

    private static void screenshot(WebDriver browser) throws Exception {
        File shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path out = Path.of("target", "review-queue.png");
        Files.createDirectories(out.getParent());
        Files.copy(shot.toPath(), out, StandardCopyOption.REPLACE_EXISTING);
    }
}
