package io.hookpost;

import java.util.Locale;

import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * A setting that fails its check stops the start with a report naming it as it is written in the YAML
 * ({@code hookpost.delivery.max-in-flight-per-endpoint}); Spring Boot's own report names the Java field
 * ({@code hookpost.delivery.maxInFlightPerEndpoint}), which an operator will not find in any file. Registered in
 * META-INF/spring.factories, ahead of Spring Boot's analyzer of the same failure.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public class SettingsFailureAnalyzer extends AbstractFailureAnalyzer<BindValidationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindValidationException cause) {
        ValidationErrors errors = cause.getValidationErrors();
        StringBuilder description = new StringBuilder("Settings under '").append(errors.getName())
                .append("' are not valid:\n");
        for (ObjectError error : errors) {
            if (error instanceof FieldError field) {
                description.append("\n    Property: ").append(errors.getName()).append('.')
                        .append(asWritten(field.getField()))
                        .append("\n    Value: \"").append(field.getRejectedValue()).append('"');
                Origin origin = Origin.from(field);
                if (origin != null) {
                    description.append("\n    Origin: ").append(origin);
                }
                description.append("\n    Reason: ").append(field.getDefaultMessage()).append('\n');
            } else {
                description.append("\n    ").append(error.getDefaultMessage()).append('\n');
            }
        }
        return new FailureAnalysis(description.toString(), "Correct the settings named above (in"
                + " config/application.yaml, or HOOKPOST_… environment variables) and start Hookpost again.", cause);
    }

    /** {@code delivery.maxInFlightPerEndpoint} as it is written: {@code delivery.max-in-flight-per-endpoint}. */
    static String asWritten(String javaPath) {
        return javaPath.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
