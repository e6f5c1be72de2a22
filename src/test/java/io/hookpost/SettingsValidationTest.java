package io.hookpost;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** Settings that make no sense stop the start with a message naming the property, before anything runs. */
class SettingsValidationTest {

    @Configuration
    @EnableConfigurationProperties(HookpostProperties.class)
    @org.springframework.context.annotation.Import(UnknownSettings.class)
    static class Settings {
    }

    // the built-in application.yaml, as Hookpost reads it, and the settings' validation
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer())
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Settings.class);

    @Test
    void the_built_in_defaults_are_valid() {
        runner.run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void a_zero_or_negative_duration_where_time_must_pass_stops_the_start_naming_the_property() {
        for (String setting : new String[] {"hookpost.delivery.timeout=0s", "hookpost.delivery.timeout=-5s",
                "hookpost.delivery.lease=0s", "hookpost.inbound.tolerance=0s", "hookpost.ops.health-timeout=-1s",
                "hookpost.delivery.retry-schedule=1s,-1s"}) {
            // the binder names the field as in Java (ops.healthTimeout); the start's failure report prints it as set
            String field = java.util.regex.Pattern.compile("-([a-z])").matcher(setting.substring(0, setting.indexOf('=')))
                    .replaceAll(m -> m.group(1).toUpperCase(java.util.Locale.ROOT));
            runner.withPropertyValues(setting).run(context -> {
                assertThat(context).as(setting).hasFailed();
                assertThat(context.getStartupFailure()).as(setting).rootCause().hasMessageContaining(field)
                        .hasMessageContaining("must be longer than or equal to");
            });
        }
    }

    @Test
    void the_report_of_a_start_stopped_by_a_setting_names_it_as_it_is_written() {
        runner.withPropertyValues("hookpost.delivery.max-in-flight-per-endpoint=0",
                "hookpost.delivery.retry-schedule=1s,-1s").run(context -> {
            assertThat(context).hasFailed();
            org.springframework.boot.diagnostics.FailureAnalysis analysis = new SettingsFailureAnalyzer()
                    .analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains(
                    "Property: hookpost.delivery.max-in-flight-per-endpoint\n    Value: \"0\"",
                    "Reason: must be greater than or equal to 1", "Property: hookpost.delivery.retry-schedule")
                    .doesNotContain("maxInFlightPerEndpoint", "retrySchedule");
        });
        // and it is the report a start prints: registered, and first in the order a start asks the analyzers in (those
        // that need the failed context to be made are left out here)
        java.util.List<org.springframework.boot.diagnostics.FailureAnalyzer> analyzers = new java.util.ArrayList<>(
                org.springframework.core.io.support.SpringFactoriesLoader.forDefaultResourceLocation().load(
                        org.springframework.boot.diagnostics.FailureAnalyzer.class, null,
                        org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler.handleMessage(
                                (message, failure) -> { })));
        org.springframework.core.annotation.AnnotationAwareOrderComparator.sort(analyzers);
        assertThat(analyzers).first().isInstanceOf(SettingsFailureAnalyzer.class);
    }

    @Test
    void settings_that_contradict_each_other_or_are_not_of_their_form_stop_the_start_naming_the_property() {
        for (String[] setting : new String[][] {
                {"hookpost.delivery.lease=10s", "hookpost.delivery.lease (PT10S) must be longer than hookpost.delivery.timeout"},
                {"hookpost.delivery.allowed-cidrs=notacidr", "hookpost.delivery.allowed-cidrs: not an IP network: notacidr"},
                {"hookpost.delivery.allowed-cidrs=127.0.0.0/33", "hookpost.delivery.allowed-cidrs: bad prefix length"},
                {"hookpost.security.admin-token=x", "must be empty (one is generated) or at least 16 characters"},
                {"hookpost.events.max-redelivery-delay=500ms", "hookpost.events.max-redelivery-delay (PT0.5S) must not be"
                        + " shorter than hookpost.events.redelivery-delay"},
                {"hookpost.delivery.max-connections-per-host=600", "hookpost.delivery.max-connections-per-host (600) must"
                        + " not be more than hookpost.delivery.max-connections (500)"},
                {"hookpost.inbound.public-base-url=hooks.example.com", "hookpost.inbound.public-base-url"
                        + " (hooks.example.com) must be an http:// or https:// URL with a host"},
                {"hookpost.inbound.public-base-url=https://hooks.example.com/?x=1", "must be an http:// or https:// URL"},
                {"hookpost.inbound.public-base-url=ftp://hooks.example.com", "must be an http:// or https:// URL"},
                {"hookpost.portal.session-ttl=8d", "hookpost.portal.session-ttl (PT192H) must not be longer than"
                        + " hookpost.portal.max-session-ttl (PT168H)"},
                {"hookpost.portal.frame-ancestors='self'; script-src *", "must be one source"},
                {"hookpost.security.encryption-key=c2hvcnQ=", "hookpost.security.encryption-key must be the base64 of"
                        + " 32 random bytes (openssl rand -base64 32), or empty"},
                {"hookpost.security.previous-encryption-keys=not-base64!", "hookpost.security.previous-encryption-keys"
                        + " must be the base64 of 32 random bytes"}}) {
            runner.withPropertyValues(setting[0]).run(context -> {
                assertThat(context).as(setting[0]).hasFailed();
                assertThat(context.getStartupFailure()).as(setting[0]).rootCause().hasMessageContaining(setting[1]);
            });
        }
        for (String setting : new String[] {"hookpost.events.schema-refresh=-1s",
                "hookpost.database.group-commit-linger=-1ms", "hookpost.portal.session-ttl=0s"}) {
            runner.withPropertyValues(setting).run(context -> {
                assertThat(context).as(setting).hasFailed();
                assertThat(context.getStartupFailure()).as(setting).rootCause()
                        .hasMessageContaining("must be longer than or equal to");
            });
        }
    }

    @Test
    void a_public_base_url_with_a_path_or_a_trailing_slash_is_accepted() {
        runner.withPropertyValues("hookpost.inbound.public-base-url=https://example.com/hooks/").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(HookpostProperties.class).inbound().publicBase()).isEqualTo("https://example.com/hooks");
        });
    }

    @Test
    void a_misspelt_setting_stops_the_start_naming_it_and_environment_variables_are_not_counted() {
        runner.withPropertyValues("hookpost.delivery.timout=5s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("The elements [hookpost.delivery.timout] were left unbound");
        });
        // HOOKPOST_JAVA_OPTS names no setting: bin/hookpost passes it to the JVM
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                        new org.springframework.core.env.SystemEnvironmentPropertySource("systemEnvironment",
                                java.util.Map.of("HOOKPOST_JAVA_OPTS", "-Xmx1g"))))
                .run(context -> assertThat(context).hasNotFailed());
    }
}
