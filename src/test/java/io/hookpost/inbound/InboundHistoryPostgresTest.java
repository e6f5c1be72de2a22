package io.hookpost.inbound;

import io.hookpost.support.OnPostgres;

/** The inbound history's queries on a real PostgreSQL (see {@link OnPostgres}): V27, V28, the pages' order. */
@OnPostgres
class InboundHistoryPostgresTest extends InboundHistoryTest {
}
