package io.hookpost.api;

import io.hookpost.support.OnPostgres;

/** Idempotency-Keys on a real PostgreSQL (see {@link OnPostgres}): V23, a duplicate key's error, its row lock wait. */
@OnPostgres
class IdempotentRequestsPostgresTest extends IdempotentRequestsTest {
}
