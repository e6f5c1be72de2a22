package io.hookpost.api;

import io.hookpost.support.OnPostgres;

/** An account deleted and erased on a real PostgreSQL: the same SQL as on H2. */
@OnPostgres
class AccountDeletionPostgresTest extends AccountDeletionTest {
}
