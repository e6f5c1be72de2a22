package io.hookpost.outbound;

import io.hookpost.support.OnPostgres;

/** Channels on a real PostgreSQL (see {@link OnPostgres}): V22, the batch insert's new column, the list's LIKE. */
@OnPostgres
class ChannelsPostgresTest extends ChannelsTest {
}
