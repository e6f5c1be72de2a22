package io.hookpost.api;

import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * Who called: an operator (every account), one account's admin, or a session of that account's portal (a key that
 * expires and reaches only what the portal page does; read-only ones change nothing).
 */
public record Principal(String accountId, Scope scope, OffsetDateTime expiresAt, String keyId) {
    public static final String PROPERTY = "hookpost.principal";
    public static final Principal OPERATOR = new Principal(null, Scope.FULL, null, null);

    /** What a key may do; stored in {@code api_keys.scope} by {@link #column()} (NULL for a full key). */
    public enum Scope {
        FULL(null), PORTAL("portal"), PORTAL_READ_ONLY("portal-read-only");

        private final String column;

        Scope(String column) {
            this.column = column;
        }

        public String column() {
            return column;
        }

        static Scope of(String column) {
            for (Scope scope : values()) {
                if (Objects.equals(scope.column, column)) {
                    return scope;
                }
            }
            // a scope this build does not know (written by a newer one) grants the least
            return PORTAL_READ_ONLY;
        }
    }

    public boolean operator() {
        return accountId == null;
    }

    public boolean portalSession() {
        return scope != Scope.FULL;
    }

    public boolean mayAccess(String account) {
        return operator() || accountId.equals(account);
    }
}
