package io.hookpost.api;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.hookpost.Ids;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** {@code POST /api/v1/accounts}: operators create the tenants. */
@Component("accountApi")
public class AccountApi {
    static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}");

    public record CreateAccount(String name, String id) {
    }

    private final JdbcTemplate jdbc;
    private final RequestBodies bodies;

    public AccountApi(JdbcTemplate jdbc, RequestBodies bodies) {
        this.jdbc = jdbc;
        this.bodies = bodies;
    }

    public Map<String, Object> create(@Body byte[] body, Exchange exchange) throws IOException {
        ApiAccess.requireOperator(exchange);
        CreateAccount request = bodies.read(body, CreateAccount.class);
        if (request.name() == null || request.name().isBlank() || request.name().length() > 200) {
            throw ProblemException.badRequest("'name' is required (1 to 200 characters).");
        }
        String id = request.id() == null ? Ids.next("acct") : request.id();
        if (!ACCOUNT_ID.matcher(id).matches()) {
            throw ProblemException.badRequest(
                    "'id' may hold letters, digits, '_' and '-' (at most 64), starting with a letter or digit.");
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        jdbc.update("INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)", id, request.name(), now);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("name", request.name());
        view.put("createdAt", DateTimeFormatter.ISO_INSTANT.format(now));
        return view;
    }
}
