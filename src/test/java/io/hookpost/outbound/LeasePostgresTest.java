package io.hookpost.outbound;

import io.hookpost.support.OnPostgres;

/** The lease rules on a real PostgreSQL (see {@link OnPostgres}). */
@OnPostgres
class LeasePostgresTest extends LeaseTest {
}
