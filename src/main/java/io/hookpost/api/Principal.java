package io.hookpost.api;

/** Who called: an operator (every account) or one account's admin. */
public record Principal(String accountId) {
    public static final String PROPERTY = "hookpost.principal";
    public static final Principal OPERATOR = new Principal(null);

    public boolean operator() {
        return accountId == null;
    }

    public boolean mayAccess(String account) {
        return operator() || accountId.equals(account);
    }
}
