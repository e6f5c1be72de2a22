package io.hookpost.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactories;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * A test class whose application runs on a fresh database of a real PostgreSQL server ({@link Postgres#ofThisJvm()}:
 * skipped with a message without a server, failed in CI), such as a subclass of an H2 test class that runs its tests
 * on PostgreSQL too: {@code @OnPostgres class LeasePostgresTest extends LeaseTest {}}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(OnPostgres.Required.class)
// not @ContextConfiguration(initializers = …): declared here, it hid a subclass's nested @TestConfiguration from Spring
@ContextCustomizerFactories(OnPostgres.Database.class)
public @interface OnPostgres {
    /** Skips (or in CI fails) the class before its application starts when there is no server. */
    final class Required implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            Postgres.ofThisJvm().require();
        }
    }

    /** Points the application at the database. */
    final class Database implements ContextCustomizerFactory {
        @Override
        public ContextCustomizer createContextCustomizer(Class<?> testClass,
                                                         List<ContextConfigurationAttributes> configurations) {
            return new Settings();
        }
    }

    /** Equal to any other, as the database is one per JVM: Spring's context cache may reuse the application. */
    record Settings() implements ContextCustomizer {
        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration configuration) {
            TestPropertyValues.of(Postgres.ofThisJvm().properties()).applyTo(context);
        }
    }
}
