package io.hookpost;

import io.hookpost.support.OnPostgres;

/** The end-to-end story on a real PostgreSQL: the same migrations and SQL as on H2 (see {@link OnPostgres}). */
@OnPostgres
class EndToEndPostgresTest extends EndToEndTest {
}
