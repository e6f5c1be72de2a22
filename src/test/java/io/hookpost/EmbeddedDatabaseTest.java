package io.hookpost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The embedded H2 database runs with the settings application.yaml gives it (what they are for is said there); the
 * database itself is asked, so a setting lost from the URL, or one H2 no longer reads, fails here; how its file is
 * opened is read from Linux's /proc.
 */
class EmbeddedDatabaseTest extends HookpostTest {

    @Test
    void every_commit_is_written_before_it_returns() {
        assertThat(setting("WRITE_DELAY")).isEqualTo("0");
    }

    @Test
    void the_database_file_is_open_for_synchronous_writes_so_a_commit_survives_a_power_cut() throws IOException {
        Path openFiles = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(openFiles), "reads how the file was opened from Linux's /proc: not on this system");
        Path file = Path.of(db.queryForObject("CALL DATABASE_PATH()", String.class).replaceFirst("^(sync:)?(file:)?", "")
                + ".mv.db").toRealPath();
        List<String> flags;
        try (Stream<Path> descriptors = Files.list(openFiles)) {
            flags = descriptors.filter(fd -> file.equals(target(fd)))
                    .map(fd -> flags(fd.getFileName().toString())).toList();
        }
        long dsync = 010000; // O_DSYNC on Linux
        assertThat(flags).as("open descriptors of " + file).isNotEmpty()
                .allSatisfy(octal -> assertThat(Long.parseLong(octal, 8) & dsync).as("flags " + octal).isEqualTo(dsync));
    }

    @Test
    void each_connection_keeps_the_parsed_form_of_more_statements_than_a_delivery_runs() {
        assertThat(Integer.parseInt(setting("QUERY_CACHE_SIZE"))).isEqualTo(128);
    }

    private static Path target(Path descriptor) {
        try {
            return Files.readSymbolicLink(descriptor);
        } catch (IOException closedMeanwhile) {
            return null;
        }
    }

    private static String flags(String descriptor) {
        try {
            return Files.readAllLines(Path.of("/proc/self/fdinfo", descriptor)).stream()
                    .filter(line -> line.startsWith("flags:")).findFirst().orElseThrow().substring(6).trim();
        } catch (IOException e) {
            throw new IllegalStateException("Could not read the flags of descriptor " + descriptor, e);
        }
    }

    private String setting(String name) {
        return db.queryForList("SELECT setting_value FROM information_schema.settings WHERE setting_name = ?",
                String.class, name).get(0);
    }
}
