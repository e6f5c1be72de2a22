package io.hookpost;

import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded H2 database runs with the settings application.yaml gives it (what they are for is said there); the
 * database itself is asked, so a setting lost from the URL, or one H2 no longer reads, fails here.
 */
class EmbeddedDatabaseTest extends HookpostTest {

    @Test
    void every_commit_is_written_before_it_returns() {
        assertThat(setting("WRITE_DELAY")).isEqualTo("0");
    }

    @Test
    void each_connection_keeps_the_parsed_form_of_more_statements_than_a_delivery_runs() {
        assertThat(Integer.parseInt(setting("QUERY_CACHE_SIZE"))).isEqualTo(128);
    }

    private String setting(String name) {
        return db.queryForList("SELECT setting_value FROM information_schema.settings WHERE setting_name = ?",
                String.class, name).get(0);
    }
}
