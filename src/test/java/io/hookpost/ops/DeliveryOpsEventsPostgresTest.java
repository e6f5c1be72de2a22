package io.hookpost.ops;

import io.hookpost.support.OnPostgres;

/** delivery.failing and delivery.recovered on a real PostgreSQL (see {@link OnPostgres}): their SQL's parameters. */
@OnPostgres
class DeliveryOpsEventsPostgresTest extends DeliveryOpsEventsTest {
}
