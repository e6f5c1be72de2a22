package io.hookpost.api;

/** The stored form of a key, for tests that check what the database holds. */
final class ApiKeysAccess {
    private ApiKeysAccess() {
    }

    static String hash(String key) {
        return ApiKeys.hash(key);
    }
}
