package io.hookpost.outbound;

import io.hookpost.support.OnPostgres;

/** The manual retry during an attempt on a real PostgreSQL (see {@link OnPostgres}). */
@OnPostgres
class ManualRetryPostgresTest extends ManualRetryTest {
}
