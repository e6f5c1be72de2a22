package io.hookpost.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.hookpost.HookpostProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Whether an account exists (and is not deleted): asked by every API request that names one and by the fan-out for
 * every event. A yes is remembered (up to {@code hookpost.accounts.remembered}, the least recently asked leave first)
 * for {@code remembered-for}: an account deleted here is forgotten at once, one deleted through another instance once
 * that time has passed. A no is asked of the database every time, so an account another node has just created is found
 * at once.
 */
@Component("accounts")
public class Accounts {
    private final JdbcTemplate jdbc;
    private final Cache<String, Boolean> known;

    public Accounts(JdbcTemplate jdbc, HookpostProperties properties) {
        this.jdbc = jdbc;
        this.known = Caffeine.newBuilder().maximumSize(properties.accounts().remembered())
                .expireAfterWrite(properties.accounts().rememberedFor()).build();
    }

    public boolean exists(String id) {
        if (id == null) {
            return false;
        }
        if (known.getIfPresent(id) != null) {
            return true;
        }
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM accounts WHERE id = ? AND deleted_at IS NULL",
                Integer.class, id);
        if (n == null || n == 0) {
            return false;
        }
        known.put(id, Boolean.TRUE);
        return true;
    }

    /** The account was deleted: no longer remembered as existing. */
    public void forget(String id) {
        known.invalidate(id);
    }
}
