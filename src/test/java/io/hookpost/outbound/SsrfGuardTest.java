package io.hookpost.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;

import io.hookpost.HookpostProperties;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SsrfGuardTest {

    static SsrfGuard guard(boolean allowHttp, List<String> allowedCidrs) {
        return new SsrfGuard(properties(allowHttp, allowedCidrs));
    }

    static HookpostProperties properties(boolean allowHttp, List<String> allowedCidrs) {
        return new HookpostProperties("./data", "config/routes",
                new HookpostProperties.Delivery(allowHttp, allowedCidrs, Duration.ofSeconds(10),
                        List.of(Duration.ofSeconds(1)), 10, 4096, 1, 1, 1, Duration.ofSeconds(10), Duration.ofHours(1), 0.1,
                        Duration.ofMinutes(2), 1000L, 10, 8, 100, Duration.ofSeconds(1), 6, 1000L),
                new HookpostProperties.Accounts(5, 100, java.time.Duration.ofMinutes(1)), new HookpostProperties.Security("", Duration.ofDays(1), "", java.util.List.of()),
                new HookpostProperties.Events(262144, "q", Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofSeconds(1),
                        1000), new HookpostProperties.Fanout(1, 1),
                new HookpostProperties.Database(1, 1, Duration.ZERO, Duration.ZERO, 0, 0),
                new HookpostProperties.Ops("ops"),
                new HookpostProperties.Inbound(1024, Duration.ofMinutes(5), "inbound", ""),
                new HookpostProperties.Rabbitmq(""),
                new HookpostProperties.History(Duration.ofDays(90), 3_600_000L, 1000),
                new HookpostProperties.Portal(Duration.ofHours(1), Duration.ofDays(7), List.of()), "test");
    }

    static Stream<String> hostileUrls() throws IOException {
        return lines("/ssrf/hostile-urls.txt");
    }

    static Stream<String> legitimateUrls() throws IOException {
        return lines("/ssrf/legitimate-urls.txt");
    }

    private static Stream<String> lines(String resource) throws IOException {
        try (InputStream in = SsrfGuardTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList().stream();
        }
    }

    @Test
    void the_hostile_corpus_is_large_enough_to_mean_something() throws IOException {
        assertThat(hostileUrls().count()).isGreaterThanOrEqualTo(40);
    }

    @ParameterizedTest
    @MethodSource("hostileUrls")
    void refuses_every_url_of_the_hostile_corpus_even_with_http_allowed(String url) {
        assertThatThrownBy(() -> guard(true, List.of()).checkUrl(url))
                .isInstanceOf(SsrfGuard.BlockedDestinationException.class);
    }

    @ParameterizedTest
    @MethodSource("legitimateUrls")
    void accepts_every_legitimate_url_with_the_defaults(String url) {
        assertThatCode(() -> guard(false, List.of()).checkUrl(url)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://example.com/hook", "ftp://example.com/", "https://localhost/", "https://LOCALHOST./x",
            "https://db.internal/", "https://printer.local/", "https://api.default.svc/", "https://127.0.0.1/",
            "https://10.1.2.3/", "https://172.16.0.1/", "https://192.168.1.1/", "https://169.254.169.254/latest",
            "https://168.63.129.16/", "https://[::ffff:168.63.129.16]/",
            "https://100.64.0.1/", "https://0.0.0.0/", "https://[::1]/", "https://[fd00::1]/", "https://[fe80::1]/",
            "https://[::ffff:127.0.0.1]/", "https://[64:ff9b::a00:1]/", "https://[2002:7f00:1::]/",
            "https://224.0.0.1/", "https://2130706433/", "https://user:pw@example.com/", "not a url",
            "https:///nohost", "https://example.com:99999/hook", "https://example.com:0/hook"})
    void refuses_hostile_or_internal_urls_by_default(String url) {
        assertThatThrownBy(() -> guard(false, List.of()).checkUrl(url))
                .isInstanceOf(SsrfGuard.BlockedDestinationException.class);
    }

    @Test
    void a_url_is_refused_every_time_and_passed_only_by_the_guard_whose_settings_allow_it() {
        SsrfGuard strict = guard(false, List.of());
        SsrfGuard lenient = guard(true, List.of("127.0.0.0/8"));
        for (int i = 0; i < 2; i++) {
            assertThatCode(() -> lenient.checkUrl("http://127.0.0.1:8080/hook")).doesNotThrowAnyException();
            assertThatThrownBy(() -> strict.checkUrl("http://127.0.0.1:8080/hook"))
                    .isInstanceOf(SsrfGuard.BlockedDestinationException.class).hasMessageContaining("https");
            assertThatThrownBy(() -> lenient.checkUrl("http://169.254.169.254/latest"))
                    .isInstanceOf(SsrfGuard.BlockedDestinationException.class).hasMessageContaining("blocked range");
        }
    }

    @Test
    void accepts_public_https_urls() {
        assertThatCode(() -> guard(false, List.of()).checkUrl("https://hooks.example.com/in?x=1"))
                .doesNotThrowAnyException();
        assertThatCode(() -> guard(false, List.of()).checkUrl("https://93.184.215.14:8443/x"))
                .doesNotThrowAnyException();
    }

    @Test
    void an_internationalised_host_name_is_refused_with_its_ascii_form_asked_for_and_that_form_is_accepted() {
        assertThatThrownBy(() -> guard(false, List.of()).checkUrl("https://b\u00fccher.example/hook"))
                .hasMessageContaining("xn-- (punycode) form");
        assertThatCode(() -> guard(false, List.of()).checkUrl("https://xn--bcher-kva.example/hook"))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://0177.0.0.1/", "http://2130706433/", "http://0x7f000001/", "http://0/",
            "http://127.000.000.001/", "http://93.184.216.034/", "http://[::ffff:0177.0.0.1]/"})
    void refuses_numeric_hosts_java_would_read_one_way_and_clients_another(String url) {
        // Java reads 0177.0.0.1 as 177.0.0.1, a public address; curl and browsers read 127.0.0.1
        assertThatThrownBy(() -> guard(true, List.of("177.0.0.0/8")).checkUrl(url))
                .isInstanceOf(SsrfGuard.BlockedDestinationException.class).hasMessageContaining("ambiguous");
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
        // "localhost" comes from the system resolver (hosts file): the resolver checks addresses, not names
        assertThatThrownBy(() -> guard(false, List.of()).resolve("localhost"))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("blocked");
        assertThatCode(() -> guard(false, List.of("127.0.0.0/8", "::1/128")).resolve("localhost"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> guard(false, List.of()).checkAddress(InetAddress.getByName("::ffff:10.0.0.1")))
                .isInstanceOf(SsrfGuard.BlockedDestinationException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::",
            "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:a00:1::1",
            "2001::1"})
    void the_resolver_refuses_blocked_literals_that_pass_the_name_rules(String literal) {
        assertThatThrownBy(() -> guard(true, List.of()).resolve(literal))
                .isInstanceOf(SsrfGuard.BlockedHostException.class);
    }

    @Test
    void the_resolver_refuses_a_name_if_any_of_its_addresses_is_blocked() throws Exception {
        // a rebinding DNS: the name passed checkUrl, then answers with a private address among public ones
        Map<String, String[]> answers = Map.of(
                "hooks.example.com", new String[] {"93.184.216.34"},
                "rebind.example.com", new String[] {"93.184.216.34", "10.0.0.7"},
                "v6.example.com", new String[] {"2606:4700:4700::1111", "::ffff:169.254.169.254"});
        DnsResolver dns = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                String[] literals = answers.get(host);
                if (literals == null) {
                    throw new UnknownHostException(host);
                }
                InetAddress[] addresses = new InetAddress[literals.length];
                for (int i = 0; i < literals.length; i++) {
                    addresses[i] = InetAddress.getByName(literals[i]);
                }
                return addresses;
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        SsrfGuard guard = new SsrfGuard(properties(false, List.of()), dns);
        for (String host : answers.keySet()) {
            assertThatCode(() -> guard.checkUrl("https://" + host + "/hook")).doesNotThrowAnyException();
        }
        assertThat(guard.resolve("hooks.example.com")).containsExactly(InetAddress.getByName("93.184.216.34"));
        assertThatThrownBy(() -> guard.resolve("rebind.example.com"))
                .isInstanceOf(SsrfGuard.BlockedHostException.class).hasMessageContaining("10.0.0.7");
        assertThatThrownBy(() -> guard.resolve("v6.example.com"))
                .isInstanceOf(SsrfGuard.BlockedHostException.class).hasMessageContaining("169.254.169.254");
    }

    @Test
    void the_delivery_client_connects_only_where_the_guard_allows() throws Exception {
        // the real connection manager, with checkUrl skipped: only the connect-time check stands in the way
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger received = new AtomicInteger();
        receiver.createContext("/", exchange -> {
            received.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        try (CloseableHttpClient blocked = client(properties(true, List.of()));
             CloseableHttpClient allowed = client(properties(true, List.of("127.0.0.0/8")))) {
            assertThatThrownBy(() -> blocked.execute(new HttpGet(url), response -> response.getCode()))
                    .isInstanceOf(SsrfGuard.BlockedHostException.class);
            assertThat(received).hasValue(0);
            int status = allowed.execute(new HttpGet(url), response -> response.getCode());
            assertThat(status).isEqualTo(204);
            assertThat(received).hasValue(1);
        } finally {
            receiver.stop(0);
        }
    }

    private static CloseableHttpClient client(HookpostProperties properties) {
        return HttpClients.custom()
                .setConnectionManager(new DeliveryHttpClient().deliveryConnections(properties, new SsrfGuard(properties)))
                .build();
    }
}
