package io.hookpost.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.hookpost.HookpostProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

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
    /**
     * Accounts deleted through this instance. A yes read from the database just before a deletion committed may be
     * remembered just after it; this wins over it (an account is never undeleted, so it is kept as long as there is
     * room).
     */
    private final Cache<String, Boolean> deleted;

    public Accounts(JdbcTemplate jdbc, HookpostProperties properties) {
        this.jdbc = jdbc;
        this.known = Caffeine.newBuilder().maximumSize(properties.accounts().remembered())
                .expireAfterWrite(properties.accounts().rememberedFor()).build();
        this.deleted = Caffeine.newBuilder().maximumSize(properties.accounts().remembered()).build();
    }

    public boolean exists(String id) {
        if (id == null) {
            return false;
        }
        if (known.getIfPresent(id) != null) {
            return deleted.getIfPresent(id) == null;
        }
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM accounts WHERE id = ? AND deleted_at IS NULL",
                Integer.class, id);
        if (n == null || n == 0) {
            return false;
        }
        known.put(id, Boolean.TRUE);
        return deleted.getIfPresent(id) == null;
    }

    /**
     * The account's deletion is being committed: from the commit on, it does not exist here (a rolled back deletion
     * changes nothing).
     */
    public void deleting(String id) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    forget(id);
                }
            });
        } else {
            forget(id);
        }
    }

    private void forget(String id) {
        deleted.put(id, Boolean.TRUE);
        known.invalidate(id);
    }
}
