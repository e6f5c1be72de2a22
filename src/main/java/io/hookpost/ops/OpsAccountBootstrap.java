package io.hookpost.ops;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.hookpost.HookpostProperties;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Makes sure the ops account exists, so operators can add admin webhooks to it at any time. */
@Component
public class OpsAccountBootstrap implements ApplicationRunner {
    private final JdbcTemplate jdbc;
    private final String opsAccount;

    public OpsAccountBootstrap(JdbcTemplate jdbc, HookpostProperties properties) {
        this.jdbc = jdbc;
        this.opsAccount = properties.ops().accountId();
    }

    @Override
    public void run(ApplicationArguments args) {
        jdbc.update("INSERT INTO accounts (id, name, created_at) SELECT ?, ?, ? "
                        + "WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE id = ?)",
                opsAccount, "Hookpost operations", OffsetDateTime.now(ZoneOffset.UTC), opsAccount);
    }
}
