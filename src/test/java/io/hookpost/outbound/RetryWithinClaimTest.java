package io.hookpost.outbound;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retry waits in memory only when it can end before the delivery's claim does; one that would outlast it is planned
 * in the database. Hookpost runs as its own process with a lease shorter than the retry's delay (4 s and 6 s).
 */
class RetryWithinClaimTest {

    @Test
    void a_retry_that_would_outlast_its_claim_goes_out_when_its_schedule_says_not_when_the_lease_ends() throws Exception {
        try (TestReceiver receiver = new TestReceiver();
             HookpostProcess hookpost = HookpostProcess.fresh("retry-within-claim-tests", List.of(
                     "--hookpost.delivery.lease=4s",
                     "--hookpost.delivery.timeout=1s",
                     "--hookpost.delivery.jitter=0",
                     "--hookpost.delivery.poll-interval-ms=200"))) {
            hookpost.start();
            Api api = new Api(hookpost.port(), HookpostTest.ADMIN_TOKEN);
            assertThat(api.post("/api/v1/accounts", Map.of("id", "acme", "name", "Acme")).status()).isEqualTo(201);
            receiver.answer(r -> TestReceiver.Reply.status(500));
            Api.Response endpoint = api.post("/api/v1/accounts/acme/endpoints", Map.of("url", receiver.url("/fails"),
                    "retrySchedule", List.of("6s", "6s")));
            assertThat(endpoint.status()).as(endpoint.text()).isEqualTo(201);

            assertThat(api.post("/api/v1/accounts/acme/events", Map.of("type", "host.offline", "data", Map.of()))
                    .status()).isEqualTo(202);

            receiver.next(Duration.ofSeconds(20));
            long first = System.nanoTime();
            TestReceiver.Received retry = receiver.next(Duration.ofSeconds(20));
            Duration gap = Duration.ofNanos(System.nanoTime() - first);
            // before, the retry scheduler claimed the delivery again when the 4 s lease ended and sent it then
            assertThat(gap).as("time between the first attempt and its retry (schedule: 6 s)")
                    .isGreaterThan(Duration.ofMillis(5_500));
            assertThat(retry.header("webhook-id")).isNotNull();
        }
    }
}
