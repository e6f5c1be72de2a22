package io.hookpost.outbound;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.hookpost.HookpostProperties;
import org.apache.camel.support.LRUCacheFactory;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Keeps deliveries away from internal networks (OWASP's webhook SSRF case). {@link #checkUrl} runs when a
 * URL is saved and before each attempt; {@link #resolve} is the HTTP client's DNS resolver, so the address
 * checked is the address connected to, whatever DNS answers later (rebinding).
 */
@Component("ssrfGuard")
public class SsrfGuard implements DnsResolver {

    /**
     * Never a webhook receiver: unspecified, loopback, private, link-local, CGNAT, IETF, benchmarking,
     * documentation, multicast, reserved and broadcast; in IPv6 also IPv4-compatible (::/96), SIIT
     * (::ffff:0:0:0/96), local-use NAT64, discard, IETF protocol assignments (2001::/23, Teredo included),
     * unique-local, link-local, site-local and multicast. And one public address: Azure's WireServer,
     * 168.63.129.16, which every Azure VM reaches and which serves the VM's own configuration.
     */
    private static final List<Cidr> BLOCKED = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "168.63.129.16/32",
            "::/128", "::1/128", "::/96", "::ffff:0:0:0/96", "64:ff9b:1::/48", "100::/64", "2001::/23",
            "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8").stream().map(Cidr::parse).toList();
    /** IPv6 forms that carry an IPv4 address: mapped, NAT64, 6to4. The embedded address is checked too. */
    private static final Cidr MAPPED = Cidr.parse("::ffff:0:0/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");
    private static final List<String> BLOCKED_SUFFIXES = List.of(".internal", ".local", ".svc", ".localhost",
            ".localdomain", ".home.arpa");
    /** The one IPv4 spelling all clients read alike: four decimal octets without leading zeros. */
    private static final Pattern DOTTED_QUAD = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    /** A label that inet_aton, curl and the WHATWG URL parser read as a number: decimal, octal or hex. */
    private static final Pattern NUMBER = Pattern.compile("[0-9]+|0x[0-9a-f]*");
    /** How many URLs that passed {@link #checkUrl} are remembered: more than the endpoints that receive at once. */
    private static final int PASSED_URLS = 10_000;

    private final boolean allowHttp;
    private final List<Cidr> allowed;
    private final DnsResolver dns;
    /**
     * URLs that passed {@link #checkUrl}, which runs before every attempt: its answer depends only on the URL and this
     * guard's settings, and checking the URL anew took 4 % of the delivery threads' samples in a profile of the
     * benchmark (bench/RESULTS.md). Refusals are not remembered: each is worked out again, with its own reason.
     */
    private final Map<String, Boolean> passed = LRUCacheFactory.newLRUCache(PASSED_URLS);

    @Autowired
    public SsrfGuard(HookpostProperties properties) {
        this(properties, SystemDefaultDnsResolver.INSTANCE);
    }

    /** {@code dns} answers the look-ups whose addresses are checked; tests pass one that plays a rebinding DNS. */
    SsrfGuard(HookpostProperties properties, DnsResolver dns) {
        this.dns = dns;
        this.allowHttp = properties.delivery().allowHttp();
        this.allowed = properties.delivery().allowedCidrs().stream().map(Cidr::parse).toList();
    }

    /** Checks a URL's form and host name; throws {@link BlockedDestinationException} with the reason. */
    public void checkUrl(String url) throws BlockedDestinationException {
        if (url != null && passed.get(url) != null) {
            return;
        }
        checkForm(url);
        passed.put(url, Boolean.TRUE);
    }

    private void checkForm(String url) throws BlockedDestinationException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new BlockedDestinationException("the URL is not valid: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw new BlockedDestinationException(allowHttp ? "the URL must use http or https"
                    : "the URL must use https");
        }
        if (uri.getRawUserInfo() != null) {
            throw new BlockedDestinationException("the URL must not contain credentials");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            // java.net.URI reads no server-based host for IDN, underscores or percent-encoding. IDNs are not converted
            // here: the JDK's java.net.IDN follows IDNA2003, which maps some names (faß.de) to another host than
            // browsers and curl (UTS 46 / IDNA2008) reach, so the owner gives the name they mean in its ASCII form
            String authority = uri.getRawAuthority();
            if (authority != null && !authority.chars().allMatch(c -> c < 0x80)) {
                throw new BlockedDestinationException(
                        "the host name is not ASCII: give an internationalised domain name in its xn-- (punycode) form");
            }
            throw new BlockedDestinationException("the URL has no valid host name");
        }
        if (uri.getFragment() != null) {
            throw new BlockedDestinationException("the URL must not contain a fragment");
        }
        if (uri.getPort() > 65535 || uri.getPort() == 0) {
            // java.net.URI reads any digits as a port; the HTTP client would refuse it on every attempt
            throw new BlockedDestinationException("the port " + uri.getPort() + " is not a TCP port (1-65535)");
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.startsWith("[")) {
            checkAddress(ipv6Literal(name.substring(1, name.length() - 1)));
            return;
        }
        if (name.equals("localhost") || BLOCKED_SUFFIXES.stream().anyMatch(name::endsWith)) {
            throw new BlockedDestinationException("the host " + host + " is an internal name");
        }
        // A host ending in a number is an IPv4 address to HTTP clients, who disagree with Java (and each
        // other) on 127.1, 0177.0.0.1 or 0x7f000001: rather than guess their reading, refuse all but one.
        if (NUMBER.matcher(name.substring(name.lastIndexOf('.') + 1)).matches()) {
            if (!DOTTED_QUAD.matcher(name).matches()) {
                throw new BlockedDestinationException("the host " + host + " is an ambiguous IP address spelling");
            }
            checkAddress(literal(name));
        }
        // Other names are not resolved here: resolve() checks the addresses actually connected to.
    }

    private static InetAddress ipv6Literal(String text) throws BlockedDestinationException {
        if (text.contains("%")) {
            throw new BlockedDestinationException("the address must not name a network interface (zone id)");
        }
        if (!text.matches("[0-9a-f:.]+")) {
            throw new BlockedDestinationException("the host [" + text + "] is not a valid address");
        }
        // Java reads the IPv4 tail of ::ffff:0177.0.0.1 as decimal; refuse it as above
        if (text.contains(".") && !DOTTED_QUAD.matcher(text.substring(text.lastIndexOf(':') + 1)).matches()) {
            throw new BlockedDestinationException("the host [" + text + "] is an ambiguous IP address spelling");
        }
        return literal(text);
    }

    /** Parses an IP literal already checked for form, so the JDK never turns it into a DNS lookup. */
    private static InetAddress literal(String text) throws BlockedDestinationException {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new BlockedDestinationException("the host " + text + " is not a valid address");
        }
    }

    /**
     * The HTTP client's resolver, called for IP literals too: resolves, then refuses the host if any of its
     * addresses is blocked, so neither a second DNS answer nor a round-robin entry can slip through.
     */
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = dns.resolve(host);
        for (InetAddress address : addresses) {
            try {
                checkAddress(address);
            } catch (BlockedDestinationException e) {
                throw new BlockedHostException(host + " resolves to a blocked address: " + e.getMessage());
            }
        }
        return addresses;
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return dns.resolveCanonicalHostname(host);
    }

    public void checkAddress(InetAddress address) throws BlockedDestinationException {
        if (allowed.stream().anyMatch(c -> c.contains(address))) {
            return;
        }
        byte[] bytes = address.getAddress();
        if (isBlocked(bytes)) {
            throw new BlockedDestinationException(address.getHostAddress() + " is in a blocked range");
        }
        if (bytes.length == 16) {
            byte[] embedded = null;
            if (MAPPED.contains(bytes) || NAT64.contains(bytes)) {
                embedded = Arrays.copyOfRange(bytes, 12, 16);
            } else if (SIX_TO_FOUR.contains(bytes)) {
                embedded = Arrays.copyOfRange(bytes, 2, 6);
            }
            if (embedded != null) {
                try {
                    checkAddress(InetAddress.getByAddress(embedded));
                } catch (UnknownHostException e) {
                    throw new BlockedDestinationException("malformed embedded IPv4 address");
                }
            }
        }
    }

    private static boolean isBlocked(byte[] bytes) {
        return BLOCKED.stream().anyMatch(c -> c.contains(bytes));
    }

    /** Why a destination is refused; the message is safe to show to the endpoint's owner. */
    public static class BlockedDestinationException extends IOException {
        public BlockedDestinationException(String reason) {
            super(reason);
        }
    }

    /** The resolver's form: HttpClient expects an {@link UnknownHostException} from a resolver. */
    public static class BlockedHostException extends UnknownHostException {
        public BlockedHostException(String reason) {
            super(reason);
        }
    }
}
