package io.hookpost.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.hookpost.HookpostProperties;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * Step {@code authenticate}, run first by every API route: resolves the bearer key to a principal and,
 * when the path names an account, checks that it exists and that the caller may see it. Another
 * account's objects answer 404, exactly like missing ones, so keys cannot probe for accounts.
 */
@Component("apiAccess")
public class ApiAccess implements Processor {
    private final ApiKeys keys;
    private final Accounts accounts;
    private final byte[] adminToken;

    public ApiAccess(ApiKeys keys, Accounts accounts, HookpostProperties properties) {
        this.keys = keys;
        this.accounts = accounts;
        String token = properties.security().adminToken();
        this.adminToken = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void process(Exchange exchange) {
        String authorization = exchange.getIn().getHeader("Authorization", String.class);
        // the key never travels further than this step (logs, queue, outbound requests)
        exchange.getIn().removeHeader("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ProblemException.unauthorized("Send your API key as 'Authorization: Bearer <key>'.");
        }
        String key = authorization.substring(7).trim();
        Principal principal = resolve(key);
        exchange.setProperty(Principal.PROPERTY, principal);

        String account = exchange.getIn().getHeader("acct", String.class);
        if (account != null) {
            if (!principal.mayAccess(account) || !accounts.exists(account)) {
                throw ProblemException.notFound("No account '" + account + "'.");
            }
        }
    }

    private Principal resolve(String key) {
        if (adminToken != null
                && MessageDigest.isEqual(adminToken, key.getBytes(StandardCharsets.UTF_8))) {
            return Principal.OPERATOR;
        }
        return keys.lookup(key).orElseThrow(() -> ProblemException.unauthorized("The API key is not valid."));
    }

    /** For operator-only actions such as creating accounts. */
    public static void requireOperator(Exchange exchange) {
        Principal principal = exchange.getProperty(Principal.PROPERTY, Principal.class);
        if (principal == null || !principal.operator()) {
            throw new ProblemException(403, "Forbidden", "Only an operator key may do this.");
        }
    }
}
