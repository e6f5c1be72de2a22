package io.hookpost.api;

import io.hookpost.support.OnPostgres;

/** Keys listed and revoked on a real PostgreSQL, where two revocations at once wait on its row locks. */
@OnPostgres
class ApiKeyManagementPostgresTest extends ApiKeyManagementTest {
}
