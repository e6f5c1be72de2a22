package io.hookpost.outbound;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.hookpost.HookpostProperties;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.springframework.stereotype.Component;

/**
 * Keeps deliveries away from internal networks (OWASP's webhook SSRF case). {@link #checkUrl} runs when a
 * URL is saved and before each attempt; {@link #resolve} is the HTTP client's DNS resolver, so the address
 * checked is the address connected to, whatever DNS answers later (rebinding).
 */
@Component("ssrfGuard")
public class SsrfGuard implements DnsResolver {

    /** Never a webhook receiver: loopback, private, link-local, CGNAT, multicast, reserved, documentation. */
    private static final List<Cidr> BLOCKED = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "::/96", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10",
            "fec0::/10", "ff00::/8").stream().map(Cidr::parse).toList();
    /** IPv6 forms that carry an IPv4 address: mapped, NAT64, 6to4. The embedded address is checked too. */
    private static final Cidr MAPPED = Cidr.parse("::ffff:0:0/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");
    private static final List<String> BLOCKED_SUFFIXES = List.of(".internal", ".local", ".svc", ".localhost",
            ".localdomain", ".home.arpa");

    private final boolean allowHttp;
    private final List<Cidr> allowed;
    private final DnsResolver system = SystemDefaultDnsResolver.INSTANCE;

    public SsrfGuard(HookpostProperties properties) {
        this.allowHttp = properties.delivery().allowHttp();
        this.allowed = properties.delivery().allowedCidrs().stream().map(Cidr::parse).toList();
    }

    /** Checks a URL's form and host name; throws {@link BlockedDestinationException} with the reason. */
    public void checkUrl(String url) throws BlockedDestinationException {
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
            throw new BlockedDestinationException("the URL has no host");
        }
        if (uri.getFragment() != null) {
            throw new BlockedDestinationException("the URL must not contain a fragment");
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.equals("localhost") || BLOCKED_SUFFIXES.stream().anyMatch(name::endsWith)) {
            throw new BlockedDestinationException("the host " + host + " is an internal name");
        }
        if (isLiteral(name)) {
            try {
                checkAddress(InetAddress.getByName(name.replace("[", "").replace("]", "")));
            } catch (UnknownHostException e) {
                throw new BlockedDestinationException("the host " + host + " is not a valid address");
            }
        }
    }

    /** The HTTP client's resolver: resolves, then refuses if any address is blocked. */
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = system.resolve(host);
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
        return system.resolveCanonicalHostname(host);
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

    private static boolean isLiteral(String host) {
        return host.startsWith("[") || host.matches("[0-9a-fx.]+") && host.chars().anyMatch(Character::isDigit);
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
