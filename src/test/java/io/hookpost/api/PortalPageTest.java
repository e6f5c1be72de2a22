package io.hookpost.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import io.hookpost.support.Api;
import io.hookpost.support.Chromium;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import io.hookpost.support.TestReceiver.Received;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The account portal's page in a real browser (headless Chromium), against this Hookpost: what an account admin
 * clicks, and what the receiver and the database then saw.
 */
class PortalPageTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ChromeDriver chrome;

    @BeforeAll
    static void browser() {
        chrome = Chromium.start();
    }

    @AfterAll
    static void closeBrowser() {
        if (chrome != null) {
            chrome.quit();
        }
    }

    /** Opens the page from a portal link of this test's account, as the admin would. */
    private void openPortal(Map<String, Object> request) {
        Api.Response link = operator.post("/api/v1/accounts/" + account + "/portal-access", request);
        assertThat(link.status()).as(link.text()).isEqualTo(201);
        chrome.get("about:blank");
        chrome.get(link.json().get("url").asText());
    }

    private WebElement find(String css) {
        return chrome.findElement(By.cssSelector(css));
    }

    private boolean shown(String css) {
        List<WebElement> found = chrome.findElements(By.cssSelector(css));
        return !found.isEmpty() && found.get(0).isDisplayed();
    }

    private void click(String css) throws InterruptedException {
        eventually(() -> shown(css) && find(css).isEnabled(), css + " to be there to click");
        find(css).click();
    }

    private void acceptConfirmation() throws InterruptedException {
        eventually(() -> {
            chrome.switchTo().alert().accept();
            return true;
        }, "the page to ask for confirmation");
    }

    private String endpointRowText(String endpointId) {
        return find("#endpoints tr[data-endpoint-id='" + endpointId + "']").getText();
    }

    /** Every request of the browser's takes 400 ms more, until deleteNetworkConditions. */
    private static void slowNetwork() {
        ChromiumNetworkConditions slow = new ChromiumNetworkConditions();
        slow.setLatency(java.time.Duration.ofMillis(400));
        chrome.setNetworkConditions(slow);
    }

    /**
     * Waits for what the page shows, reloading it every 5 s: the page reads its history again once, a moment after an
     * action, and on a busy machine the attempt may be recorded later than that.
     */
    private void eventuallyWithReloads(java.util.function.Supplier<Boolean> shows, String what)
            throws InterruptedException {
        java.util.concurrent.atomic.AtomicLong reloadAt = new java.util.concurrent.atomic.AtomicLong(
                System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos());
        eventually(() -> {
            if (shows.get()) {
                return true;
            }
            if (System.nanoTime() > reloadAt.get()) {
                reloadAt.set(System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos());
                chrome.navigate().refresh();
            }
            return false;
        }, what);
    }

    private JsonNode endpoint(String id) {
        return operator.get("/api/v1/accounts/" + account + "/endpoints/" + id).json();
    }

    private String eventType() {
        String name = "portal.t" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = operator.post("/api/v1/event-types", Map.of("name", name, "category", "Portal tests",
                "description", "A type for the portal's test"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return name;
    }

    @Test
    void an_admin_adds_an_endpoint_sends_a_test_and_reads_the_signed_attempt() throws Exception {
        String type = eventType();
        String hostile = "<img src=x onerror=\"document.title='owned'\">";
        String existing = createEndpoint(Map.of("url", receiver.url("/existing"), "description", hostile))
                .get("id").asText();
        openPortal(Map.of());

        eventually(() -> endpointRowText(existing).contains(hostile), "the account's endpoint to be listed");
        assertThat(chrome.findElements(By.cssSelector("#endpoints img"))).as("data is shown as text").isEmpty();
        assertThat(chrome.getTitle()).isEqualTo("Webhooks");
        assertThat(chrome.getCurrentUrl()).as("the key leaves the address bar").doesNotContain("hpp_");
        assertThat(find("#who").getText()).contains(account);

        click("#add-endpoint");
        eventually(() -> shown("#event-type-choices input[value='" + type + "']"), "the event types to be offered");
        find("#endpoint-form input[name=url]").sendKeys(receiver.url("/from-portal"));
        find("#endpoint-form input[name=description]").sendKeys("Added in the portal");
        find("#event-type-choices input[value='" + type + "']").click();
        find("#endpoint-form textarea[name=headers]").sendKeys("X-Tenant: acme-eu\nno colon here");
        find("#endpoint-form button[type=submit]").click();
        eventually(() -> find("#message").getText().contains("\"no colon here\" is not"), "the bad header line named");
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ? AND url = ?", account,
                receiver.url("/from-portal"))).as("nothing saved").isZero();
        find("#endpoint-form textarea[name=headers]").clear();
        find("#endpoint-form textarea[name=headers]").sendKeys("Host: elsewhere.example");
        find("#endpoint-form button[type=submit]").click();
        eventually(() -> find("#message").getText().contains("Hookpost sets it"), "the API's refusal shown");
        assertThat(shown("#endpoint-form")).as("the form stays, to be mended").isTrue();
        find("#endpoint-form textarea[name=headers]").clear();
        find("#endpoint-form textarea[name=headers]").sendKeys("X-Tenant: acme-eu");
        find("#endpoint-form button[type=submit]").click();

        eventually(() -> shown("#endpoint-view")
                && find("#endpoint-url").getText().equals(receiver.url("/from-portal")), "the new endpoint's page");
        assertThat(find("#message").getText()).startsWith("Endpoint added.");
        String added = db.queryForObject("SELECT id FROM endpoints WHERE account_id = ? AND url = ?", String.class,
                account, receiver.url("/from-portal"));
        JsonNode saved = endpoint(added);
        assertThat(saved.get("description").asText()).isEqualTo("Added in the portal");
        assertThat(saved.get("eventTypes")).extracting(JsonNode::asText).containsExactly(type);
        assertThat(saved.get("headers").get("X-Tenant").asText()).isEqualTo("acme-eu");

        click("#reveal-secret");
        eventually(() -> find("#secret").getText().startsWith("whsec_"), "the secret to be shown");
        String secret = find("#secret").getText();
        assertThat(secret).isEqualTo(operator.get("/api/v1/accounts/" + account + "/endpoints/" + added + "/secret")
                .json().get("secret").asText());

        click("#send-test");
        Received post = receiver.next(WAIT);
        assertThat(post).as("the receiver got the test event").isNotNull();
        assertThat(post.path()).isEqualTo("/from-portal");
        assertThat(JSON.readTree(post.body()).get("type").asText()).isEqualTo("webhook.test");
        assertThat(post.header("X-Tenant")).isEqualTo("acme-eu");
        Map<String, List<String>> headers = new HashMap<>(post.headers());
        assertThatNoException().as("signed with the secret the page showed")
                .isThrownBy(() -> new Webhook(secret).verify(post.bodyText(), headers));

        eventuallyWithReloads(() -> find("#attempts tbody").getText().contains("HTTP 200"), "the attempt to be listed");
        click("#attempts tbody tr:first-child button");
        eventually(() -> shown("#attempt-detail"), "the attempt's details");
        assertThat(find("#attempt-request").getText()).contains("webhook-signature", post.header("webhook-id"),
                "webhook.test");
        assertThat(find("#attempt-response").getText()).startsWith("HTTP 200");

        // a reload keeps the session (the key is in the tab's storage, not in the address)
        chrome.navigate().refresh();
        eventually(() -> shown("#stats") && chrome.findElement(
                By.xpath("//dl[@id='stats']/dt[.='Delivered']/following-sibling::dd[1]")).getText().equals("1"),
                "the day's figures to count the test delivery");
        // and the hourly chart has the attempt in its hour's bar
        List<WebElement> bars = chrome.findElements(By.cssSelector("#activity .hour"));
        assertThat(bars.size()).isBetween(24, 25);
        List<WebElement> counted = bars.stream().filter(bar -> bar.getAttribute("title").endsWith(": 1 succeeded,"
                + " 0 failed")).toList();
        assertThat(counted).hasSize(1);
        org.openqa.selenium.Dimension drawn = counted.get(0).findElement(By.cssSelector(".ok")).getSize();
        assertThat(drawn.getWidth()).as("the bar drawn, as wide as its hour").isGreaterThan(5);
        assertThat(drawn.getHeight()).as("the busiest hour's bar, full height").isGreaterThan(50);
    }

    @Test
    void an_admin_retries_a_failed_delivery_rotates_the_secret_pauses_and_deletes_the_endpoint() throws Exception {
        String type = eventType();
        receiver.answer(request -> Reply.status(500));
        String id = createEndpoint(Map.of("url", receiver.url("/flaky"), "eventTypes", List.of(type),
                "retrySchedule", List.of("0s"))).get("id").asText();
        String eventId = publish(Map.of("type", type, "data", Map.of("n", 1)));
        eventually(() -> "failed".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery to fail");
        receiver.drain(java.time.Duration.ofMillis(200));
        receiver.answer(request -> Reply.ok());
        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");

        openPortal(Map.of());
        eventually(() -> shown("#endpoints a"), "the list");
        find("#endpoints tr[data-endpoint-id='" + id + "'] a").click();
        eventually(() -> shown("#failed-deliveries tr[data-delivery-id='" + deliveryId + "']"),
                "the failed delivery to be listed");
        assertThat(find("#failed-deliveries tr[data-delivery-id='" + deliveryId + "']").getText()).contains("HTTP 500");
        assertThat(find("#endpoint-details").getText()).as("its run of failures beside its status")
                .contains("Active failing since ", " (2 failed attempts in a row)");
        click("#failed-deliveries tr[data-delivery-id='" + deliveryId + "'] button");
        Received retried = receiver.next(WAIT);
        assertThat(retried.header("webhook-id")).isEqualTo(deliveryId);
        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the retry to deliver it");

        // two more fail; one replay sends both again
        receiver.answer(request -> Reply.status(500));
        List<String> later = List.of(publish(Map.of("type", type, "data", Map.of("n", 2))),
                publish(Map.of("type", type, "data", Map.of("n", 3))));
        eventually(() -> later.stream().allMatch(e -> "failed".equals(deliveriesOf(e).get(0).get("status"))),
                "both to fail");
        receiver.drain(java.time.Duration.ofMillis(200));
        receiver.answer(request -> Reply.ok());
        click("#recover-form button");
        java.util.Set<String> replayed = new java.util.HashSet<>();
        receiver.awaitWebhookIds(replayed, 2, WAIT);
        assertThat(replayed).containsExactlyInAnyOrder((String) deliveriesOf(later.get(0)).get(0).get("id"),
                (String) deliveriesOf(later.get(1)).get(0).get("id"));
        eventually(() -> find("#message").getText().equals("2 deliveries are being sent again."), "the page says so");
        eventually(() -> later.stream().allMatch(e -> "delivered".equals(deliveriesOf(e).get(0).get("status"))),
                "both delivered");

        // the attempts, the failed ones only when asked: each of the three deliveries failed twice, then got through
        eventually(() -> count("SELECT COUNT(*) FROM attempts WHERE endpoint_id = ?", id) == 9, "nine attempts");
        click("#failed-attempts-only");
        eventually(() -> chrome.findElements(By.cssSelector("#attempts tbody tr")).size() == 6
                && chrome.findElements(By.cssSelector("#attempts tbody tr")).stream()
                        .allMatch(r -> r.getText().contains("HTTP 500")), "the six failed ones only");
        click("#failed-attempts-only");
        eventually(() -> chrome.findElements(By.cssSelector("#attempts tbody tr")).size() == 9, "all nine again");

        click("#reveal-secret");
        eventually(() -> find("#secret").getText().startsWith("whsec_"), "the secret");
        String before = find("#secret").getText();
        find("#rotate-form select option[value='0']").click();
        find("#rotate-form button").click();
        acceptConfirmation();
        eventually(() -> !find("#secret").getText().equals(before) && find("#secret").getText().startsWith("whsec_"),
                "the new secret to be shown");
        assertThat(find("#secret").getText()).isEqualTo(operator.get("/api/v1/accounts/" + account + "/endpoints/"
                + id + "/secret").json().get("secret").asText());

        // to an Ed25519 key pair: the page shows its public key, the one receivers verify v1a signatures with
        find("#rotate-form select option[value='ed25519']").click();
        find("#rotate-form button").click();
        acceptConfirmation();
        eventually(() -> find("#secret").getText().startsWith("whpk_") && find("#secret-title").getText()
                .equals("Public key"), "the public key to be shown");
        assertThat(find("#secret").getText()).isEqualTo(operator.get("/api/v1/accounts/" + account + "/endpoints/"
                + id + "/secret").json().get("secret").asText());
        assertThat(find("#endpoint-details").getText()).contains("standard-webhooks, Ed25519 (v1a)");

        click("#disable-endpoint");
        eventually(() -> !endpoint(id).get("active").asBoolean(), "the endpoint to be paused");
        click("#enable-endpoint");
        eventually(() -> endpoint(id).get("active").asBoolean(), "the endpoint to be active again");

        // the edit form has an address of its own: Back leaves it for the endpoint's page
        click("#edit-endpoint");
        eventually(() -> shown("#endpoint-form") && chrome.getCurrentUrl().endsWith("/edit"), "the edit form");
        chrome.navigate().back();
        eventually(() -> shown("#endpoint-view") && shown("#edit-endpoint"), "the endpoint's page again");

        // subscribed to the type's whole category instead, through the edit form
        click("#edit-endpoint");
        eventually(() -> shown("#category-choices input[value='Portal tests']"), "the categories to be offered");
        assertThat(find("#event-type-choices input[value='" + type + "']").isSelected()).isTrue();
        find("#event-type-choices input[value='" + type + "']").click();
        find("#category-choices input[value='Portal tests']").click();
        find("#endpoint-form button[type=submit]").click();
        eventually(() -> endpoint(id).get("categories").toString().equals("[\"Portal tests\"]"), "the category saved");
        assertThat(endpoint(id).get("eventTypes")).extracting(JsonNode::asText).doesNotContain(type);
        eventually(() -> shown("#endpoint-view") && find("#message").getText().equals("Endpoint saved."),
                "the endpoint's page, saying so");

        click("#delete-endpoint");
        acceptConfirmation();
        eventually(() -> shown("#endpoints-view") && find("#message").getText().equals("Endpoint deleted."),
                "the list again, saying so");
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE id = ? AND deleted_at IS NOT NULL", id)).isEqualTo(1);
        eventually(() -> chrome.findElements(By.cssSelector("#endpoints tr[data-endpoint-id='" + id + "']")).isEmpty(),
                "the endpoint to leave the list");
    }

    @Test
    void an_admin_browses_the_events_reads_one_as_text_and_sends_its_failed_delivery_again() throws Exception {
        String type = eventType();
        receiver.answer(request -> request.path().equals("/down") ? Reply.status(500) : Reply.ok());
        String up = createEndpoint(Map.of("url", receiver.url("/up"), "eventTypes", List.of(type))).get("id").asText();
        String down = createEndpoint(Map.of("url", receiver.url("/down"), "eventTypes", List.of(type),
                "retrySchedule", List.of("0s"))).get("id").asText();
        String hostile = "<img src=x onerror=\"document.title='owned'\">";
        String eventId = publish(Map.of("type", type, "data", Map.of("note", hostile)));
        // recorded first, so listed last: two events queued together may be recorded in either order
        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ? AND id = ?", account, eventId) == 1,
                "the event recorded");
        String unsubscribed = publish(Map.of("type", "nobody.listens", "data", Map.of()));
        eventually(() -> deliveriesOf(eventId).stream().map(d -> d.get("status")).toList().containsAll(
                List.of("delivered", "failed")) && count("SELECT COUNT(*) FROM events WHERE account_id = ? AND id = ?",
                account, unsubscribed) == 1, "one delivery delivered, one failed, the other event recorded");
        String failed = (String) deliveriesOf(eventId).stream().filter(d -> d.get("endpoint_id").equals(down))
                .findFirst().orElseThrow().get("id");
        receiver.drain(java.time.Duration.ofMillis(200));

        openPortal(Map.of());
        eventually(() -> shown("#endpoints a"), "the list");
        click("#nav-events");
        eventually(() -> shown("#events tr[data-event-id='" + eventId + "']"), "the events listed");
        assertThat(find("#events tr[data-event-id='" + eventId + "']").getText()).contains(type,
                "1 delivered · 1 failed");
        assertThat(find("#events tr[data-event-id='" + unsubscribed + "']").getText()).contains("no endpoint");

        // a page holds 25: the 26th comes with "Older events"
        for (int i = 0; i < 24; i++) {
            publish(Map.of("type", "nobody.listens", "data", Map.of("n", i)));
        }
        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ?", account) == 26, "26 events");
        chrome.navigate().refresh();
        eventually(() -> chrome.findElements(By.cssSelector("#events tbody tr")).size() == 25
                && shown("#more-events"), "the first page of 25");
        click("#more-events");
        eventually(() -> chrome.findElements(By.cssSelector("#events tbody tr")).size() == 26
                && !shown("#more-events"), "the 26th below them, and no more to ask for");
        assertThat(find("#events tbody tr:last-child").getAttribute("data-event-id")).isEqualTo(eventId);

        find("#events-filter input[name=type]").sendKeys(type);
        find("#events-filter button").click();
        eventually(() -> chrome.getCurrentUrl().endsWith("#/events?type=" + type)
                && chrome.findElements(By.cssSelector("#events tr[data-event-id='" + unsubscribed + "']")).isEmpty()
                && shown("#events tr[data-event-id='" + eventId + "']"), "only the type's event");

        click("#events tr[data-event-id='" + eventId + "'] a");
        eventually(() -> shown("#event-view") && find("#event-type").getText().equals(type), "the event's page");
        assertThat(find("#event-payload").getText()).contains("\"note\": " + JSON.writeValueAsString(hostile), eventId);
        assertThat(chrome.findElements(By.cssSelector("#event-view img"))).as("the payload is shown as text").isEmpty();
        assertThat(chrome.getTitle()).isEqualTo("Webhooks");
        String failedRow = "#event-deliveries tr[data-delivery-id='" + failed + "']";
        assertThat(find(failedRow).getText()).contains(receiver.url("/down"), "failed", "HTTP 500");
        assertThat(find("#event-deliveries tbody tr:not([data-delivery-id='" + failed + "'])").getText())
                .contains(receiver.url("/up"), "delivered");
        assertThat(shown("#event-deliveries a[href='#/endpoints/" + up + "']")).as("a link to its endpoint").isTrue();

        // every try of the failed delivery, newest first, each with what was sent and what came back
        click(failedRow + " button.show-attempts");
        eventually(() -> shown("#delivery-attempts")
                && chrome.findElements(By.cssSelector("#delivery-attempts tbody tr")).size() == 2, "its two attempts");
        assertThat(find("#delivery-attempts-target").getText()).isEqualTo(receiver.url("/down"));
        assertThat(find("#delivery-attempts-id").getText()).isEqualTo(failed);
        assertThat(chrome.findElements(By.cssSelector("#delivery-attempts tbody tr")).stream().map(WebElement::getText)
                .toList()).satisfiesExactly(
                        first -> assertThat(first).contains("#2", "HTTP 500", "scheduled"),
                        second -> assertThat(second).contains("#1", "HTTP 500", "scheduled"));
        click("#delivery-attempts tbody tr:last-child button");
        eventually(() -> shown("#delivery-attempt-detail"), "the first attempt's request and answer");
        assertThat(find("#delivery-attempt-id").getText()).isEqualTo(db.queryForObject(
                "SELECT id FROM attempts WHERE delivery_id = ? AND attempt_number = 1", String.class, failed));
        assertThat(find("#delivery-attempt-request").getText()).startsWith("POST " + receiver.url("/down"))
                .contains("webhook-id: " + failed, "\"id\":\"" + eventId + "\"");
        assertThat(find("#delivery-attempt-response").getText()).startsWith("HTTP 500");

        receiver.answer(request -> Reply.ok());
        click(failedRow + " button.send-again");
        Received again = receiver.next(WAIT);
        assertThat(again.path()).isEqualTo("/down");
        assertThat(again.header("webhook-id")).isEqualTo(failed);
        eventually(() -> find("#message").getText().equals("Delivery " + failed + " is being sent again."),
                "the page says so");
        eventually(() -> "delivered".equals(deliveriesOf(eventId).stream().filter(d -> d.get("id").equals(failed))
                .findFirst().orElseThrow().get("status")), "the delivery delivered");
        eventuallyWithReloads(() -> find(failedRow).getText().contains("delivered"), "the page to show it delivered");
        click(failedRow + " button.show-attempts");
        eventually(() -> chrome.findElements(By.cssSelector("#delivery-attempts tbody tr")).size() == 3,
                "the attempt sent again listed");
        assertThat(find("#delivery-attempts tbody tr:first-child").getText()).contains("#3", "HTTP 200", "manual");

        // an endpoint disabled since: its deliveries are not offered again here (the API would refuse them)
        assertThat(operator.patch("/api/v1/accounts/" + account + "/endpoints/" + down, Map.of("active", false))
                .status()).isEqualTo(200);
        chrome.navigate().refresh();
        eventually(() -> find(failedRow).getText().contains("disabled"), "the row to say its endpoint is disabled");
        assertThat(shown(failedRow + " button.send-again")).as("no Send again").isFalse();

        // from the endpoint's page a delivery's event is one click away
        find(failedRow + " a").click();
        eventually(() -> shown("#endpoint-view") && find("#endpoint-url").getText().equals(receiver.url("/down")),
                "the endpoint's page");
        eventually(() -> shown("#attempts tbody tr a[href='#/events/" + eventId + "']"), "the attempts name the event");
        find("#attempts tbody tr a[href='#/events/" + eventId + "']").click();
        eventually(() -> shown("#event-view") && find("#event-type").getText().equals(type), "the event's page again");

        // the catalog: the type under its category, a schema'd one with its schema, and a way to the type's events
        String schemed = "portal.s" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(operator.post("/api/v1/event-types", Map.of("name", schemed, "category", "Portal tests",
                "schema", Map.of("type", "object", "required", List.of("severity")))).status()).isEqualTo(201);
        String loose = "portal.n" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(operator.post("/api/v1/event-types", Map.of("name", loose)).status()).isEqualTo(201);
        click("#nav-event-types");
        eventually(() -> shown(".event-type[data-event-type='" + schemed + "']"), "the catalog");
        assertThat(chrome.findElements(By.cssSelector("#event-types > *")).stream().map(WebElement::getText)
                .filter(t -> t.equals("Without a category") || t.startsWith(loose)).toList())
                .as("a type without a category under a heading of its own").containsExactly("Without a category",
                        loose + "\nIts events");
        assertThat(find(".event-type[data-event-type='" + type + "']").getText()).contains(
                "A type for the portal's test", "Its events");
        find(".event-type[data-event-type='" + schemed + "'] summary").click();
        eventually(() -> find(".event-type[data-event-type='" + schemed + "'] pre").getText().contains("severity"),
                "its schema");
        find(".event-type[data-event-type='" + type + "'] a").click();
        eventually(() -> shown("#events tr[data-event-id='" + eventId + "']")
                && chrome.findElements(By.cssSelector("#events tbody tr")).size() == 1, "the type's one event");
        // an event or endpoint not (or no longer) there: back to its list, saying so
        chrome.executeScript("location.hash = '#/events/evt-unknown'");
        eventually(() -> shown("#events-view") && find("#message").getText().contains("No event 'evt-unknown'"),
                "the events list, saying so");
        chrome.executeScript("location.hash = '#/endpoints/ep_unknown'");
        eventually(() -> shown("#endpoints-view") && find("#message").getText().contains("No endpoint 'ep_unknown'"),
                "the endpoints list, saying so");
        // an address's type with spaces around it (pasted) is the type
        chrome.executeScript("location.hash = '#/events?type=%20" + type + "%20'");
        eventually(() -> shown("#events tr[data-event-id='" + eventId + "']")
                && chrome.findElements(By.cssSelector("#events tbody tr")).size() == 1
                && !shown("#message"), "the type's one event, no complaint");
    }

    @Test
    void an_admin_sends_a_test_of_a_catalog_type_with_its_example_or_the_data_written() throws Exception {
        String type = "portal.x" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response catalogued = operator.post("/api/v1/event-types", "{\"name\":\"" + type + "\",\"category\":"
                + "\"Portal tests\",\"schema\":{\"type\":\"object\",\"required\":[\"host\"],\"properties\":"
                + "{\"count\":{\"maximum\":12345678901234567890}}},\"example\":{\"host\":\"web-0\"}}");
        assertThat(catalogued.status()).as(catalogued.text()).isEqualTo(201);
        String bare = eventType(); // no example
        // subscribed to nothing of these: a test goes to the endpoint all the same
        String id = createEndpoint(Map.of("url", receiver.url("/tested"), "eventTypes", List.of("other.*")))
                .get("id").asText();
        openPortal(Map.of());
        eventually(() -> shown("#endpoints tr[data-endpoint-id='" + id + "'] a"), "the list");
        find("#endpoints tr[data-endpoint-id='" + id + "'] a").click();
        String option = "#test-form option[value='" + type + "']";
        eventually(() -> shown("#test-form") && !chrome.findElements(By.cssSelector(option)).isEmpty(),
                "the catalog's types to choose from");
        // the operator changes the example after the page read the catalog: the endpoint's page, opened again, has it
        assertThat(operator.patch("/api/v1/event-types/" + type, "{\"example\":{\"host\":\"web-1\",\"load\":"
                + "0.10000000000000000001}}").status()).isEqualTo(200);
        find("#endpoint-view a[href='#/']").click();
        eventually(() -> shown("#endpoints tr[data-endpoint-id='" + id + "'] a"), "the list again");
        find("#endpoints tr[data-endpoint-id='" + id + "'] a").click();
        eventually(() -> shown("#test-form") && !chrome.findElements(By.cssSelector(option)).isEmpty(),
                "the endpoint's page again");
        assertThat(find("#test-form select").getAttribute("value")).isEqualTo("webhook.test");
        assertThat(find("#test-form textarea").getAttribute("value")).isEmpty();

        // the type's example, its number as the catalog holds it, is the data the form offers and sends
        find(option).click();
        eventually(() -> find("#test-form textarea").getAttribute("value").contains("\"host\": \"web-1\""),
                "the example in the form");
        assertThat(find("#test-form textarea").getAttribute("value")).contains("0.10000000000000000001");
        click("#send-test");
        Received example = receiver.next(WAIT);
        assertThat(example.path()).isEqualTo("/tested");
        assertThat(example.header("X-Webhook-Event")).isEqualTo(type);
        assertThat(example.bodyText()).endsWith("\"data\":{\"host\":\"web-1\",\"load\":0.10000000000000000001}}");
        eventually(() -> find("#message").getText().equals("A " + type + " test event is on its way to "
                + receiver.url("/tested") + "."), "the page says so");

        // data the admin writes, numbers and all
        WebElement data = find("#test-form textarea");
        data.clear();
        data.sendKeys("{\"host\": \"db-2\", \"n\": 12345678901234567890}");
        click("#send-test");
        assertThat(receiver.next(WAIT).bodyText()).endsWith("\"data\":{\"host\":\"db-2\",\"n\":12345678901234567890}}");

        // what is not an object is refused on the page; what the schema refuses, with the API's words
        int events = count("SELECT COUNT(*) FROM events WHERE account_id = ?", account);
        data.clear();
        data.sendKeys("[1, 2]");
        click("#send-test");
        eventually(() -> find("#message").getText().startsWith("The data must be a JSON object"), "the page refuses it");
        data.clear();
        data.sendKeys("{\"host\": ");
        click("#send-test");
        eventually(() -> find("#message").getText().startsWith("The data is not JSON"), "the page refuses it");
        data.clear();
        data.sendKeys("{\"hostname\": \"x\"}");
        click("#send-test");
        eventually(() -> find("#message").getText().contains("'data' does not match the schema of event type '"
                + type + "'"), "the API's reason");
        // a type without an example: the form says what to write, and blank is the API's refusal
        find("#test-form option[value='" + bare + "']").click();
        eventually(() -> find("#test-form textarea").getAttribute("value").isEmpty()
                && find("#test-form textarea").getAttribute("placeholder").contains("no example"), "the form empty");
        click("#send-test");
        eventually(() -> find("#message").getText().contains("has no example in the catalog"), "the API's reason");
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isEqualTo(events);
        assertThat(receiver.drain(java.time.Duration.ofMillis(500))).as("nothing sent").isEmpty();
    }

    @Test
    void the_catalog_shows_schemas_and_examples_as_written_and_an_archived_type_leaves_it_but_not_its_subscribers()
            throws Exception {
        String type = "portal.c" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response catalogued = operator.post("/api/v1/event-types", "{\"name\":\"" + type + "\",\"category\":"
                + "\"Portal tests\",\"schema\":{\"type\":\"object\",\"properties\":{\"count\":{\"maximum\":"
                + "12345678901234567890}}},\"example\":{\"host\":\"web-1\",\"load\":0.10000000000000000001}}");
        assertThat(catalogued.status()).as(catalogued.text()).isEqualTo(201);
        String closed = "portal.f" + UUID.randomUUID().toString().substring(0, 8);
        String closedCategory = "Closed " + closed;
        assertThat(operator.post("/api/v1/event-types", Map.of("name", closed, "category", closedCategory,
                "schema", false)).status()).isEqualTo(201);
        openPortal(Map.of());
        eventually(() -> shown("#nav-event-types"), "the page");

        // the catalog shows the example and the schema as written, and a schema of false (no data passes) as one
        click("#nav-event-types");
        eventually(() -> shown(".event-type[data-event-type='" + type + "']"), "the catalog");
        find(".event-type[data-event-type='" + type + "'] details.example summary").click();
        eventually(() -> find(".event-type[data-event-type='" + type + "'] details.example pre").getText()
                .contains("\"load\": 0.10000000000000000001"), "its example");
        find(".event-type[data-event-type='" + type + "'] details.schema summary").click();
        eventually(() -> find(".event-type[data-event-type='" + type + "'] details.schema pre").getText()
                .contains("\"maximum\": 12345678901234567890"), "its schema, its number not rounded");
        find(".event-type[data-event-type='" + closed + "'] details.schema summary").click();
        eventually(() -> find(".event-type[data-event-type='" + closed + "'] details.schema pre").getText()
                .equals("false"), "the schema false");

        // archived, a type leaves the catalog page; an endpoint subscribed to it, or to its category, keeps both
        String subscriber = createEndpoint(Map.of("url", receiver.url("/closed"), "eventTypes", List.of(closed),
                "categories", List.of(closedCategory))).get("id").asText();
        assertThat(operator.delete("/api/v1/event-types/" + closed).status()).isEqualTo(204);
        chrome.navigate().refresh();
        eventually(() -> shown(".event-type[data-event-type='" + type + "']"), "the catalog again");
        assertThat(chrome.findElements(By.cssSelector(".event-type[data-event-type='" + closed + "']"))).isEmpty();
        chrome.executeScript("location.hash = '#/endpoints/" + subscriber + "/edit'");
        eventually(() -> shown("#endpoint-form") && find("#endpoint-form input[name=url]").getAttribute("value")
                .equals(receiver.url("/closed")), "the subscriber's form");
        assertThat(find("#category-choices input[value='" + closedCategory + "']").isSelected()).isTrue();
        assertThat(find("#endpoint-form input[name=otherTypes]").getAttribute("value")).isEqualTo(closed);
        find("#endpoint-form button[type=submit]").click();
        eventually(() -> shown("#endpoint-view") && find("#endpoint-url").getText().equals(receiver.url("/closed")),
                "its page after saving");
        JsonNode saved = endpoint(subscriber);
        assertThat(saved.get("categories")).extracting(JsonNode::asText).containsExactly(closedCategory);
        assertThat(saved.get("eventTypes")).extracting(JsonNode::asText).containsExactly(closed);
    }

    @Test
    void an_admin_sets_the_delivery_settings_and_a_bad_one_is_refused_with_the_apis_reason() throws Exception {
        String id = createEndpoint(Map.of("url", receiver.url("/tuned"))).get("id").asText();
        openPortal(Map.of());
        eventually(() -> shown("#endpoints a"), "the list");
        chrome.executeScript("location.hash = '#/endpoints/" + id + "/edit'");
        eventually(() -> shown("#endpoint-form"), "the edit form");
        assertThat(shown("#endpoint-form input[name=filter]")).as("default settings folded away").isFalse();
        find("#delivery-settings summary").click();
        find("#endpoint-form input[name=filter]").sendKeys("$[?(@.data.severity == 'high')]");
        find("#endpoint-form input[name=retrySchedule]").sendKeys("0s, 1m");
        find("#endpoint-form input[name=disableAfterFailures]").sendKeys("3");
        find("#endpoint-form input[name=rateLimit]").sendKeys("lots");
        find("#endpoint-form button[type=submit]").click();
        eventually(() -> find("#message").getText().contains("'rateLimit'"), "the API's reason shown");
        assertThat(endpoint(id).get("filter").isNull()).as("nothing saved").isTrue();
        assertThat(shown("#endpoint-form")).isTrue();

        find("#endpoint-form input[name=rateLimit]").clear();
        find("#endpoint-form input[name=rateLimit]").sendKeys("5");
        find("#endpoint-form button[type=submit]").click();
        eventually(() -> shown("#endpoint-view") && find("#message").getText().equals("Endpoint saved."), "saved");
        JsonNode saved = endpoint(id);
        assertThat(saved.get("filter").asText()).isEqualTo("$[?(@.data.severity == 'high')]");
        assertThat(saved.get("retrySchedule")).extracting(JsonNode::asText).containsExactly("0s", "1m");
        assertThat(saved.get("disableAfterFailures").asInt()).isEqualTo(3);
        assertThat(saved.get("rateLimit").asInt()).isEqualTo(5);
        assertThat(find("#endpoint-details").getText()).contains("$[?(@.data.severity == 'high')]", "0s, 1m",
                "3 failed attempts in a row", "5 a second");

        // the filter at work: only the high one reaches the receiver
        String low = publish(Map.of("type", "host.offline", "data", Map.of("severity", "low")));
        String high = publish(Map.of("type", "host.offline", "data", Map.of("severity", "high")));
        Received post = receiver.next(WAIT);
        assertThat(JSON.readTree(post.body()).get("id").asText()).isEqualTo(high);
        assertThat(deliveriesOf(low)).as("the low one filtered out").isEmpty();

        // blank again: the defaults back, shown as such
        click("#edit-endpoint");
        eventually(() -> shown("#endpoint-form input[name=filter]"), "the settings unfolded, being the endpoint's own");
        for (String field : List.of("filter", "retrySchedule", "disableAfterFailures", "rateLimit")) {
            find("#endpoint-form input[name=" + field + "]").clear();
        }
        find("#endpoint-form button[type=submit]").click();
        eventually(() -> shown("#endpoint-view") && find("#endpoint-details").getText().contains("the default"),
                "the defaults shown");
        JsonNode reset = endpoint(id);
        for (String field : List.of("filter", "retrySchedule", "disableAfterFailures", "rateLimit")) {
            assertThat(reset.get(field).isNull()).as(field).isTrue();
        }
        assertThat(receiver.drain(java.time.Duration.ofMillis(300))).as("the low one never sent").isEmpty();

        // one endpoint for one form, however often Save is clicked while the (slow) API answers
        click("#endpoint-view a[href='#/']");
        click("#add-endpoint");
        eventually(() -> shown("#endpoint-form input[name=url]"), "the form");
        find("#endpoint-form input[name=url]").sendKeys(receiver.url("/once"));
        slowNetwork();
        try {
            find("#endpoint-form button[type=submit]").click();
            chrome.executeScript("document.querySelector('#endpoint-form button[type=submit]').click()");
            find("#endpoint-form input[name=url]").sendKeys(org.openqa.selenium.Keys.ENTER);
            eventually(() -> shown("#endpoint-view") && find("#endpoint-url").getText().equals(receiver.url("/once")),
                    "the new endpoint's page");
        } finally {
            chrome.deleteNetworkConditions();
        }
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ? AND url = ?", account,
                receiver.url("/once"))).isEqualTo(1);
    }

    @Test
    void an_admin_gives_an_endpoint_an_oauth_client_changes_it_with_its_secret_and_takes_it_away() throws Exception {
        try (TestReceiver tokenServer = new TestReceiver()) {
            java.util.concurrent.atomic.AtomicInteger issued = new java.util.concurrent.atomic.AtomicInteger();
            tokenServer.answer(request -> new TestReceiver.Reply(200, Map.of("Content-Type", "application/json"),
                    ("{\"access_token\":\"portal-tok-" + issued.incrementAndGet() + "\",\"expires_in\":3600}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            String id = createEndpoint(Map.of("url", receiver.url("/guarded"))).get("id").asText();
            openPortal(Map.of());
            eventually(() -> shown("#endpoints a"), "the list");
            chrome.executeScript("location.hash = '#/endpoints/" + id + "/edit'");
            eventually(() -> shown("#endpoint-form"), "the edit form");
            assertThat(shown("#endpoint-form input[name=oauthTokenUrl]")).as("folded away while none").isFalse();
            find("#oauth-settings summary").click();
            find("#endpoint-form input[name=oauthTokenUrl]").sendKeys(tokenServer.url("/token"));
            find("#endpoint-form input[name=oauthClientId]").sendKeys("portal-client");
            find("#endpoint-form input[name=oauthClientSecret]").sendKeys("portal-client-secret");
            find("#endpoint-form input[name=oauthAudience]").sendKeys("https://api.example.com");
            find("#endpoint-form button[type=submit]").click();
            eventually(() -> shown("#endpoint-view") && find("#message").getText().equals("Endpoint saved."), "saved");
            assertThat(endpoint(id).get("oauth").get("clientId").asText()).isEqualTo("portal-client");
            assertThat(find("#endpoint-details").getText())
                    .contains("a token from " + tokenServer.url("/token") + " for client portal-client");
            publish(Map.of("type", "host.offline", "data", Map.of("host", "db-1")));
            assertThat(receiver.next(WAIT).header("Authorization")).isEqualTo("Bearer portal-tok-1");

            click("#edit-endpoint");
            eventually(() -> shown("#endpoint-form input[name=oauthClientId]"), "the OAuth client unfolded");
            assertThat(find("#endpoint-form input[name=oauthClientSecret]").getAttribute("value"))
                    .as("the secret is never shown").isEmpty();
            find("#endpoint-form input[name=description]").sendKeys("kept client");
            find("#endpoint-form button[type=submit]").click();
            eventually(() -> shown("#endpoint-view") && endpoint(id).get("description").asText().equals("kept client"),
                    "saved without retyping the secret");
            assertThat(endpoint(id).get("oauth").get("clientId").asText()).isEqualTo("portal-client");

            click("#edit-endpoint");
            eventually(() -> shown("#endpoint-form input[name=oauthClientId]"), "the form again");
            find("#endpoint-form input[name=oauthClientId]").clear();
            find("#endpoint-form input[name=oauthClientId]").sendKeys("other-client");
            find("#endpoint-form button[type=submit]").click();
            eventually(() -> find("#message").getText().contains("Type the client secret again"), "asked for it");
            assertThat(endpoint(id).get("oauth").get("clientId").asText()).as("nothing saved").isEqualTo("portal-client");
            find("#endpoint-form input[name=oauthClientSecret]").sendKeys("other-client-secret");
            find("#endpoint-form button[type=submit]").click();
            eventually(() -> shown("#endpoint-view") && endpoint(id).get("oauth").get("clientId").asText()
                    .equals("other-client"), "the other client saved");

            click("#edit-endpoint");
            eventually(() -> shown("#endpoint-form input[name=oauthTokenUrl]"), "the form once more");
            find("#endpoint-form input[name=oauthTokenUrl]").clear();
            find("#endpoint-form button[type=submit]").click();
            eventually(() -> shown("#endpoint-view") && endpoint(id).get("oauth").isNull(), "taken away");
            eventually(() -> !find("#endpoint-details").getText().contains("a token from"), "shown as none");
        }
    }

    @Test
    void an_admin_chooses_the_channels_an_endpoint_listens_on_and_it_gets_only_their_events() throws Exception {
        String id = createEndpoint(Map.of("url", receiver.url("/channels"))).get("id").asText();
        openPortal(Map.of());
        eventually(() -> shown("#endpoints a"), "the list");
        chrome.executeScript("location.hash = '#/endpoints/" + id + "'");
        eventually(() -> find("#endpoint-details").getText().contains("all (events whatever their channels)"),
                "no channels shown");
        click("#edit-endpoint");
        eventually(() -> shown("#endpoint-form input[name=channels]"), "the edit form");
        find("#endpoint-form input[name=channels]").sendKeys("project_1, team 7");
        find("#endpoint-form button[type=submit]").click();
        eventually(() -> find("#message").getText().contains("'channels'"), "the API's reason shown");
        assertThat(endpoint(id).get("channels")).as("nothing saved").isEmpty();

        find("#endpoint-form input[name=channels]").clear();
        find("#endpoint-form input[name=channels]").sendKeys("project_1, team_7");
        find("#endpoint-form button[type=submit]").click();
        eventually(() -> shown("#endpoint-view") && find("#message").getText().equals("Endpoint saved."), "saved");
        assertThat(endpoint(id).get("channels")).extracting(JsonNode::asText).containsExactly("project_1", "team_7");
        assertThat(find("#endpoint-details").getText()).contains("project_1, team_7");

        String elsewhere = publish(Map.of("type", "build.failed", "channels", List.of("project_2"), "data", Map.of()));
        String mine = publish(Map.of("type", "build.failed", "channels", List.of("team_7", "org"), "data", Map.of()));
        assertThat(JSON.readTree(receiver.next(WAIT).body()).get("id").asText()).isEqualTo(mine);
        assertThat(deliveriesOf(elsewhere)).isEmpty();
        chrome.executeScript("location.hash = '#/events/" + mine + "'");
        eventually(() -> shown("#event-details") && find("#event-details").getText().contains("team_7, org"),
                "the event's channels shown");

        // emptied on an edit: events whatever their channels again
        chrome.executeScript("location.hash = '#/endpoints/" + id + "/edit'");
        eventually(() -> shown("#endpoint-form input[name=channels]")
                && "project_1, team_7".equals(find("#endpoint-form input[name=channels]").getAttribute("value")),
                "the form with the endpoint's channels");
        find("#endpoint-form input[name=channels]").clear();
        find("#endpoint-form button[type=submit]").click();
        eventually(() -> shown("#endpoint-view")
                && find("#endpoint-details").getText().contains("all (events whatever their channels)"), "none shown");
        assertThat(endpoint(id).get("channels")).isEmpty();
    }

    @Test
    void while_another_endpoint_loads_nothing_of_the_one_before_is_on_the_page() throws Exception {
        String first = createEndpoint(Map.of("url", receiver.url("/first"))).get("id").asText();
        String second = createEndpoint(Map.of("url", receiver.url("/second"))).get("id").asText();
        openPortal(Map.of());
        eventually(() -> shown("#endpoints tr[data-endpoint-id='" + first + "'] a"), "the list");
        find("#endpoints tr[data-endpoint-id='" + first + "'] a").click();
        eventually(() -> shown("#send-test") && find("#endpoint-url").getText().equals(receiver.url("/first")),
                "the first endpoint's page");
        find("#endpoint-view a[href='#/']").click();
        eventually(() -> shown("#endpoints tr[data-endpoint-id='" + second + "'] a"), "the list again");

        // a slow API: the second endpoint's page takes a while to come
        slowNetwork();
        try {
            find("#endpoints tr[data-endpoint-id='" + second + "'] a").click();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!(shown("#endpoint-view") && find("#endpoint-url").getText().equals(receiver.url("/second")))) {
                assertThat(shown("#endpoint-view") && shown("#send-test")
                        && find("#endpoint-url").getText().equals(receiver.url("/first")))
                        .as("the first endpoint's page, and its buttons, while the second loads").isFalse();
                assertThat(System.nanoTime()).as("the second endpoint's page came").isLessThan(deadline);
                Thread.sleep(20);
            }
        } finally {
            chrome.deleteNetworkConditions();
        }
        click("#send-test");
        Received post = receiver.next(WAIT);
        assertThat(post.path()).isEqualTo("/second");
        eventually(() -> find("#message").getText().contains(receiver.url("/second")), "the message names it");
    }

    @Test
    void answers_for_an_endpoint_the_admin_has_left_never_reach_the_next_ones_page() throws Exception {
        String first = createEndpoint(Map.of("url", receiver.url("/first"))).get("id").asText();
        String second = createEndpoint(Map.of("url", receiver.url("/second"))).get("id").asText();
        String firstTest = operator.post("/api/v1/accounts/" + account + "/endpoints/" + first + "/test", Map.of())
                .json().get("eventId").asText();
        String secondTest = operator.post("/api/v1/accounts/" + account + "/endpoints/" + second + "/test", Map.of())
                .json().get("eventId").asText();
        eventually(() -> count("SELECT COUNT(*) FROM attempts WHERE endpoint_id IN (?, ?)", first, second) == 2,
                "both tests attempted");
        openPortal(Map.of());
        eventually(() -> shown("#endpoints tr[data-endpoint-id='" + second + "']"), "the list");

        slowNetwork();
        try {
            // the first endpoint's page asked for, and the second's 150 ms later: the first's answers come first
            chrome.executeScript("location.hash = '#/endpoints/" + first + "'");
            Thread.sleep(150);
            chrome.executeScript("location.hash = '#/endpoints/" + second + "'");
            long settled = System.nanoTime() + java.time.Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < settled) {
                if (shown("#endpoint-view")) {
                    assertThat(find("#endpoint-url").getText()).as("the page shown for #/endpoints/second")
                            .isEqualTo(receiver.url("/second"));
                }
                Thread.sleep(20);
            }
        } finally {
            chrome.deleteNetworkConditions();
        }
        assertThat(find("#endpoint-url").getText()).isEqualTo(receiver.url("/second"));
        List<WebElement> attempts = chrome.findElements(By.cssSelector("#attempts tbody tr"));
        assertThat(attempts).as("the second endpoint's one attempt, none of the first's").hasSize(1);
        assertThat(attempts.get(0).getText()).contains(secondTest).doesNotContain(firstTest);
    }

    @Test
    void older_attempts_asked_for_twice_or_a_list_read_again_while_a_page_is_on_its_way_lists_each_attempt_once()
            throws Exception {
        String id = createEndpoint(Map.of("url", receiver.url("/many"))).get("id").asText();
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        String delivery = receiver.next(WAIT).header("webhook-id");
        eventually(() -> count("SELECT COUNT(*) FROM attempts WHERE delivery_id = ?", delivery) == 1, "its attempt");
        // 24 more tries of it in its history, a second apart: two pages of the portal's 20
        String first = db.queryForObject("SELECT id FROM attempts WHERE delivery_id = ?", String.class, delivery);
        java.time.OffsetDateTime at = java.time.OffsetDateTime.now();
        for (int n = 2; n <= 25; n++) {
            db.update("INSERT INTO attempts (id, delivery_id, endpoint_id, account_id, attempt_number, trigger_kind,"
                    + " request_url, request_headers, response_status, response_headers, response_body, duration_ms,"
                    + " error, succeeded, created_at) SELECT ?, delivery_id, endpoint_id, account_id, ?, 'manual',"
                    + " request_url, request_headers, response_status, response_headers, response_body, duration_ms,"
                    + " error, succeeded, ? FROM attempts WHERE id = ?", UUID.randomUUID().toString(), n,
                    at.plusSeconds(n), first);
        }
        openPortal(Map.of());
        chrome.executeScript("location.hash = '#/events/" + eventId + "'");
        String rows = "#delivery-attempts tbody tr";
        slowNetwork();
        try {
            // the list opened twice at once, then "Older attempts" clicked twice at once
            click("#event-deliveries button.show-attempts");
            chrome.executeScript("document.querySelector('#event-deliveries button.show-attempts').click()");
            eventually(() -> shown("#more-delivery-attempts") && find("#more-delivery-attempts").isEnabled(),
                    "the first page");
            chrome.executeScript("const more = document.querySelector('#more-delivery-attempts');"
                    + " more.click(); more.click();");
            eventually(() -> !shown("#more-delivery-attempts"), "the last page");
            Thread.sleep(1000); // a second answer, were one asked for, would have come by now (400 ms latency)
            assertThat(chrome.findElements(By.cssSelector(rows + " td:nth-child(2)")).stream().map(WebElement::getText)
                    .toList()).as("#25 down to #1, once each").containsExactlyElementsOf(
                            java.util.stream.IntStream.rangeClosed(1, 25).mapToObj(n -> "#" + (26 - n)).toList());

            // the endpoint's own list: "Older attempts" twice at once
            chrome.executeScript("location.hash = '#/endpoints/" + id + "'");
            eventually(() -> shown("#more-attempts") && find("#more-attempts").isEnabled(),
                    "the endpoint's first page");
            chrome.executeScript("const more = document.querySelector('#more-attempts'); more.click(); more.click();");
            eventually(() -> !shown("#more-attempts"), "its last page");
            Thread.sleep(1000);
            assertThat(chrome.findElements(By.cssSelector("#attempts tbody tr")).stream()
                    .map(r -> r.getAttribute("data-attempt-id")).distinct().count()).isEqualTo(25);
            assertThat(chrome.findElements(By.cssSelector("#attempts tbody tr"))).hasSize(25);
        } finally {
            chrome.deleteNetworkConditions();
        }
    }

    @Test
    void an_admin_sends_an_endpoint_added_later_the_events_it_never_got_once() throws Exception {
        String type = eventType();
        List<String> earlier = List.of(publish(Map.of("type", type, "data", Map.of("n", 1))),
                publish(Map.of("type", type, "data", Map.of("n", 2))));
        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ?", account) == 2, "both recorded");
        String id = createEndpoint(Map.of("url", receiver.url("/late"), "eventTypes", List.of(type)))
                .get("id").asText();

        openPortal(Map.of());
        eventually(() -> shown("#endpoints a"), "the list");
        find("#endpoints tr[data-endpoint-id='" + id + "'] a").click();
        eventually(() -> shown("#replay-missing-form button"), "the endpoint's page");
        find("#replay-missing-form select option[value='3600']").click();
        click("#replay-missing-form button");
        java.util.Set<String> sent = new java.util.HashSet<>();
        receiver.awaitWebhookIds(sent, 2, WAIT);
        assertThat(sent).containsExactlyInAnyOrder((String) deliveriesOf(earlier.get(0)).get(0).get("id"),
                (String) deliveriesOf(earlier.get(1)).get(0).get("id"));
        eventually(() -> find("#message").getText().equals("2 events it never got are being sent."),
                "the page says so");

        click("#replay-missing-form button");
        eventually(() -> find("#message").getText().equals("It had every event of that time it subscribes to."),
                "the page says there was nothing more to send");
        assertThat(receiver.drain(java.time.Duration.ofMillis(1000))).as("nothing sent twice").isEmpty();
    }

    @Test
    void an_admin_signs_out_and_the_link_opens_the_portal_no_more() throws Exception {
        String id = createEndpoint(Map.of("url", receiver.url("/left"), "description", "left")).get("id").asText();
        Api.Response link = operator.post("/api/v1/accounts/" + account + "/portal-access", Map.of());
        String url = link.json().get("url").asText();
        chrome.get("about:blank");
        chrome.get(url);
        eventually(() -> endpointRowText(id).contains("left"), "the endpoint to be listed");

        click("#sign-out");
        eventually(() -> shown("#sign-in") && find("#message").getText().equals("You are signed out."),
                "the page to say the admin is signed out");
        assertThat(find("#message").getAttribute("class")).as("not shown as an error").doesNotContain("error");
        assertThat(shown("#endpoints-view") || shown("#nav") || shown("#sign-out")).isFalse();
        assertThat(db.queryForObject("SELECT revoked_at FROM api_keys WHERE id = ?", java.time.OffsetDateTime.class,
                link.json().get("id").asText())).as("the session's key revoked").isNotNull();
        chrome.navigate().refresh();
        eventually(() -> shown("#sign-in"), "the sign-in form after a reload");
        assertThat(shown("#endpoints-view")).isFalse();

        chrome.get("about:blank");
        chrome.get(url);
        eventually(() -> shown("#sign-in") && find("#message").getText().contains("session has ended"),
                "the link to open the portal no more");
    }

    @Test
    void a_read_only_link_shows_no_changes_and_no_secret_and_an_expired_one_asks_for_a_new_link() throws Exception {
        String id = createEndpoint(Map.of("url", receiver.url("/watched"), "description", "watched"))
                .get("id").asText();
        openPortal(Map.of("readOnly", true));
        eventually(() -> endpointRowText(id).contains("watched"), "the endpoint to be listed");
        assertThat(find("#who").getText()).contains("read only");
        assertThat(shown("#add-endpoint")).isFalse();
        find("#endpoints tr[data-endpoint-id='" + id + "'] a").click();
        eventually(() -> shown("#endpoint-view") && shown("#stats dd"), "the endpoint's page");
        for (String change : List.of("#send-test", "#edit-endpoint", "#delete-endpoint", "#disable-endpoint",
                "#secret-section", "#recover-form", "#missing-section")) {
            assertThat(shown(change)).as(change).isFalse();
        }
        // the form's addresses show what a read-only session may see there
        chrome.executeScript("location.hash = '#/new'");
        eventually(() -> chrome.getCurrentUrl().endsWith("#/") && shown("#endpoints-view"), "the list, at #/");
        chrome.executeScript("location.hash = '#/endpoints/" + id + "/edit'");
        eventually(() -> chrome.getCurrentUrl().endsWith("#/endpoints/" + id) && shown("#endpoint-view")
                && !shown("#endpoint-form"), "the endpoint's page, at its address");

        // numbers JavaScript cannot hold: the page shows the payload as delivered, not as the browser reads it
        String eventId = publish("{\"type\": \"host.offline\", \"data\": {\"big\": 12345678901234567890,"
                + " \"huge\": 1E+400, \"exact\": 0.10000000000000000001}}");
        eventually(() -> !deliveriesOf(eventId).isEmpty()
                && "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the event delivered");
        chrome.executeScript("location.hash = '#/events/" + eventId + "'");
        eventually(() -> shown("#event-deliveries tbody tr"), "the event's page");
        assertThat(find("#event-deliveries tbody tr").getText()).contains("delivered");
        String delivered = db.queryForObject("SELECT payload FROM events WHERE account_id = ? AND id = ?",
                String.class, account, eventId);
        assertThat(find("#event-payload").getText().replaceAll("\\s", "")).contains("12345678901234567890")
                .isEqualTo(delivered.replaceAll("\\s", ""));
        assertThat(shown("#event-deliveries button.send-again")).as("no Send again").isFalse();
        // but its attempts, as sent: the body's numbers as written
        click("#event-deliveries button.show-attempts");
        eventually(() -> chrome.findElements(By.cssSelector("#delivery-attempts tbody tr")).size() == 1, "its attempt");
        assertThat(find("#delivery-attempts tbody tr").getText()).contains("#1", "HTTP 200");
        click("#delivery-attempts tbody tr button");
        eventually(() -> shown("#delivery-attempt-detail"), "its request and answer");
        assertThat(find("#delivery-attempt-request").getText()).contains("12345678901234567890", "1E+400",
                "0.10000000000000000001");
        // its payload deleted (over the API): the page says so, and the attempt's request has no body to show
        assertThat(operator.delete("/api/v1/accounts/" + account + "/events/" + eventId + "/payload").status())
                .isEqualTo(204);
        chrome.navigate().refresh();
        eventually(() -> shown("#event-payload") && find("#event-payload").getText().startsWith("Deleted "),
                "the page to say the payload was deleted");
        assertThat(find("#event-details").getText()).contains("Payload deleted");
        click("#event-deliveries button.show-attempts");
        eventually(() -> chrome.findElements(By.cssSelector("#delivery-attempts tbody tr")).size() == 1, "its attempt");
        click("#delivery-attempts tbody tr button");
        eventually(() -> find("#delivery-attempt-request").getText().endsWith("(the event's payload was deleted)"),
                "no body shown");
        assertThat(find("#delivery-attempt-request").getText()).doesNotContain("12345678901234567890");

        db.update("UPDATE api_keys SET expires_at = ? WHERE account_id = ? AND scope IS NOT NULL",
                java.time.OffsetDateTime.now().minusSeconds(1), account);
        chrome.navigate().refresh();
        eventually(() -> shown("#sign-in") && find("#message").getText().contains("session has ended"),
                "the page to say the session ended");
        assertThat(shown("#endpoints-view")).isFalse();
    }
}
