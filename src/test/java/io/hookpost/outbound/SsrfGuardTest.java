package io.hookpost.outbound;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import io.hookpost.HookpostProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SsrfGuardTest {

    static SsrfGuard guard(boolean allowHttp, List<String> allowedCidrs) {
        return new SsrfGuard(new HookpostProperties("./data",
                new HookpostProperties.Delivery(allowHttp, allowedCidrs, Duration.ofSeconds(10),
                        List.of(Duration.ofSeconds(1)), 10, 4096, 1, 1, 1, Duration.ofSeconds(10), Duration.ofHours(1), 0.1,
                        Duration.ofMinutes(2), 1000L, 10, 8, Duration.ofSeconds(1)),
                new HookpostProperties.Accounts(5), new HookpostProperties.Security(""),
                new HookpostProperties.Events(262144, "q", Duration.ofSeconds(1), Duration.ofMinutes(1)), new HookpostProperties.Fanout(1),
                new HookpostProperties.Ops("ops"),
                new HookpostProperties.Inbound(1024, Duration.ofMinutes(5), "inbound", "")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://example.com/hook", "ftp://example.com/", "https://localhost/", "https://LOCALHOST./x",
            "https://db.internal/", "https://printer.local/", "https://api.default.svc/", "https://127.0.0.1/",
            "https://10.1.2.3/", "https://172.16.0.1/", "https://192.168.1.1/", "https://169.254.169.254/latest",
            "https://100.64.0.1/", "https://0.0.0.0/", "https://[::1]/", "https://[fd00::1]/", "https://[fe80::1]/",
            "https://[::ffff:127.0.0.1]/", "https://[64:ff9b::a00:1]/", "https://[2002:7f00:1::]/",
            "https://224.0.0.1/", "https://2130706433/", "https://user:pw@example.com/", "not a url",
            "https:///nohost"})
    void refuses_hostile_or_internal_urls_by_default(String url) {
        assertThatThrownBy(() -> guard(false, List.of()).checkUrl(url))
                .isInstanceOf(SsrfGuard.BlockedDestinationException.class);
    }

    @Test
    void accepts_public_https_urls() {
        assertThatCode(() -> guard(false, List.of()).checkUrl("https://hooks.example.com/in?x=1"))
                .doesNotThrowAnyException();
        assertThatCode(() -> guard(false, List.of()).checkUrl("https://93.184.215.14:8443/x"))
                .doesNotThrowAnyException();
    }

    @Test
    void allow_http_and_allowed_cidrs_permit_local_receivers() throws Exception {
        SsrfGuard local = guard(true, List.of("127.0.0.0/8"));
        assertThatCode(() -> local.checkUrl("http://127.0.0.1:8080/hook")).doesNotThrowAnyException();
        assertThatThrownBy(() -> local.checkUrl("http://10.0.0.1/hook"))
                .isInstanceOf(SsrfGuard.BlockedDestinationException.class);
        assertThatThrownBy(() -> guard(true, List.of()).checkUrl("http://127.0.0.1:8080/hook"))
                .isInstanceOf(SsrfGuard.BlockedDestinationException.class);
    }

    @Test
    void the_resolver_refuses_names_that_resolve_to_blocked_addresses() throws Exception {
        assertThatThrownBy(() -> guard(false, List.of()).resolve("localhost"))
                .isInstanceOf(java.net.UnknownHostException.class).hasMessageContaining("blocked");
        assertThatCode(() -> guard(false, List.of("127.0.0.0/8", "::1/128")).resolve("localhost"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> guard(false, List.of()).checkAddress(InetAddress.getByName("::ffff:10.0.0.1")))
                .isInstanceOf(SsrfGuard.BlockedDestinationException.class);
    }
}
