package io.hookpost.ops;

import io.hookpost.HookpostProperties;
import io.hookpost.api.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * With no {@code hookpost.security.admin-token} set, the first start issues an operator key and logs it
 * once (only its hash is stored), so a newcomer can use the API without configuring anything.
 */
@Component
public class AdminTokenBootstrap implements ApplicationRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AdminTokenBootstrap.class);
    private final HookpostProperties properties;
    private final ApiKeys keys;

    public AdminTokenBootstrap(HookpostProperties properties, ApiKeys keys) {
        this.properties = properties;
        this.keys = keys;
    }

    @Override
    public void run(ApplicationArguments args) {
        String configured = properties.security().adminToken();
        if (configured != null && !configured.isBlank()) {
            return;
        }
        if (!keys.anyOperatorKey()) {
            String key = keys.issue(null, "generated at first start");
            LOG.warn("\n\n  No hookpost.security.admin-token is set, so an operator key was generated."
                    + "\n  It is shown this once (only its hash is stored):\n\n    {}\n", key);
        }
    }
}
